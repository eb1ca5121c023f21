import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../test/emulator-harness.ts';
import { ACCOUNT, fixtureState, KEYS } from '../../test/fixture-state.ts';
import { type RunningEmulator, startEmulator } from '../server.ts';
import { codeAtStep, timeStepAt } from '../totp.ts';
import { loadStateFile } from './load-state.ts';
import type { StateFile } from './state-file.ts';

const AWS_CLI = '/usr/bin/aws';
const run = promisify(execFile);

/** An IAM administrator's key: the identity the organisation is changed with. */
const ADMIN_KEY = { accessKeyId: 'AKIAIAMADMIN00000001', secretAccessKey: 'iamAdmin/Secret+Key'.padEnd(40, 'x') };
const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/ListRolesAnywhere`;

function organisation(): StateFile {
  const state = fixtureState();
  state.users.push({
    account: ACCOUNT,
    name: 'iam-admin',
    accessKeys: [{ id: ADMIN_KEY.accessKeyId, secret: ADMIN_KEY.secretAccessKey, status: 'Active' }],
    inlinePolicies: [
      {
        name: 'ChangeTheOrganisation',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
      },
    ],
  });
  return state;
}

/** The portal's revocation policy: deny carol's role sessions issued before the cut-off. */
const revokeCarol = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'RevokedSessions',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        StringEqualsIgnoreCase: { 'aws:SourceIdentity': ['carol'] },
        DateLessThan: { 'aws:TokenIssueTime': '2099-01-01T00:00:00Z' },
      },
    },
  ],
};
const listRoles = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['iam:ListRoles', 'iam:GetRole'], Resource: '*' }],
};
const noOwnMfaListing = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 'iam:ListMFADevices', Resource: '*' }],
};

let workDir: string;
let statePath: string;
let emulator: RunningEmulator;
let clock = Date.now();
const now = () => new Date(clock);
const start = async () => {
  emulator = await startEmulator({ state: statePath, persistPath: statePath, now, logError: () => {} });
};

beforeAll(async () => {
  requireTool(AWS_CLI, 'awscli');
  workDir = await mkdtemp(join(tmpdir(), 'persisted-state-'));
  statePath = join(workDir, 'state.json');
  await writeFile(statePath, JSON.stringify(organisation()));
  await start();
});

afterAll(async () => {
  await emulator?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** The AWS CLI v2 against the running emulator, as `keys`; resolves with its parsed output. */
async function cli(keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, args: string[]) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    ...(keys.sessionToken ? { AWS_SESSION_TOKEN: keys.sessionToken } : {}),
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
  };
  const { stdout } = await run(AWS_CLI, [...args, '--endpoint-url', emulator.url, '--output', 'json'], { env });
  return stdout.trim() === '' ? null : (JSON.parse(stdout) as Record<string, unknown>);
}

/** The CLI's error code for a call that must fail (`AccessDenied`, ...). */
async function cliFailure(keys: Parameters<typeof cli>[0], args: string[]): Promise<string> {
  try {
    await cli(keys, args);
  } catch (error) {
    return /An error occurred \((\w+)\)/.exec((error as { stderr: string }).stderr)?.[1] ?? 'unrecognised error';
  }
  return 'no error';
}

/**
 * What the organisation's policies and devices look like: the inline policies to the AWS CLI v2,
 * the managed policy, attachments and devices to the SDK.
 */
async function readBack() {
  const as = ADMIN_KEY;
  const iam = new IAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials: as, maxAttempts: 1 });
  const answers = {
    openPolicies: await cli(as, ['iam', 'list-role-policies', '--role-name', 'Open']),
    revoked: await cli(as, ['iam', 'get-role-policy', '--role-name', 'Open', '--policy-name', 'revoked']),
    list: await cli(as, ['iam', 'get-role-policy', '--role-name', 'Open', '--policy-name', 'list-roles']),
    bobPolicies: await cli(as, ['iam', 'list-user-policies', '--user-name', 'bob']),
    bobPolicy: await cli(as, ['iam', 'get-user-policy', '--user-name', 'bob', '--policy-name', 'no-mfa-listing']),
    managed: (await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }))).Policy,
    managedDocument: (await iam.send(new GetPolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: 'v1' })))
      .PolicyVersion,
    attachedToErin: (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'erin' }))).AttachedPolicies,
    entities: await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: POLICY_ARN })).then((r) => ({
      users: r.PolicyUsers,
      groups: r.PolicyGroups,
      roles: r.PolicyRoles,
    })),
    erinDevices: (await iam.send(new ListMFADevicesCommand({ UserName: 'erin' }))).MFADevices,
    unassigned: (await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' })))
      .VirtualMFADevices,
  };
  iam.destroy();
  return answers;
}

async function assumeOpen(keys: Parameters<typeof cli>[0], sourceIdentity: string) {
  const answer = await cli(keys, [
    'sts',
    'assume-role',
    '--role-arn',
    `arn:aws:iam::${ACCOUNT}:role/Open`,
    '--role-session-name',
    sourceIdentity,
    '--source-identity',
    sourceIdentity,
  ]);
  const credentials = answer!.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
  };
}

describe('--persist keeps policies, attachments and MFA devices across a restart', () => {
  // The AWS CLI takes about a second per call here.
  it('answers GetRolePolicy, ListRolePolicies, GetUserPolicy and the rest the same, and the denies still apply', {
    timeout: 120_000,
  }, async () => {
    const document = (policy: object) => JSON.stringify(policy);
    // Inline policies through the AWS CLI v2.
    await cli(ADMIN_KEY, [
      'iam',
      'put-role-policy',
      '--role-name',
      'Open',
      '--policy-name',
      'list-roles',
      '--policy-document',
      document(listRoles),
    ]);
    await cli(ADMIN_KEY, [
      'iam',
      'put-role-policy',
      '--role-name',
      'Open',
      '--policy-name',
      'revoked',
      '--policy-document',
      document(revokeCarol),
    ]);
    await cli(ADMIN_KEY, [
      'iam',
      'put-user-policy',
      '--user-name',
      'bob',
      '--policy-name',
      'no-mfa-listing',
      '--policy-document',
      document(noOwnMfaListing),
    ]);
    // A managed policy, two attachments and two virtual devices (one enabled) through the SDK.
    const admin = new IAMClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      credentials: ADMIN_KEY,
      maxAttempts: 1,
    });
    await admin.send(new CreatePolicyCommand({ PolicyName: 'ListRolesAnywhere', PolicyDocument: document(listRoles) }));
    await admin.send(new AttachUserPolicyCommand({ UserName: 'erin', PolicyArn: POLICY_ARN }));
    await admin.send(new AttachGroupPolicyCommand({ GroupName: 'developers', PolicyArn: POLICY_ARN }));
    await admin.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'spare' }));
    const { VirtualMFADevice } = await admin.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'erin' }));
    const seed = Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('ascii');
    const step = timeStepAt(now());
    await admin.send(
      new EnableMFADeviceCommand({
        UserName: 'erin',
        SerialNumber: VirtualMFADevice!.SerialNumber!,
        AuthenticationCode1: codeAtStep(seed, step - 1),
        AuthenticationCode2: codeAtStep(seed, step),
      }),
    );
    admin.destroy();
    const before = await readBack();
    expect(before.openPolicies).toEqual({ PolicyNames: ['chain', 'list-roles', 'revoked'] });
    expect(before.revoked).toMatchObject({ PolicyDocument: revokeCarol });
    expect(before.entities).toMatchObject({ users: [{ UserName: 'erin' }], groups: [{ GroupName: 'developers' }] });
    expect(before.erinDevices).toHaveLength(1);
    expect(before.unassigned?.map((d) => d.SerialNumber)).toEqual([`arn:aws:iam::${ACCOUNT}:mfa/spare`]);

    // Restart from the file: it is a valid state file, and the new emulator answers the same.
    await emulator.close();
    const persisted = await loadStateFile(statePath);
    expect(persisted.roles!.find((r) => r.name === 'Open')!.inlinePolicies!.map((p) => p.name)).toEqual([
      'chain',
      'list-roles',
      'revoked',
    ]);
    await start();
    expect(await readBack()).toEqual(before);

    // The policies are enforced by the restarted emulator: carol's sessions are revoked, bob's work.
    const carolSession = await assumeOpen(KEYS.carol, 'carol');
    const bobSession = await assumeOpen(KEYS.bob, 'bob');
    expect(await cliFailure(carolSession, ['iam', 'list-roles'])).toBe('AccessDenied');
    expect(await cli(bobSession, ['iam', 'list-roles'])).toHaveProperty('Roles');
    // bob's user policy still denies him his MFA listing (his group allows it); GetUser still works.
    expect(await cliFailure(KEYS.bob, ['iam', 'list-mfa-devices'])).toBe('AccessDenied');
    expect(await cli(KEYS.bob, ['iam', 'get-user'])).toHaveProperty('User.UserName', 'bob');
    // erin's attached policy still allows her ListRoles, and her device's seed still signs her in.
    expect(await cli(KEYS.erin, ['iam', 'list-roles'])).toHaveProperty('Roles');
    clock += 30_000;
    const sts = new STSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: KEYS.erin, maxAttempts: 1 });
    const session = await sts.send(
      new GetSessionTokenCommand({
        SerialNumber: VirtualMFADevice!.SerialNumber!,
        TokenCode: codeAtStep(seed, timeStepAt(now())),
      }),
    );
    sts.destroy();
    expect(session.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });
});
