import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  GetAccountAuthorizationDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  IAMClient,
  ListMFADevicesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
  paginateGetAccountAuthorizationDetails,
  SimulateCustomPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import demo from '../../demo-state.json' with { type: 'json' };
import { failureOf, requireTool } from '../../test/emulator-harness.ts';
import { type RunningEmulator, startEmulator } from '../server.ts';
import type { StateFile } from '../state/state-file.ts';

const run = promisify(execFile);
const ACCOUNT = '111111111111';
const AWS_CLI_V2 = '/usr/bin/aws';
const PYTHON = '/usr/bin/python3';
const FIDO_SERIAL = `arn:aws:iam::${ACCOUNT}:u2f/user/gina/key-1`;

/** The demo organisation plus an IAM admin who may simulate, and gina, whose only MFA device is a FIDO security key. */
function organisation(): StateFile {
  const state = structuredClone(demo) as unknown as StateFile;
  state.users.push({
    account: ACCOUNT,
    name: 'gina',
    groups: ['developers'],
    accessKeys: [
      {
        id: 'AKIAGINA000000000001',
        secret: 'gina/Secret+Key'.padEnd(40, 'x'),
        status: 'Active',
        created: '2026-01-01T00:00:00Z',
      },
    ],
    mfaDevices: [{ serial: FIDO_SERIAL, type: 'fido', enabledAt: '2026-02-01T00:00:00Z' }],
  });
  state.users.push({
    account: ACCOUNT,
    name: 'iam-admin',
    accessKeys: [{ id: ADMIN.accessKeyId, secret: ADMIN.secretAccessKey, status: 'Active' }],
    inlinePolicies: [
      {
        name: 'Simulate',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Simulate*', Resource: '*' }] },
      },
    ],
  });
  return state;
}
const ADMIN = { accessKeyId: 'AKIAIAMADMIN00000001', secretAccessKey: 'iamAdmin/Secret+Key'.padEnd(40, 'x') };
const GINA = { accessKeyId: 'AKIAGINA000000000001', secretAccessKey: 'gina/Secret+Key'.padEnd(40, 'x') };

const portalKey = () => {
  const key = (demo as unknown as StateFile).users.find((u) => u.name === 'portal')!.accessKeys![0]!;
  return { accessKeyId: key.id, secretAccessKey: key.secret };
};

const isolatedEnv = () => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: '/nonexistent',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
});

let emulator: RunningEmulator;
let iam: IAMClient;
let admin: IAMClient;

beforeAll(async () => {
  emulator = await startEmulator({ state: organisation() });
  iam = new IAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials: portalKey(), maxAttempts: 1 });
  admin = new IAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials: ADMIN, maxAttempts: 1 });
});

afterAll(async () => {
  iam?.destroy();
  admin?.destroy();
  await emulator?.close();
});

describe('GetAccountAuthorizationDetails', () => {
  it('pages users, groups, roles and policies with Marker/MaxItems through the SDK paginator', async () => {
    const one = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }));
    expect(one.IsTruncated).toBe(false);
    expect(one.Marker).toBeUndefined();
    const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
    for await (const page of paginateGetAccountAuthorizationDetails({ client: iam, pageSize: 3 }, {})) pages.push(page);
    expect(pages.length).toBeGreaterThan(5);
    expect(pages.slice(0, -1).every((p) => p.IsTruncated && p.Marker)).toBe(true);
    const names = (list: Array<{ UserName?: string; GroupName?: string; RoleName?: string; PolicyName?: string }>) =>
      list.map((e) => e.UserName ?? e.GroupName ?? e.RoleName ?? e.PolicyName);
    const all = (key: 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies') =>
      pages.flatMap((p) => names(p[key] ?? []));
    expect(all('UserDetailList')).toEqual(names(one.UserDetailList!));
    expect(all('UserDetailList')).toEqual([
      'alice',
      'bob',
      'carol',
      'dave',
      'erin',
      'frank',
      'portal',
      'gina',
      'iam-admin',
    ]);
    expect(all('GroupDetailList')).toEqual(['developers', 'portal-admins', 'ops']);
    expect(all('RoleDetailList')).toEqual(names(one.RoleDetailList!));
    expect(all('Policies')).toEqual(names(one.Policies!));
    // Each page holds at most MaxItems entities of all kinds together.
    for (const p of pages) {
      const count = [p.UserDetailList, p.GroupDetailList, p.RoleDetailList, p.Policies].reduce(
        (n, l) => n + (l?.length ?? 0),
        0,
      );
      expect(count).toBeLessThanOrEqual(3);
    }
  });

  it('describes a user with groups, attached and inline policies, and policies with URL-encoded versions', async () => {
    const out = await iam.send(
      new GetAccountAuthorizationDetailsCommand({ Filter: ['User', 'Group', 'LocalManagedPolicy'], MaxItems: 1000 }),
    );
    expect(out.RoleDetailList).toEqual([]);
    const alice = out.UserDetailList!.find((u) => u.UserName === 'alice')!;
    expect(alice).toMatchObject({
      Arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      GroupList: ['developers'],
      AttachedManagedPolicies: [
        { PolicyName: 'ForceMFAAllowAssumeRole', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/ForceMFAAllowAssumeRole` },
      ],
    });
    const admins = out.GroupDetailList!.find((g) => g.GroupName === 'portal-admins')!;
    const inline = admins.GroupPolicyList![0]!;
    // IAM returns documents URL-encoded; the SDK hands them over as they came.
    expect(inline.PolicyDocument).toMatch(/^%7B/);
    const state = organisation();
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument!))).toEqual(
      state.groups!.find((g) => g.name === 'portal-admins')!.inlinePolicies![0]!.document,
    );
    const forceMfa = out.Policies!.find((p) => p.PolicyName === 'ForceMFA')!;
    expect(forceMfa).toMatchObject({ DefaultVersionId: 'v1', AttachmentCount: 1, IsAttachable: true });
    expect(forceMfa.PolicyVersionList).toHaveLength(1);
    expect(forceMfa.PolicyVersionList![0]!.IsDefaultVersion).toBe(true);
    expect(JSON.parse(decodeURIComponent(forceMfa.PolicyVersionList![0]!.Document!))).toEqual(
      state.policies!.find((p) => p.arn.endsWith('/ForceMFA'))!.document,
    );
  });

  it('refuses an unknown Filter value and callers without iam:GetAccountAuthorizationDetails', async () => {
    expect(
      await failureOf(iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Users' as 'User'] }))),
    ).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
    const gina = new IAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials: GINA, maxAttempts: 1 });
    expect(await failureOf(gina.send(new GetAccountAuthorizationDetailsCommand({})))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    gina.destroy();
  });
});

describe('SimulateCustomPolicy', () => {
  const forceMfa = JSON.stringify(
    (demo as unknown as StateFile).policies!.find((p) => p.arn.endsWith('/ForceMFA'))!.document,
  );
  const allowAll = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  const simulate = (policies: string[], mfa: 'true' | 'false', boundaries?: string[]) =>
    admin.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: policies,
        ...(boundaries ? { PermissionsBoundaryPolicyInputList: boundaries } : {}),
        ActionNames: ['s3:ListAllMyBuckets', 'ec2:DescribeInstances'],
        ContextEntries: [
          { ContextKeyName: 'aws:MultiFactorAuthPresent', ContextKeyValues: [mfa], ContextKeyType: 'boolean' },
        ],
      }),
    );

  it('evaluates the given documents with the context, naming the deciding input', async () => {
    const withoutMfa = await simulate([allowAll, forceMfa], 'false');
    expect(withoutMfa.EvaluationResults!.map((r) => r.EvalDecision)).toEqual(['explicitDeny', 'explicitDeny']);
    expect(withoutMfa.EvaluationResults![0]!.MatchedStatements).toEqual([
      { SourcePolicyId: 'PolicyInputList.2', SourcePolicyType: 'none' },
    ]);
    const withMfa = await simulate([allowAll, forceMfa], 'true');
    expect(withMfa.EvaluationResults!.map((r) => r.EvalDecision)).toEqual(['allowed', 'allowed']);
    const bounded = await simulate([allowAll], 'true', [
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
    ]);
    expect(bounded.EvaluationResults!.map((r) => r.EvalDecision)).toEqual(['allowed', 'implicitDeny']);
    // As SimulatePrincipalPolicy reports a user's boundary, so is the given one reported.
    expect(bounded.EvaluationResults!.map((r) => r.PermissionsBoundaryDecisionDetail)).toEqual([
      { AllowedByPermissionsBoundary: true },
      { AllowedByPermissionsBoundary: false },
    ]);
    expect(withMfa.EvaluationResults![0]!.PermissionsBoundaryDecisionDetail).toBeUndefined();
    // A Deny in the boundary wins over the policies' Allow.
    const deniedByBoundary = await simulate([allowAll], 'false', [forceMfa]);
    expect(deniedByBoundary.EvaluationResults!.map((r) => r.EvalDecision)).toEqual(['explicitDeny', 'explicitDeny']);
    expect(deniedByBoundary.EvaluationResults![0]!.MatchedStatements).toEqual([
      { SourcePolicyId: 'PermissionsBoundaryPolicyInputList.1', SourcePolicyType: 'none' },
    ]);
  });

  it('answers MalformedPolicyDocument for a document that is not JSON', async () => {
    expect(await failureOf(simulate(['{"Statement": ['], 'false'))).toMatchObject({
      // The SDK names the MalformedPolicyDocument code's exception so.
      name: 'MalformedPolicyDocumentException',
      status: 400,
    });
  });
});

describe('FIDO security keys', () => {
  it('are listed by ListMFADevices, not by ListVirtualMFADevices, and STS refuses them', async () => {
    const devices = await iam.send(new ListMFADevicesCommand({ UserName: 'gina' }));
    expect(devices.MFADevices!.map((d) => d.SerialNumber)).toEqual([FIDO_SERIAL]);
    const virtual = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }));
    expect(virtual.VirtualMFADevices!.map((d) => d.User?.UserName)).not.toContain('gina');
    const sts = new STSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: GINA, maxAttempts: 1 });
    expect(
      await failureOf(sts.send(new GetSessionTokenCommand({ SerialNumber: FIDO_SERIAL, TokenCode: '123456' }))),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    sts.destroy();
  });
});

describe('request-rate limit (token bucket per account)', () => {
  let limited: RunningEmulator;
  beforeAll(async () => {
    limited = await startEmulator({ state: organisation(), rateLimit: { requestsPerSecond: 2, burst: 3 } });
  });
  afterAll(async () => limited?.close());

  it('answers 400 Throttling "Rate exceeded" once the burst is spent, per account, to the SDK and boto3', async () => {
    requireTool(PYTHON, 'python3-boto3');
    const client = new IAMClient({
      endpoint: limited.url,
      region: 'us-east-1',
      credentials: portalKey(),
      maxAttempts: 1,
    });
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => failureOf(client.send(new ListUsersCommand({})))),
    );
    const refused = outcomes.filter((o) => o.name === 'Throttling');
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused[0]).toMatchObject({ message: 'Rate exceeded', status: 400 });
    expect(limited.throttledRequests()[ACCOUNT]).toBe(refused.length);
    client.destroy();

    // boto3 (no retries) sees the same refusal as a ClientError with the HTTP status.
    const script = `
import boto3, json, sys
from botocore.config import Config
iam = boto3.client('iam', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id=sys.argv[2],
                   aws_secret_access_key=sys.argv[3], config=Config(retries={'total_max_attempts': 1}))
seen = []
for _ in range(8):
    try:
        iam.list_users()
        seen.append('ok')
    except iam.exceptions.ClientError as e:
        seen.append([e.response['Error']['Code'], e.response['Error']['Message'], e.response['ResponseMetadata']['HTTPStatusCode']])
print(json.dumps(seen))
`;
    const { stdout } = await run(
      PYTHON,
      ['-c', script, limited.url, portalKey().accessKeyId, portalKey().secretAccessKey],
      {
        env: isolatedEnv(),
      },
    );
    const seen = JSON.parse(stdout) as Array<string | [string, string, number]>;
    expect(seen).toContainEqual(['Throttling', 'Rate exceeded', 400]);
  });
});

describe('through the AWS CLI v2 (/usr/bin/aws)', () => {
  it('get-account-authorization-details pages through every user by itself', { timeout: 60_000 }, async () => {
    requireTool(AWS_CLI_V2, 'awscli');
    const key = portalKey();
    const { stdout } = await run(
      AWS_CLI_V2,
      [
        '--endpoint-url',
        emulator.url,
        '--region',
        'us-east-1',
        '--output',
        'json',
        'iam',
        'get-account-authorization-details',
        '--filter',
        'User',
        '--page-size',
        '2',
      ],
      { env: { ...isolatedEnv(), AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } },
    );
    const out = JSON.parse(stdout) as { UserDetailList: Array<{ UserName: string; UserPolicyList?: unknown[] }> };
    expect(out.UserDetailList.map((u) => u.UserName)).toEqual([
      'alice',
      'bob',
      'carol',
      'dave',
      'erin',
      'frank',
      'portal',
      'gina',
      'iam-admin',
    ]);
  });
});
