import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateAccessKeyCommand,
  CreateVirtualMFADeviceCommand,
  DeleteAccessKeyCommand,
  EnableMFADeviceCommand,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListRolesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
  paginateListUsers,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import demo from '../../demo-state.json' with { type: 'json' };
import { type RunningEmulator, startEmulator } from '../server.ts';
import type { StateFile } from '../state/state-file.ts';

const run = promisify(execFile);
const ACCOUNT = '111111111111';
const AWS_CLI_V2 = '/usr/bin/aws';
const HEADER_START = 'user,arn,user_creation_time,password_enabled,password_last_used';

const state = demo as unknown as StateFile;
const keyOf = (user: string) => {
  const key = state.users.find((u) => u.name === user)!.accessKeys![0]!;
  return { accessKeyId: key.id, secretAccessKey: key.secret };
};

let emulator: RunningEmulator;
let portal: IAMClient;
let dave: IAMClient;

const client = (user: string): IAMClient =>
  new IAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials: keyOf(user), maxAttempts: 1 });

beforeAll(async () => {
  emulator = await startEmulator({ state: structuredClone(state) });
  portal = client('portal');
  dave = client('dave');
});

afterAll(async () => {
  portal?.destroy();
  dave?.destroy();
  await emulator?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const codeAt = (seed: string, step: number): string => generateSync({ secret: seed, epoch: step * 30 });

describe('IAM through @aws-sdk/client-iam (signed as the demo portal identity)', () => {
  it('lists users across pages and reads one user with tags', async () => {
    const names: string[] = [];
    for await (const page of paginateListUsers({ client: portal, pageSize: 2 }, {}))
      names.push(...(page.Users ?? []).map((u) => u.UserName!));
    expect(names).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'portal']);
    const first = await portal.send(new ListUsersCommand({ MaxItems: 3 }));
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toBeTruthy();

    const { User } = await portal.send(new GetUserCommand({ UserName: 'alice' }));
    expect(User).toMatchObject({ UserName: 'alice', Arn: `arn:aws:iam::${ACCOUNT}:user/alice`, Path: '/' });
    expect(User?.PasswordLastUsed).toEqual(new Date('2026-11-20T08:47:00Z'));
    expect(User?.Tags).toContainEqual({ Key: 'team', Value: 'payments' });
    expect(User?.UserId).toMatch(/^AIDA/);
  });

  it('maps errors to the SDK exception classes', async () => {
    await expect(portal.send(new GetUserCommand({ UserName: 'mallory' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The user with name mallory cannot be found.',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(dave.send(new ListUsersCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/dave is not authorized to perform: iam:ListUsers on resource: *`,
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('reads groups and roles', async () => {
    const groups = await portal.send(new ListGroupsForUserCommand({ UserName: 'carol' }));
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['portal-admins']);
    const { Role } = await portal.send(new GetRoleCommand({ RoleName: 'Admin' }));
    expect(Role?.MaxSessionDuration).toBe(3600);
    const trust = JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!));
    expect(trust.Statement[0].Condition.NumericLessThan).toEqual({ 'aws:MultiFactorAuthAge': '3600' });
    const roles = await portal.send(new ListRolesCommand({}));
    expect(roles.Roles?.map((r) => r.RoleName)).toEqual(['Admin', 'Deploy', 'ReadOnly']);
  });

  it('creates, lists and deletes access keys, and enforces two per user', async () => {
    const created = await portal.send(new CreateAccessKeyCommand({ UserName: 'bob' }));
    expect(created.AccessKey?.AccessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(created.AccessKey?.SecretAccessKey).toHaveLength(40);
    await portal.send(new CreateAccessKeyCommand({ UserName: 'bob' }));
    await expect(portal.send(new CreateAccessKeyCommand({ UserName: 'bob' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
      $metadata: { httpStatusCode: 409 },
    });
    const listed = await portal.send(new ListAccessKeysCommand({ UserName: 'bob' }));
    expect(listed.AccessKeyMetadata).toHaveLength(2);
    for (const key of listed.AccessKeyMetadata ?? [])
      await portal.send(new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: key.AccessKeyId! }));
    expect((await portal.send(new ListAccessKeysCommand({ UserName: 'bob' }))).AccessKeyMetadata).toEqual([]);
  });

  it('enrols a virtual MFA device with two consecutive codes', async () => {
    const { VirtualMFADevice } = await portal.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'bob' }));
    const seed = Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('ascii');
    expect(seed).toMatch(/^[A-Z2-7]{32}$/);
    expect(Buffer.from(VirtualMFADevice!.QRCodePNG!).subarray(1, 4).toString('ascii')).toBe('PNG');
    const serial = VirtualMFADevice!.SerialNumber!;

    await expect(
      portal.send(
        new EnableMFADeviceCommand({
          UserName: 'bob',
          SerialNumber: serial,
          AuthenticationCode1: '123456',
          AuthenticationCode2: '654321',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAuthenticationCodeException', $metadata: { httpStatusCode: 403 } });

    const step = Math.floor(Date.now() / 30_000);
    await portal.send(
      new EnableMFADeviceCommand({
        UserName: 'bob',
        SerialNumber: serial,
        AuthenticationCode1: codeAt(seed, step - 1),
        AuthenticationCode2: codeAt(seed, step),
      }),
    );
    const devices = await portal.send(new ListMFADevicesCommand({ UserName: 'bob' }));
    expect(devices.MFADevices?.map((d) => d.SerialNumber)).toEqual([serial]);
    expect(devices.MFADevices?.[0]?.EnableDate).toBeInstanceOf(Date);
    const assigned = await portal.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }));
    expect(assigned.VirtualMFADevices?.find((d) => d.SerialNumber === serial)?.User?.UserName).toBe('bob');
  });

  it('runs the credential report lifecycle', async () => {
    expect((await portal.send(new GenerateCredentialReportCommand({}))).State).toBe('STARTED');
    await expect(portal.send(new GetCredentialReportCommand({}))).rejects.toMatchObject({
      name: 'CredentialReportNotReadyException',
      $metadata: { httpStatusCode: 404 },
    });
    await sleep(300);
    expect((await portal.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');
    const report = await portal.send(new GetCredentialReportCommand({}));
    expect(report.ReportFormat).toBe('text/csv');
    const lines = Buffer.from(report.Content!).toString('utf8').split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${HEADER_START}`));
    expect(lines[1]).toMatch(/^<root_account>,arn:aws:iam::111111111111:root,/);
  });

  it('simulates the force-MFA policies with aws:MultiFactorAuthPresent=false', async () => {
    const simulate = (user: string) =>
      portal.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
          ActionNames: ['s3:ListAllMyBuckets'],
          ContextEntries: [
            { ContextKeyName: 'aws:MultiFactorAuthPresent', ContextKeyValues: ['false'], ContextKeyType: 'boolean' },
          ],
        }),
      );
    const alice = await simulate('alice');
    expect(alice.EvaluationResults?.[0]).toMatchObject({
      EvalDecision: 'explicitDeny',
      MatchedStatements: [{ SourcePolicyId: 'ForceMFAAllowAssumeRole', SourcePolicyType: 'user-managed' }],
    });
    expect((await simulate('dave')).EvaluationResults?.[0]?.EvalDecision).toBe('allowed');
  });
});

describe('IAM through the AWS CLI v2 (/usr/bin/aws)', () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'iam-cli-'));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  async function aws(...args: string[]): Promise<Record<string, unknown>> {
    const key = keyOf('portal');
    const { stdout } = await run(AWS_CLI_V2, ['iam', ...args, '--endpoint-url', emulator.url, '--output', 'json'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: workDir,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: key.accessKeyId,
        AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
        AWS_PAGER: '',
      },
    });
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  }

  it('list-users paginates transparently', async () => {
    const result = await aws('list-users', '--page-size', '2');
    expect((result.Users as Array<{ UserName: string }>).map((u) => u.UserName)).toEqual([
      'alice',
      'bob',
      'carol',
      'dave',
      'erin',
      'frank',
      'portal',
    ]);
  });

  it('generate-credential-report and get-credential-report parse', async () => {
    let state = String((await aws('generate-credential-report')).State);
    for (let i = 0; state !== 'COMPLETE' && i < 20; i++) {
      await sleep(100);
      state = String((await aws('generate-credential-report')).State);
    }
    expect(state).toBe('COMPLETE');
    const report = await aws('get-credential-report');
    expect(report.ReportFormat).toBe('text/csv');
    const csv = Buffer.from(String(report.Content), 'base64').toString('utf8');
    const rows = csv.split('\n').map((line) => line.split(','));
    expect(rows[0]).toHaveLength(22);
    const bob = rows.find((row) => row[0] === 'bob');
    expect(bob?.[3]).toBe('true'); // password_enabled
    const dave = rows.find((row) => row[0] === 'dave');
    expect(dave?.slice(3, 9)).toEqual(['false', 'N/A', 'N/A', 'N/A', 'false', 'true']);
  });

  it('create-virtual-mfa-device --outfile writes the seed and the QR code', async () => {
    const seedFile = join(workDir, 'seed.txt');
    const created = await aws(
      'create-virtual-mfa-device',
      '--virtual-mfa-device-name',
      'cli-seed',
      '--outfile',
      seedFile,
      '--bootstrap-method',
      'Base32StringSeed',
    );
    expect((created.VirtualMFADevice as { SerialNumber: string }).SerialNumber).toBe(
      `arn:aws:iam::${ACCOUNT}:mfa/cli-seed`,
    );
    expect((await readFile(seedFile, 'ascii')).trim()).toMatch(/^[A-Z2-7]{32}$/);
    const pngFile = join(workDir, 'qr.png');
    await aws(
      'create-virtual-mfa-device',
      '--virtual-mfa-device-name',
      'cli-qr',
      '--outfile',
      pngFile,
      '--bootstrap-method',
      'QRCodePNG',
    );
    expect((await readFile(pngFile)).subarray(1, 4).toString('ascii')).toBe('PNG');
  });

  it('list-mfa-devices shows a hardware device', async () => {
    const result = await aws('list-mfa-devices', '--user-name', 'carol');
    expect(result.MFADevices).toEqual([
      { UserName: 'carol', SerialNumber: 'GAHT12345678', EnableDate: expect.stringMatching(/^2024-11-04T08:20:00/) },
    ]);
  });
});
