import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  DetachGroupPolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  paginateListEntitiesForPolicy,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import demo from '../../demo-state.json' with { type: 'json' };
import { requireTool } from '../../test/emulator-harness.ts';
import { type RunningEmulator, startEmulator } from '../server.ts';
import { loadStateFile } from '../state/load-state.ts';
import type { StateFile } from '../state/state-file.ts';

const run = promisify(execFile);
const ACCOUNT = '111111111111';
const AWS_CLI_V2 = '/usr/bin/aws';
const ADMIN_KEY = { accessKeyId: 'AKIAIAMADMIN00000002', secretAccessKey: 'iamAdmin/Secret+Key2'.padEnd(40, 'x') };
const DENY_WITHOUT_MFA = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyAllExceptListedIfNoMFA',
      Effect: 'Deny',
      NotAction: ['iam:ListMFADevices', 'sts:GetSessionToken'],
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ],
};

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
  return state;
}

let workDir: string;
let statePath: string;
let emulator: RunningEmulator;
let admin: IAMClient;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'managed-policies-'));
  statePath = join(workDir, 'state.json');
  await writeFile(statePath, JSON.stringify(organisation()));
  emulator = await startEmulator({ state: statePath, persistPath: statePath });
  admin = new IAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials: ADMIN_KEY, maxAttempts: 1 });
});

afterAll(async () => {
  admin?.destroy();
  await emulator?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const keysWorkWithoutMfa = async (user: string) => {
  const answer = await admin.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
      ActionNames: ['s3:ListAllMyBuckets'],
      ContextEntries: [
        { ContextKeyName: 'aws:MultiFactorAuthPresent', ContextKeyType: 'boolean', ContextKeyValues: ['false'] },
      ],
    }),
  );
  return answer.EvaluationResults?.[0]?.EvalDecision;
};

describe('customer-managed policies through @aws-sdk/client-iam', () => {
  it('creates a policy once, reads it and its version, attaches it to a user and a group, and the simulation sees it', async () => {
    const created = await admin.send(
      new CreatePolicyCommand({
        PolicyName: 'TestForceMfa',
        Path: '/portal/',
        PolicyDocument: JSON.stringify(DENY_WITHOUT_MFA),
        Description: 'deny without MFA',
      }),
    );
    const arn = `arn:aws:iam::${ACCOUNT}:policy/portal/TestForceMfa`;
    expect(created.Policy).toMatchObject({
      PolicyName: 'TestForceMfa',
      Arn: arn,
      Path: '/portal/',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      IsAttachable: true,
    });
    expect(created.Policy?.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    await expect(
      admin.send(
        new CreatePolicyCommand({ PolicyName: 'testforcemfa', PolicyDocument: JSON.stringify(DENY_WITHOUT_MFA) }),
      ),
    ).rejects.toMatchObject({
      name: 'EntityAlreadyExistsException',
      message: 'A policy called testforcemfa already exists. Duplicate names are not allowed.',
      $metadata: { httpStatusCode: 409 },
    });
    await expect(
      admin.send(new CreatePolicyCommand({ PolicyName: 'Broken', PolicyDocument: '{"Statement": [' })),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException', $metadata: { httpStatusCode: 400 } });
    const big = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(6200) }],
    };
    await expect(
      admin.send(new CreatePolicyCommand({ PolicyName: 'TooBig', PolicyDocument: JSON.stringify(big) })),
    ).rejects.toMatchObject({ name: 'LimitExceededException', message: 'Cannot exceed quota for PolicySize: 6144' });

    const got = await admin.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(got.Policy).toMatchObject({ Description: 'deny without MFA', PolicyId: created.Policy?.PolicyId });
    const version = await admin.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!))).toEqual(DENY_WITHOUT_MFA);
    expect(version.PolicyVersion?.IsDefaultVersion).toBe(true);
    await expect(admin.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    await expect(
      admin.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/Nope` })),
    ).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: `Policy arn:aws:iam::${ACCOUNT}:policy/Nope does not exist or is not attachable.`,
    });

    expect(await keysWorkWithoutMfa('bob')).toBe('allowed');
    await admin.send(new AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: arn }));
    await admin.send(new AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: arn })); // idempotent
    expect(await keysWorkWithoutMfa('bob')).not.toBe('allowed');
    await admin.send(new AttachGroupPolicyCommand({ GroupName: 'developers', PolicyArn: arn }));
    expect((await admin.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount).toBe(2);
    expect((await loadStateFile(statePath)).users.find((u) => u.name === 'bob')?.attachedPolicies).toEqual([arn]);

    const seen: string[] = [];
    for await (const page of paginateListEntitiesForPolicy({ client: admin, pageSize: 1 }, { PolicyArn: arn })) {
      seen.push(...(page.PolicyGroups ?? []).map((g) => `group:${g.GroupName}`));
      seen.push(...(page.PolicyUsers ?? []).map((u) => `user:${u.UserName}`));
    }
    expect(seen).toEqual(['group:developers', 'user:bob']);

    await admin.send(new DetachUserPolicyCommand({ UserName: 'bob', PolicyArn: arn }));
    await expect(admin.send(new DetachUserPolicyCommand({ UserName: 'bob', PolicyArn: arn }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: `Policy ${arn} was not found.`,
    });
    await admin.send(new DetachGroupPolicyCommand({ GroupName: 'developers', PolicyArn: arn }));
    await expect(admin.send(new AttachUserPolicyCommand({ UserName: 'nobody', PolicyArn: arn }))).rejects.toMatchObject(
      { name: 'NoSuchEntityException', message: 'The user with name nobody cannot be found.' },
    );
  });

  it('refuses an eleventh policy on one user (PoliciesPerUser quota)', async () => {
    for (let i = 0; i < 10; i++) {
      const { Policy } = await admin.send(
        new CreatePolicyCommand({ PolicyName: `Quota${i}`, PolicyDocument: JSON.stringify(DENY_WITHOUT_MFA) }),
      );
      await admin.send(new AttachUserPolicyCommand({ UserName: 'dave', PolicyArn: Policy!.Arn! }));
    }
    const { Policy } = await admin.send(
      new CreatePolicyCommand({ PolicyName: 'Quota10', PolicyDocument: JSON.stringify(DENY_WITHOUT_MFA) }),
    );
    await expect(
      admin.send(new AttachUserPolicyCommand({ UserName: 'dave', PolicyArn: Policy!.Arn! })),
    ).rejects.toMatchObject({ name: 'LimitExceededException', message: 'Cannot exceed quota for PoliciesPerUser: 10' });
  });

  it('the portal identity may not create policies (authorized like AWS)', async () => {
    const key = (demo as unknown as StateFile).users.find((u) => u.name === 'portal')!.accessKeys![0]!;
    const portal = new IAMClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: key.id, secretAccessKey: key.secret },
      maxAttempts: 1,
    });
    await expect(
      portal.send(new CreatePolicyCommand({ PolicyName: 'Sneaky', PolicyDocument: JSON.stringify(DENY_WITHOUT_MFA) })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    portal.destroy();
  });
});

describe('customer-managed policies through the AWS CLI v2', () => {
  it('create-policy, attach-group-policy, list-entities-for-policy and get-policy-version', async () => {
    const cli = requireTool(AWS_CLI_V2, 'awscli');
    const env = {
      PATH: '/usr/bin:/bin',
      HOME: workDir,
      AWS_ACCESS_KEY_ID: ADMIN_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ADMIN_KEY.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
    };
    const aws = async (...args: string[]) =>
      JSON.parse(
        (await run(cli, ['--endpoint-url', emulator.url, '--output', 'json', 'iam', ...args], { env })).stdout,
      );
    const created = await aws(
      'create-policy',
      '--policy-name',
      'CliForceMfa',
      '--policy-document',
      JSON.stringify(DENY_WITHOUT_MFA),
    );
    const arn = created.Policy.Arn as string;
    expect(arn).toBe(`arn:aws:iam::${ACCOUNT}:policy/CliForceMfa`);
    await run(
      cli,
      ['--endpoint-url', emulator.url, 'iam', 'attach-group-policy', '--group-name', 'ops', '--policy-arn', arn],
      { env },
    );
    const entities = await aws('list-entities-for-policy', '--policy-arn', arn);
    expect(entities.PolicyGroups).toEqual([{ GroupName: 'ops', GroupId: expect.stringMatching(/^AGPA/) }]);
    const version = await aws('get-policy-version', '--policy-arn', arn, '--version-id', 'v1');
    // The CLI decodes the URL-encoded document into JSON, as it does against AWS.
    expect(version.PolicyVersion.Document).toEqual(DENY_WITHOUT_MFA);
  });
});
