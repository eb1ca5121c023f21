import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteUserPermissionsBoundaryCommand,
  DetachUserPolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListEntitiesForPolicyCommand,
  ListRolesCommand,
  PutRolePermissionsBoundaryCommand,
  PutUserPermissionsBoundaryCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import demo from '../../demo-state.json' with { type: 'json' };
import { failureOf, requireTool, sessionCredentials } from '../../test/emulator-harness.ts';
import { type RunningEmulator, startEmulator } from '../server.ts';
import type { StateFile } from '../state/state-file.ts';
import { currentCode } from '../totp.ts';

const run = promisify(execFile);
const ACCOUNT = '111111111111';
const AWS_CLI_V2 = '/usr/bin/aws';
const PYTHON = '/usr/bin/python3';
const ADMIN_KEY = { accessKeyId: 'AKIAIAMADMIN00000003', secretAccessKey: 'iamAdmin/Secret+Key3'.padEnd(40, 'x') };
const DAVE_SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const DAVE_MFA = `arn:aws:iam::${ACCOUNT}:mfa/dave`;
const DAVE_ARN = `arn:aws:iam::${ACCOUNT}:user/dave`;
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/Deploy`;
const REQUIRE_MFA = `arn:aws:iam::${ACCOUNT}:policy/RequireMfaBoundary`;
const S3_ONLY = `arn:aws:iam::${ACCOUNT}:policy/S3OnlyBoundary`;

/** A boundary that lets through everything the user's policies grant, but only with MFA. */
const REQUIRE_MFA_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'UpToTheIdentityPolicies', Effect: 'Allow', Action: '*', Resource: '*' },
    {
      Sid: 'DenyWithoutMfa',
      Effect: 'Deny',
      NotAction: ['sts:GetSessionToken', 'iam:ListMFADevices'],
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ],
};
const S3_ONLY_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
};

/**
 * The demo organisation: dave (group developers: sts:AssumeRole on the account's roles) has keys
 * that assume Deploy (its trust policy asks no MFA) without MFA; he gets a virtual MFA device.
 */
function organisation(): StateFile {
  const state = structuredClone(demo) as unknown as StateFile;
  state.users.push({
    account: ACCOUNT,
    name: 'iam-admin',
    accessKeys: [{ id: ADMIN_KEY.accessKeyId, secret: ADMIN_KEY.secretAccessKey, status: 'Active' }],
    inlinePolicies: [
      {
        name: 'Admin',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
      },
    ],
  });
  const dave = state.users.find((u) => u.name === 'dave')!;
  dave.mfaDevices = [{ serial: DAVE_MFA, type: 'virtual', seed: DAVE_SEED }];
  // Deploy's sessions may list roles: an IAM action the emulator serves, to test role boundaries on.
  state
    .roles!.find((r) => r.name === 'Deploy')!
    .inlinePolicies!.push({
      name: 'ListRoles',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }] },
    });
  return state;
}

const daveKey = () => {
  const key = (demo as unknown as StateFile).users.find((u) => u.name === 'dave')!.accessKeys![0]!;
  return { accessKeyId: key.id, secretAccessKey: key.secret };
};

let workDir: string;
let statePath: string;
let emulator: RunningEmulator;
let admin: IAMClient;

const client = <T>(make: new (config: object) => T, credentials: object): T =>
  new make({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 });

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'boundaries-'));
  statePath = join(workDir, 'state.json');
  await writeFile(statePath, JSON.stringify(organisation()));
  emulator = await startEmulator({ state: statePath, persistPath: statePath });
  admin = client(IAMClient, ADMIN_KEY);
  for (const [arn, document] of [
    [REQUIRE_MFA, REQUIRE_MFA_DOCUMENT],
    [S3_ONLY, S3_ONLY_DOCUMENT],
  ] as const) {
    await admin.send(
      new CreatePolicyCommand({ PolicyName: arn.split('/').pop(), PolicyDocument: JSON.stringify(document) }),
    );
  }
});

afterAll(async () => {
  admin?.destroy();
  await emulator?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const assumeDeploy = (credentials: object) => {
  const sts = client(STSClient, credentials);
  return failureOf(sts.send(new AssumeRoleCommand({ RoleArn: DEPLOY_ROLE, RoleSessionName: 'dave' }))).finally(() =>
    sts.destroy(),
  );
};

const simulateDave = async (mfa: 'true' | 'false', boundaryInput?: object) => {
  const answer = await admin.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: DAVE_ARN,
      ActionNames: ['sts:AssumeRole'],
      ResourceArns: [DEPLOY_ROLE],
      ContextEntries: [
        { ContextKeyName: 'aws:MultiFactorAuthPresent', ContextKeyValues: [mfa], ContextKeyType: 'boolean' },
      ],
      ...(boundaryInput ? { PermissionsBoundaryPolicyInputList: [JSON.stringify(boundaryInput)] } : {}),
    }),
  );
  const [result] = answer.EvaluationResults!;
  return { decision: result!.EvalDecision, boundary: result!.PermissionsBoundaryDecisionDetail };
};

describe('permissions boundaries through the AWS SDK for JavaScript v3', () => {
  it('make keys that worked without MFA need it, for requests and for simulate alike, until removed', async () => {
    // Without a boundary dave's keys assume Deploy without MFA.
    expect(await assumeDeploy(daveKey())).toEqual({ name: 'no error', message: '' });
    expect(await simulateDave('false')).toEqual({ decision: 'allowed', boundary: undefined });

    await admin.send(new PutUserPermissionsBoundaryCommand({ UserName: 'dave', PermissionsBoundary: REQUIRE_MFA }));
    expect((await admin.send(new GetUserCommand({ UserName: 'dave' }))).User?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: REQUIRE_MFA,
    });
    expect(await assumeDeploy(daveKey())).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: `User: ${DAVE_ARN} is not authorized to perform: sts:AssumeRole on resource: ${DEPLOY_ROLE} with an explicit deny in a permissions boundary`,
    });
    expect(await simulateDave('false')).toEqual({
      decision: 'explicitDeny',
      boundary: { AllowedByPermissionsBoundary: false },
    });
    expect(await simulateDave('true')).toEqual({
      decision: 'allowed',
      boundary: { AllowedByPermissionsBoundary: true },
    });
    // A boundary given to the simulation replaces the user's own.
    expect(await simulateDave('false', S3_ONLY_DOCUMENT)).toEqual({
      decision: 'implicitDeny',
      boundary: { AllowedByPermissionsBoundary: false },
    });

    // A GetSessionToken session is governed by the user's boundary: without MFA refused, with MFA allowed.
    const sts = client(STSClient, daveKey());
    const withoutMfa = sessionCredentials((await sts.send(new GetSessionTokenCommand({}))).Credentials);
    expect(await assumeDeploy(withoutMfa)).toMatchObject({ name: 'AccessDenied', status: 403 });
    const withMfa = sessionCredentials(
      (
        await sts.send(
          new GetSessionTokenCommand({ SerialNumber: DAVE_MFA, TokenCode: currentCode(DAVE_SEED, new Date()) }),
        )
      ).Credentials,
    );
    sts.destroy();
    expect(await assumeDeploy(withMfa)).toEqual({ name: 'no error', message: '' });

    // A boundary that allows only some actions: the rest are refused even with MFA.
    await admin.send(new PutUserPermissionsBoundaryCommand({ UserName: 'dave', PermissionsBoundary: S3_ONLY }));
    expect(await assumeDeploy(withMfa)).toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(/because no permissions boundary allows the sts:AssumeRole action$/),
    });
    expect(await simulateDave('true')).toEqual({
      decision: 'implicitDeny',
      boundary: { AllowedByPermissionsBoundary: false },
    });

    await admin.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'dave' }));
    expect((await admin.send(new GetUserCommand({ UserName: 'dave' }))).User?.PermissionsBoundary).toBeUndefined();
    expect(await assumeDeploy(daveKey())).toEqual({ name: 'no error', message: '' });
  });

  it('counts and lists boundary use apart from attachments, and keeps the policy from being deleted', async () => {
    await admin.send(new PutUserPermissionsBoundaryCommand({ UserName: 'frank', PermissionsBoundary: REQUIRE_MFA }));
    const policy = (await admin.send(new GetPolicyCommand({ PolicyArn: REQUIRE_MFA }))).Policy!;
    expect(policy).toMatchObject({ AttachmentCount: 0, PermissionsBoundaryUsageCount: 1 });
    const boundaryUsers = await admin.send(
      new ListEntitiesForPolicyCommand({ PolicyArn: REQUIRE_MFA, PolicyUsageFilter: 'PermissionsBoundary' }),
    );
    expect(boundaryUsers.PolicyUsers?.map((u) => u.UserName)).toEqual(['frank']);
    const asPolicy = await admin.send(
      new ListEntitiesForPolicyCommand({ PolicyArn: REQUIRE_MFA, PolicyUsageFilter: 'PermissionsPolicy' }),
    );
    expect(asPolicy.PolicyUsers).toEqual([]);

    const details = await admin.send(new GetAccountAuthorizationDetailsCommand({}));
    expect(details.UserDetailList?.find((u) => u.UserName === 'frank')?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: REQUIRE_MFA,
    });
    expect(details.UserDetailList?.find((u) => u.UserName === 'dave')?.PermissionsBoundary).toBeUndefined();
    expect(details.Policies?.find((p) => p.Arn === REQUIRE_MFA)).toMatchObject({
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 1,
    });

    // A boundary is not an attachment: Detach refuses, and the policy cannot be deleted while used.
    expect(
      await failureOf(admin.send(new DetachUserPolicyCommand({ UserName: 'frank', PolicyArn: REQUIRE_MFA }))),
    ).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    expect(await failureOf(admin.send(new DeletePolicyCommand({ PolicyArn: REQUIRE_MFA })))).toEqual({
      name: 'DeleteConflictException',
      status: 409,
      message: 'Cannot delete a policy attached to entities.',
    });
    // Persisted: the state file on disk carries the boundary.
    const saved = JSON.parse(await readFile(statePath, 'utf8')) as StateFile;
    expect(saved.users.find((u) => u.name === 'frank')?.permissionsBoundary).toBe(REQUIRE_MFA);

    await admin.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'frank' }));
    // An attachment blocks DeletePolicy just the same.
    await admin.send(new AttachUserPolicyCommand({ UserName: 'frank', PolicyArn: S3_ONLY }));
    expect(await failureOf(admin.send(new DeletePolicyCommand({ PolicyArn: S3_ONLY })))).toMatchObject({
      name: 'DeleteConflictException',
      status: 409,
    });
    await admin.send(new DetachUserPolicyCommand({ UserName: 'frank', PolicyArn: S3_ONLY }));
    await admin.send(new DeletePolicyCommand({ PolicyArn: S3_ONLY }));
    expect(await failureOf(admin.send(new GetPolicyCommand({ PolicyArn: S3_ONLY })))).toMatchObject({
      name: 'NoSuchEntityException',
    });
    // A boundary must be an existing policy.
    expect(
      await failureOf(
        admin.send(new PutUserPermissionsBoundaryCommand({ UserName: 'frank', PermissionsBoundary: S3_ONLY })),
      ),
    ).toEqual({
      name: 'NoSuchEntityException',
      status: 404,
      message: `Scope ARN: ${S3_ONLY} does not exist or is not attachable.`,
    });
  });

  it("caps a role's sessions with the role's boundary", async () => {
    const noIam = `arn:aws:iam::${ACCOUNT}:policy/RoleBoundaryNoIam`;
    await admin.send(
      new CreatePolicyCommand({ PolicyName: 'RoleBoundaryNoIam', PolicyDocument: JSON.stringify(S3_ONLY_DOCUMENT) }),
    );
    const sts = client(STSClient, daveKey());
    const session = sessionCredentials(
      (await sts.send(new AssumeRoleCommand({ RoleArn: DEPLOY_ROLE, RoleSessionName: 'dave' }))).Credentials,
    );
    sts.destroy();
    const deploy = client(IAMClient, session);
    expect(await failureOf(deploy.send(new ListRolesCommand({})))).toEqual({ name: 'no error', message: '' });

    await admin.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Deploy', PermissionsBoundary: noIam }));
    expect((await admin.send(new GetRoleCommand({ RoleName: 'Deploy' }))).Role?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: noIam,
    });
    // The session issued before the boundary is refused from the next request on.
    expect(await failureOf(deploy.send(new ListRolesCommand({})))).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/Deploy/dave is not authorized to perform: iam:ListRoles on resource: * because no permissions boundary allows the iam:ListRoles action`,
    });
    const simulated = await admin.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: DEPLOY_ROLE, ActionNames: ['iam:ListRoles'] }),
    );
    expect(simulated.EvaluationResults![0]).toMatchObject({
      EvalDecision: 'implicitDeny',
      PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
    });
    const used = await admin.send(
      new ListEntitiesForPolicyCommand({ PolicyArn: noIam, PolicyUsageFilter: 'PermissionsBoundary' }),
    );
    expect([used.PolicyRoles?.map((r) => r.RoleName), used.PolicyUsers]).toEqual([['Deploy'], []]);
    expect((await admin.send(new GetPolicyCommand({ PolicyArn: noIam }))).Policy?.PermissionsBoundaryUsageCount).toBe(
      1,
    );
    expect(await failureOf(admin.send(new DeletePolicyCommand({ PolicyArn: noIam })))).toMatchObject({
      name: 'DeleteConflictException',
    });

    await admin.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'Deploy' }));
    expect(await failureOf(deploy.send(new ListRolesCommand({})))).toEqual({ name: 'no error', message: '' });
    deploy.destroy();
    await admin.send(new DeletePolicyCommand({ PolicyArn: noIam }));
  });

  it('keeps boundaries across a restart from the persisted state file', async () => {
    await admin.send(new PutUserPermissionsBoundaryCommand({ UserName: 'dave', PermissionsBoundary: REQUIRE_MFA }));
    await emulator.close();
    emulator = await startEmulator({ state: statePath, persistPath: statePath });
    admin.destroy();
    admin = client(IAMClient, ADMIN_KEY);
    expect(await assumeDeploy(daveKey())).toMatchObject({ name: 'AccessDenied', status: 403 });
    await admin.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'dave' }));
  });
});

describe('permissions boundaries through the AWS CLI v2 and boto3', () => {
  const env = (credentials: { accessKeyId: string; secretAccessKey: string }) => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    ENDPOINT: emulator.url,
  });
  const cli = (credentials: typeof ADMIN_KEY, args: string[]) =>
    run(AWS_CLI_V2, [...args, '--endpoint-url', emulator.url, '--output', 'json'], { env: env(credentials) });
  const cliFailure = (credentials: typeof ADMIN_KEY, args: string[]) =>
    cli(credentials, args).then(
      () => 'no error',
      // With AWS_MAX_ATTEMPTS=1 the CLI adds "(reached max retries: 0)" after the operation name.
      (error: { stderr: string }) => error.stderr.trim().replace(' (reached max retries: 0)', ''),
    );

  // Each AWS CLI run starts Python anew: about a second each on this machine.
  it('create-user --permissions-boundary, get-user, simulate-principal-policy and a refused request', {
    timeout: 120_000,
  }, async () => {
    requireTool(AWS_CLI_V2, 'awscli');
    const created = JSON.parse(
      (await cli(ADMIN_KEY, ['iam', 'create-user', '--user-name', 'ci-bot', '--permissions-boundary', REQUIRE_MFA]))
        .stdout,
    );
    expect(created.User.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: REQUIRE_MFA,
    });
    expect(
      await cliFailure(ADMIN_KEY, [
        'iam',
        'create-user',
        '--user-name',
        'ci-bot-2',
        '--permissions-boundary',
        `arn:aws:iam::${ACCOUNT}:policy/Missing`,
      ]),
    ).toBe(
      `An error occurred (NoSuchEntity) when calling the CreateUser operation: Scope ARN: arn:aws:iam::${ACCOUNT}:policy/Missing does not exist or is not attachable.`,
    );

    await cli(ADMIN_KEY, [
      'iam',
      'put-user-permissions-boundary',
      '--user-name',
      'dave',
      '--permissions-boundary',
      REQUIRE_MFA,
    ]);
    const got = JSON.parse((await cli(ADMIN_KEY, ['iam', 'get-user', '--user-name', 'dave'])).stdout);
    expect(got.User.PermissionsBoundary.PermissionsBoundaryArn).toBe(REQUIRE_MFA);
    // dave's own keys, without MFA: refused by the boundary.
    expect(
      await cliFailure(daveKey(), ['sts', 'assume-role', '--role-arn', DEPLOY_ROLE, '--role-session-name', 'dave']),
    ).toBe(
      `An error occurred (AccessDenied) when calling the AssumeRole operation: User: ${DAVE_ARN} is not authorized to perform: sts:AssumeRole on resource: ${DEPLOY_ROLE} with an explicit deny in a permissions boundary`,
    );
    const simulated = JSON.parse(
      (
        await cli(ADMIN_KEY, [
          'iam',
          'simulate-principal-policy',
          '--policy-source-arn',
          DAVE_ARN,
          '--action-names',
          'sts:AssumeRole',
          '--resource-arns',
          DEPLOY_ROLE,
          '--context-entries',
          'ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=false,ContextKeyType=boolean',
        ])
      ).stdout,
    );
    expect(simulated.EvaluationResults[0]).toMatchObject({
      EvalDecision: 'explicitDeny',
      PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
    });
    await cli(ADMIN_KEY, ['iam', 'delete-user-permissions-boundary', '--user-name', 'dave']);
    await cli(ADMIN_KEY, [
      'iam',
      'put-role-permissions-boundary',
      '--role-name',
      'ReadOnly',
      '--permissions-boundary',
      REQUIRE_MFA,
    ]);
    const role = JSON.parse((await cli(ADMIN_KEY, ['iam', 'get-role', '--role-name', 'ReadOnly'])).stdout);
    expect(role.Role.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: REQUIRE_MFA,
    });
    await cli(ADMIN_KEY, ['iam', 'delete-role-permissions-boundary', '--role-name', 'ReadOnly']);
    const cleared = JSON.parse((await cli(ADMIN_KEY, ['iam', 'get-role', '--role-name', 'ReadOnly'])).stdout);
    expect(cleared.Role.PermissionsBoundary).toBeUndefined();
    expect(await cliFailure(ADMIN_KEY, ['iam', 'delete-user', '--user-name', 'ci-bot'])).toBe('no error');
  });

  it('boto3 sees the boundary, the refusal and the simulation', async () => {
    requireTool(PYTHON, 'python3-boto3');
    const script = `
import boto3, json, os, botocore
endpoint = os.environ['ENDPOINT']
iam = boto3.client('iam', endpoint_url=endpoint)
iam.put_user_permissions_boundary(UserName='dave', PermissionsBoundary='${REQUIRE_MFA}')
user = iam.get_user(UserName='dave')['User']
result = iam.simulate_principal_policy(PolicySourceArn='${DAVE_ARN}', ActionNames=['sts:AssumeRole'],
  ResourceArns=['${DEPLOY_ROLE}'], ContextEntries=[{'ContextKeyName': 'aws:MultiFactorAuthPresent',
  'ContextKeyValues': ['false'], 'ContextKeyType': 'boolean'}])['EvaluationResults'][0]
sts = boto3.client('sts', endpoint_url=endpoint, aws_access_key_id='${daveKey().accessKeyId}',
  aws_secret_access_key='${daveKey().secretAccessKey}')
try:
  sts.assume_role(RoleArn='${DEPLOY_ROLE}', RoleSessionName='dave')
  refused = None
except botocore.exceptions.ClientError as e:
  refused = [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']]
iam.delete_user_permissions_boundary(UserName='dave')
print(json.dumps({'boundary': user.get('PermissionsBoundary'), 'decision': result['EvalDecision'],
  'detail': result.get('PermissionsBoundaryDecisionDetail'), 'refused': refused}))
`;
    const { stdout } = await run(PYTHON, ['-c', script], { env: env(ADMIN_KEY) });
    expect(JSON.parse(stdout)).toEqual({
      boundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: REQUIRE_MFA },
      decision: 'explicitDeny',
      detail: { AllowedByPermissionsBoundary: false },
      refused: ['AccessDenied', 403],
    });
  });
});
