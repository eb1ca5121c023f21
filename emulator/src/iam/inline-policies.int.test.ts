import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Credentials,
  failureOf,
  iamClient,
  oathtoolCode,
  requireTool,
  sessionCredentials,
  startTestEmulator,
  stsClient,
  type TestEmulator,
} from '../../test/emulator-harness.ts';
import { ACCOUNT, KEYS, ROLE_ARNS, SEEDS, SERIALS } from '../../test/fixture-state.ts';

const AWS_CLI = '/usr/bin/aws';
const PYTHON = '/usr/bin/python3';
const run = promisify(execFile);

let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator?.close());

const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function nextCode(user: keyof typeof SEEDS): string {
  emulator.advance(30);
  return oathtoolCode(SEEDS[user], emulator.now());
}

/** Role credentials for MfaAdmin (iam:* and sts:*), named after the person like the portal does. */
async function adminSession(user: 'carol' | 'bob'): Promise<Credentials> {
  const out = await stsClient(emulator, KEYS[user]).send(
    new AssumeRoleCommand({
      RoleArn: ROLE_ARNS.mfaAdmin,
      RoleSessionName: user,
      SourceIdentity: user,
      SerialNumber: SERIALS[user],
      TokenCode: nextCode(user),
    }),
  );
  return sessionCredentials(out.Credentials);
}

const denyOlderSessionsOf = (who: string, before: Date) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RevokeOlderSessions',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceIdentity': who },
          DateLessThan: { 'aws:TokenIssueTime': iso(before) },
        },
      },
    ],
  });

describe('inline role and user policies (SDK)', () => {
  it('puts, reads (URL-encoded), lists and deletes a role policy, and validates like IAM', async () => {
    const admin = iamClient(emulator, await adminSession('bob'));
    const document = denyOlderSessionsOf('nobody', emulator.now());
    await admin.send(
      new PutRolePolicyCommand({ RoleName: 'Open', PolicyName: 'portal-revoked', PolicyDocument: document }),
    );
    const got = await admin.send(new GetRolePolicyCommand({ RoleName: 'Open', PolicyName: 'portal-revoked' }));
    expect(got.RoleName).toBe('Open');
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).toEqual(JSON.parse(document));
    expect((await admin.send(new ListRolePoliciesCommand({ RoleName: 'Open' }))).PolicyNames).toEqual([
      'chain',
      'portal-revoked',
    ]);

    const put = (fields: Partial<{ RoleName: string; PolicyName: string; PolicyDocument: string }>) =>
      failureOf(
        admin.send(
          new PutRolePolicyCommand({ RoleName: 'Open', PolicyName: 'p', PolicyDocument: document, ...fields }),
        ),
      );
    expect(await put({ PolicyDocument: '{"Statement": [' })).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: 'This policy contains invalid Json',
    });
    expect(
      await put({
        PolicyDocument: JSON.stringify({
          Statement: { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        }),
      }),
    ).toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect(await put({ PolicyName: 'bad name' })).toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining("at 'policyName' failed to satisfy constraint"),
    });
    expect(await put({ RoleName: 'NoSuchRole' })).toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The role with name NoSuchRole cannot be found.',
    });
    // 10,240 characters for all of a role's inline policies, whitespace not counted.
    const big = (n: number) =>
      JSON.stringify({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Sid: 'x'.repeat(n) }] });
    expect(await put({ PolicyName: 'big', PolicyDocument: big(10_000) })).toMatchObject({
      name: 'LimitExceededException',
      message: 'Maximum policy size of 10240 bytes exceeded for role Open',
      status: 409,
    });
    const padded = big(9_000).replace(/,/g, `,${' '.repeat(500)}\n`);
    expect(padded.length).toBeGreaterThan(10_240);
    expect(await put({ PolicyName: 'big', PolicyDocument: padded })).toEqual({ name: 'no error', message: '' });

    await admin.send(new DeleteRolePolicyCommand({ RoleName: 'Open', PolicyName: 'big' }));
    await admin.send(new DeleteRolePolicyCommand({ RoleName: 'Open', PolicyName: 'portal-revoked' }));
    expect(
      await failureOf(admin.send(new DeleteRolePolicyCommand({ RoleName: 'Open', PolicyName: 'portal-revoked' }))),
    ).toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The role policy with name portal-revoked cannot be found.',
      status: 404,
    });
    expect((await admin.send(new ListRolePoliciesCommand({ RoleName: 'Open' }))).PolicyNames).toEqual(['chain']);
  });

  it('a role policy on aws:SourceIdentity + aws:TokenIssueTime ends one person’s older sessions only (carol’s, not bob’s)', async () => {
    const [carolRole, bobRole] = [await adminSession('carol'), await adminSession('bob')];
    const revokedAt = new Date(emulator.now().getTime() + 1000);
    const bob = iamClient(emulator, bobRole);
    await bob.send(
      new PutRolePolicyCommand({
        RoleName: 'MfaAdmin',
        PolicyName: 'portal-revoked',
        PolicyDocument: denyOlderSessionsOf('carol', revokedAt),
      }),
    );
    expect(await failureOf(iamClient(emulator, carolRole).send(new ListRolesCommand({})))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
      message: expect.stringContaining('is not authorized to perform: iam:ListRoles'),
    });
    // GetCallerIdentity needs no permission and cannot be denied (as in AWS).
    expect((await stsClient(emulator, carolRole).send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/MfaAdmin/carol`,
    );
    expect((await bob.send(new ListRolesCommand({}))).Roles?.length).toBeGreaterThan(0);

    emulator.advance(2);
    const fresh = iamClient(emulator, await adminSession('carol'));
    expect((await fresh.send(new ListRolesCommand({}))).Roles?.length).toBeGreaterThan(0);
    await bob.send(new DeleteRolePolicyCommand({ RoleName: 'MfaAdmin', PolicyName: 'portal-revoked' }));
  });

  it('a user policy on aws:TokenIssueTime ends the user’s older GetSessionToken sessions, not new ones', async () => {
    const sessionOf = async () =>
      sessionCredentials(
        (
          await stsClient(emulator, KEYS.alice).send(
            new GetSessionTokenCommand({ SerialNumber: SERIALS.alice, TokenCode: nextCode('alice') }),
          )
        ).Credentials,
      );
    const old = await sessionOf();
    const assume = (credentials: Credentials) =>
      failureOf(
        stsClient(emulator, credentials).send(
          new AssumeRoleCommand({ RoleArn: ROLE_ARNS.open, RoleSessionName: 'alice', SourceIdentity: 'alice' }),
        ),
      );
    expect(await assume(old)).toEqual({ name: 'no error', message: '' });

    const admin = iamClient(emulator, await adminSession('bob'));
    const revokedAt = new Date(emulator.now().getTime() + 1000);
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': iso(revokedAt) } },
        },
      ],
    });
    await admin.send(
      new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'portal-revoked', PolicyDocument: document }),
    );
    expect((await admin.send(new ListUserPoliciesCommand({ UserName: 'alice' }))).PolicyNames).toEqual([
      'portal-revoked',
    ]);
    const got = await admin.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'portal-revoked' }));
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).toEqual(JSON.parse(document));

    expect(await assume(old)).toMatchObject({ name: 'AccessDenied', status: 403 });
    // Long-term keys carry no aws:TokenIssueTime: the key itself (and so a new sign-in) still works.
    emulator.advance(2);
    expect(await assume(await sessionOf())).toEqual({ name: 'no error', message: '' });

    // 2,048 characters for a user's inline policies.
    const tooBig = JSON.stringify({
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Sid: 'y'.repeat(2_000) }],
    });
    expect(
      await failureOf(
        admin.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'more', PolicyDocument: tooBig })),
      ),
    ).toMatchObject({
      name: 'LimitExceededException',
      message: 'Maximum policy size of 2048 bytes exceeded for user alice',
    });
    await admin.send(new DeleteUserPolicyCommand({ UserName: 'alice', PolicyName: 'portal-revoked' }));
    expect(
      await failureOf(admin.send(new DeleteUserPolicyCommand({ UserName: 'alice', PolicyName: 'portal-revoked' }))),
    ).toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The user policy with name portal-revoked cannot be found.',
    });
  });
});

describe('inline role policies through the AWS CLI v2 and boto3', () => {
  it('put-role-policy / get-role-policy / list-role-policies / delete-role-policy round-trip', async () => {
    requireTool(AWS_CLI, 'awscli');
    requireTool(PYTHON, 'python3-boto3');
    const admin = await adminSession('bob');
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: admin.secretAccessKey,
      AWS_SESSION_TOKEN: admin.sessionToken,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
      AWS_PAGER: '',
      ENDPOINT: emulator.url,
    };
    const cli = (args: string[]) =>
      run(AWS_CLI, ['iam', ...args, '--endpoint-url', emulator.url, '--output', 'json'], { env });
    const document = denyOlderSessionsOf('carol', emulator.now());
    await cli(['put-role-policy', '--role-name', 'Open', '--policy-name', 'cli-policy', '--policy-document', document]);
    // The CLI URL-decodes and parses the document it gets back, as it does with AWS.
    const got = JSON.parse(
      (await cli(['get-role-policy', '--role-name', 'Open', '--policy-name', 'cli-policy'])).stdout,
    );
    expect(got.PolicyDocument).toEqual(JSON.parse(document));
    const boto = await run(
      PYTHON,
      [
        '-c',
        [
          'import boto3, json, os',
          "iam = boto3.client('iam', endpoint_url=os.environ['ENDPOINT'])",
          "print(json.dumps({'names': iam.list_role_policies(RoleName='Open')['PolicyNames'],",
          "  'doc': iam.get_role_policy(RoleName='Open', PolicyName='cli-policy')['PolicyDocument']}))",
          "iam.delete_role_policy(RoleName='Open', PolicyName='cli-policy')",
          'try:',
          "  iam.get_role_policy(RoleName='Open', PolicyName='cli-policy')",
          'except iam.exceptions.NoSuchEntityException as e:',
          "  print(json.dumps({'missing': str(e)}))",
        ].join('\n'),
      ],
      { env },
    );
    const [listed, missing] = boto.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(listed).toEqual({ names: ['chain', 'cli-policy'], doc: JSON.parse(document) });
    expect(missing.missing).toMatch(/NoSuchEntity.*The role policy with name cli-policy cannot be found\./);
  });
});
