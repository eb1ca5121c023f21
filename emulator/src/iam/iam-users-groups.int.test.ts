import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetGroupCommand,
  IAMClient,
  ListGroupsForUserCommand,
  paginateListGroups,
  RemoveUserFromGroupCommand,
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
const PYTHON = '/usr/bin/python3';

/** The demo organisation plus an IAM administrator, the identity an operator changes it with. */
const ADMIN_KEY = { accessKeyId: 'AKIAIAMADMIN00000001', secretAccessKey: 'iamAdmin/Secret+Key'.padEnd(40, 'x') };
function organisation(): StateFile {
  const state = structuredClone(demo) as unknown as StateFile;
  state.users.push({
    account: ACCOUNT,
    name: 'iam-admin',
    accessKeys: [
      {
        id: ADMIN_KEY.accessKeyId,
        secret: ADMIN_KEY.secretAccessKey,
        status: 'Active',
        created: '2026-01-01T00:00:00Z',
      },
    ],
    inlinePolicies: [
      {
        name: 'ManageUsersAndGroups',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
      },
    ],
  });
  return state;
}

const demoKey = (user: string) => {
  const key = (demo as unknown as StateFile).users.find((u) => u.name === user)!.accessKeys![0]!;
  return { accessKeyId: key.id, secretAccessKey: key.secret };
};

let workDir: string;
let statePath: string;
let emulator: RunningEmulator;
let admin: IAMClient;
let portal: IAMClient;

beforeAll(async () => {
  requireTool(AWS_CLI_V2, 'awscli');
  requireTool(PYTHON, 'python3-boto3');
  workDir = await mkdtemp(join(tmpdir(), 'iam-users-groups-'));
  statePath = join(workDir, 'state.json');
  await writeFile(statePath, JSON.stringify(organisation()));
  emulator = await startEmulator({ state: statePath, persistPath: statePath });
  const client = (credentials: typeof ADMIN_KEY) =>
    new IAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  admin = client(ADMIN_KEY);
  portal = client(demoKey('portal'));
});

afterAll(async () => {
  admin?.destroy();
  portal?.destroy();
  await emulator?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('users and groups through @aws-sdk/client-iam', () => {
  it('creates a user, adds and removes a group membership, refuses then allows deletion, and persists each step', async () => {
    const { User } = await admin.send(new CreateUserCommand({ UserName: 'sdk-user', Path: '/contractors/' }));
    expect(User).toMatchObject({ UserName: 'sdk-user', Arn: `arn:aws:iam::${ACCOUNT}:user/contractors/sdk-user` });
    await expect(admin.send(new CreateUserCommand({ UserName: 'SDK-USER' }))).rejects.toMatchObject({
      name: 'EntityAlreadyExistsException',
      message: 'User with name SDK-USER already exists.',
      $metadata: { httpStatusCode: 409 },
    });

    await admin.send(new AddUserToGroupCommand({ GroupName: 'portal-admins', UserName: 'sdk-user' }));
    const group = await admin.send(new GetGroupCommand({ GroupName: 'portal-admins' }));
    expect(group.Users?.map((u) => u.UserName)).toContain('sdk-user');
    expect((await loadStateFile(statePath)).users.find((u) => u.name === 'sdk-user')?.groups).toEqual([
      'portal-admins',
    ]);

    const key = await admin.send(new CreateAccessKeyCommand({ UserName: 'sdk-user' }));
    await expect(admin.send(new DeleteUserCommand({ UserName: 'sdk-user' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete access keys first.',
      $metadata: { httpStatusCode: 409 },
    });
    await admin.send(new DeleteAccessKeyCommand({ UserName: 'sdk-user', AccessKeyId: key.AccessKey!.AccessKeyId! }));
    await expect(admin.send(new DeleteUserCommand({ UserName: 'sdk-user' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must remove users from group first.',
    });

    await admin.send(new RemoveUserFromGroupCommand({ GroupName: 'portal-admins', UserName: 'sdk-user' }));
    expect((await admin.send(new ListGroupsForUserCommand({ UserName: 'sdk-user' }))).Groups).toEqual([]);
    await expect(
      admin.send(new RemoveUserFromGroupCommand({ GroupName: 'portal-admins', UserName: 'sdk-user' })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } });

    await admin.send(new DeleteUserCommand({ UserName: 'sdk-user' }));
    expect((await loadStateFile(statePath)).users.some((u) => u.name === 'sdk-user')).toBe(false);
  });

  it('lists groups across pages with the SDK paginator', async () => {
    const names: string[] = [];
    for await (const page of paginateListGroups({ client: admin, pageSize: 1 }, {}))
      names.push(...(page.Groups ?? []).map((g) => g.GroupName!));
    expect(names).toEqual(['developers', 'ops', 'portal-admins']);
  });

  it('authorizes through the caller policies: the portal identity may not change the organisation', async () => {
    await expect(admin.send(new AddUserToGroupCommand({ GroupName: 'nobody', UserName: 'bob' }))).rejects.toMatchObject(
      { name: 'NoSuchEntityException', message: 'The group with name nobody cannot be found.' },
    );
    await expect(
      portal.send(new RemoveUserFromGroupCommand({ GroupName: 'portal-admins', UserName: 'carol' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/portal is not authorized to perform: iam:RemoveUserFromGroup on resource: arn:aws:iam::${ACCOUNT}:group/portal-admins`,
      $metadata: { httpStatusCode: 403 },
    });
    await expect(portal.send(new CreateUserCommand({ UserName: 'intruder' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });
});

function isolatedEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: workDir,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_ACCESS_KEY_ID: ADMIN_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ADMIN_KEY.secretAccessKey,
    AWS_PAGER: '',
  };
}

type CliResult = { ok: true; json: Record<string, unknown> } | { ok: false; stderr: string };

async function aws(...args: string[]): Promise<CliResult> {
  try {
    const { stdout } = await run(AWS_CLI_V2, ['iam', ...args, '--endpoint-url', emulator.url, '--output', 'json'], {
      env: isolatedEnv(),
    });
    return { ok: true, json: stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>) };
  } catch (error) {
    return { ok: false, stderr: ((error as { stderr?: string }).stderr ?? '').trim() };
  }
}

describe('users and groups through the AWS CLI v2 (/usr/bin/aws)', () => {
  // Five rounds of CLI runs, each ~1 s of Python start-up, several s on a loaded machine.
  it('create-user, add-user-to-group, list-groups, remove-user-from-group, delete-user', {
    timeout: 90_000,
  }, async () => {
    const created = await aws('create-user', '--user-name', 'cli-user', '--tags', 'Key=team,Value=ops');
    expect(created.ok && created.json.User).toMatchObject({
      UserName: 'cli-user',
      Tags: [{ Key: 'team', Value: 'ops' }],
    });
    expect(await aws('add-user-to-group', '--group-name', 'ops', '--user-name', 'cli-user')).toEqual({
      ok: true,
      json: {},
    });
    const [groups, listed, conflict] = await Promise.all([
      aws('list-groups', '--page-size', '1'),
      aws('list-groups-for-user', '--user-name', 'cli-user'),
      aws('delete-user', '--user-name', 'cli-user'),
    ]);
    expect(groups.ok && (groups.json.Groups as Array<{ GroupName: string }>).map((g) => g.GroupName)).toEqual([
      'developers',
      'ops',
      'portal-admins',
    ]);
    expect(listed.ok && (listed.json.Groups as Array<{ GroupName: string }>).map((g) => g.GroupName)).toEqual(['ops']);
    expect(conflict).toEqual({
      ok: false,
      stderr: expect.stringMatching(
        /^An error occurred \(DeleteConflict\) when calling the DeleteUser operation(?: \(reached max retries: \d+\))?: Cannot delete entity, must remove users from group first\.$/,
      ),
    });
    expect(await aws('remove-user-from-group', '--group-name', 'ops', '--user-name', 'cli-user')).toEqual({
      ok: true,
      json: {},
    });
    expect(await aws('delete-user', '--user-name', 'cli-user')).toEqual({ ok: true, json: {} });
  });
});

describe('users and groups through boto3', () => {
  it('runs the same lifecycle and reads the modelled errors', async () => {
    const script = `
import boto3, json, sys
iam = boto3.client('iam', endpoint_url=sys.argv[1], region_name='us-east-1',
                   aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
out = {}
out['created'] = iam.create_user(UserName='boto-user', Path='/py/')['User']['Arn']
try:
    iam.create_user(UserName='boto-user')
except iam.exceptions.EntityAlreadyExistsException as e:
    out['exists'] = e.response['Error']['Code']
iam.add_user_to_group(GroupName='developers', UserName='boto-user')
out['members'] = [u['UserName'] for u in iam.get_group(GroupName='developers')['Users']]
try:
    iam.delete_user(UserName='boto-user')
except iam.exceptions.DeleteConflictException as e:
    out['conflict'] = e.response['Error']['Message']
iam.remove_user_from_group(GroupName='developers', UserName='boto-user')
iam.delete_user(UserName='boto-user')
try:
    iam.delete_user(UserName='boto-user')
except iam.exceptions.NoSuchEntityException as e:
    out['gone'] = e.response['Error']['Message']
pages = iam.get_paginator('list_groups').paginate(PaginationConfig={'PageSize': 2})
out['groups'] = [g['GroupName'] for page in pages for g in page['Groups']]
print(json.dumps(out))
`;
    const { stdout } = await run(
      PYTHON,
      ['-c', script, emulator.url, ADMIN_KEY.accessKeyId, ADMIN_KEY.secretAccessKey],
      {
        env: isolatedEnv(),
      },
    );
    expect(JSON.parse(stdout)).toEqual({
      created: `arn:aws:iam::${ACCOUNT}:user/py/boto-user`,
      exists: 'EntityAlreadyExists',
      members: expect.arrayContaining(['alice', 'boto-user']),
      conflict: 'Cannot delete entity, must remove users from group first.',
      gone: 'The user with name boto-user cannot be found.',
      groups: ['developers', 'ops', 'portal-admins'],
    });
  });
});
