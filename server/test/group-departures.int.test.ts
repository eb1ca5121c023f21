import { IAMClient, ListAccessKeysCommand, ListRolesCommand, RemoveUserFromGroupCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateFile } from '../../emulator/src/state/state-file.ts';
import { createDepartures } from '../src/services/revocation/departures.ts';
import { type SignedIn, scanNow, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { ACCOUNT, type PortalHarness } from './portal-harness.ts';
import { revocationState } from './revocation-fixtures.ts';
import { testDatabaseUrls } from './test-databases.ts';

/** An IAM administrator: the identity that changes group memberships outside the portal. */
const ADMIN_KEY = { accessKeyId: 'AKIAIAMADMIN00000001', secretAccessKey: 'iamAdmin/Secret+Key'.padEnd(40, 'x') };

/**
 * The revocation organisation (alice, bob and frank in developers, carol in portal-admins, erin in
 * ops, which grants nothing), an IAM administrator, and a Deploy role that may list roles, so a
 * working Deploy session has something to show.
 */
function groupState(): StateFile {
  const state = revocationState();
  state.users.push({
    account: ACCOUNT,
    name: 'iam-admin',
    accessKeys: [{ id: ADMIN_KEY.accessKeyId, secret: ADMIN_KEY.secretAccessKey, status: 'Active' }],
    inlinePolicies: [
      {
        name: 'ManageUsersAndGroups',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
      },
    ],
  });
  state
    .roles!.find((r) => r.name === 'Deploy')!
    .inlinePolicies!.push({
      name: 'ListRoles',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }] },
    });
  return state;
}

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

describe.each(testDatabaseUrls())('offboarding when a scan finds a user in no granting group ($name)', (provider) => {
  const harness = useEnrolledPortal(provider, {
    state: groupState(),
    env: { REVOCATION_ROLE_NAME: 'AwsMfaPortalRevocation' },
  });
  let portal: PortalHarness;
  let admin: IAMClient;
  const iam = (keys: Keys) =>
    new IAMClient({ endpoint: portal.emulator.url, region: 'us-east-1', credentials: keys, maxAttempts: 1 });

  beforeAll(async () => {
    portal = harness();
    admin = iam(ADMIN_KEY);
    const { custody, catalog } = portal.app.services;
    await custody.enroll('bob');
    // Only group grants at first (deploy: developers, admin: portal-admins); the '*' roles come later.
    await catalog.remove('readonly');
    await catalog.remove('partner');
  });
  afterAll(() => admin?.destroy());

  async function deployCredentials(userName: string): Promise<Keys> {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName, code: portal.nextCode(userName), role: 'deploy', format: 'json' },
    });
    expect(response.statusCode, response.body).toBe(200);
    const { accessKeyId, secretAccessKey, sessionToken } = response.json() as Required<Keys>;
    return { accessKeyId, secretAccessKey, sessionToken };
  }

  const removeFromGroup = (UserName: string, GroupName: string) =>
    admin.send(new RemoveUserFromGroupCommand({ UserName, GroupName }));

  /** The audit rows about `userName` (the metadata names them), counted by action. */
  async function auditCounts(userName: string): Promise<Record<string, number>> {
    const rows = await portal.database.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    const counts: Record<string, number> = {};
    for (const row of rows)
      if ((row.metadata as Record<string, unknown> | null)?.userName === userName)
        counts[row.action] = (counts[row.action] ?? 0) + 1;
    return counts;
  }

  const portalIam = () => {
    const key = portal.state.users.find((u) => u.name === 'portal')!.accessKeys![0]!;
    return iam({ accessKeyId: key.id, secretAccessKey: key.secret });
  };

  let alice: { keys: Keys; browser: SignedIn; portalKeyId: string };
  let bob: { keys: Keys; browser: SignedIn };

  it('offboards alice, removed from developers, once; bob, still a member, and erin, never granted by a group, keep everything', async () => {
    const { custody, departures } = portal.app.services;
    alice = {
      keys: await deployCredentials('alice'),
      browser: await signIn(portal, 'alice'),
      portalKeyId: (await custody.find('alice'))!.accessKeyId,
    };
    bob = { keys: await deployCredentials('bob'), browser: await signIn(portal, 'bob') };
    await iam(alice.keys).send(new ListRolesCommand({}));

    await scanNow(portal);
    expect(await departures.offboardDeparted()).toEqual([]);
    await removeFromGroup('alice', 'developers');
    await scanNow(portal);
    const results = await departures.offboardDeparted();
    expect(results).toEqual([expect.objectContaining({ userName: 'alice', status: 'done' })]);

    // Portal sessions ended, AWS sessions revoked, the portal-held key gone from IAM and the portal.
    const { prisma } = portal.database;
    expect(await custody.find('alice')).toBeNull();
    expect(await prisma.mfaSession.count({ where: { userName: 'alice', revokedAt: null } })).toBe(0);
    const me = (cookie: string) => portal.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    expect((await me(alice.browser.cookie)).statusCode).toBe(401);
    await expect(iam(alice.keys).send(new ListRolesCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    const keys = await portalIam().send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(keys.AccessKeyMetadata?.map((k) => k.AccessKeyId)).not.toContain(alice.portalKeyId);
    // Her own MFA device is hers still: never the optional steps.
    expect(portal.emulator.store.findUser(ACCOUNT, 'alice')!.mfaDevices).toHaveLength(1);

    expect(await auditCounts('alice')).toMatchObject({
      'offboarding.start': 1,
      'offboarding.step': 1,
      'aws_sessions.revoke': 1,
      'aws_sessions.apply': 1,
      'custody.unenroll': 1,
      'offboarding.complete': 1,
    });
    const started = await prisma.auditEvent.findFirst({ where: { action: 'offboarding.start' } });
    expect(started).toMatchObject({
      actor: 'system',
      metadata: {
        userName: 'alice',
        reason: 'left_granting_groups',
        groupsLeft: 'developers',
        deactivateOtherKeys: false,
        deactivateMfaDevices: false,
      },
    });

    // bob stayed in developers, erin's ops grants nothing: both untouched.
    expect(await iam(bob.keys).send(new ListRolesCommand({}))).toHaveProperty('Roles');
    expect((await me(bob.browser.cookie)).statusCode).toBe(200);
    for (const userName of ['bob', 'erin', 'carol', 'frank']) {
      expect(await custody.find(userName), userName).not.toBeNull();
      expect(await auditCounts(userName), userName).not.toHaveProperty('offboarding.start');
    }
  });

  it('does not offboard carol, removed from portal-admins while a "*" role still gives her a role', async () => {
    const { custody, catalog, departures } = portal.app.services;
    await catalog.add({ alias: 'readonly', roleArn: `arn:aws:iam::${ACCOUNT}:role/ReadOnly`, users: ['*'] });
    await removeFromGroup('carol', 'portal-admins');
    await scanNow(portal);
    expect(await departures.offboardDeparted()).toEqual([]);
    expect(await custody.find('carol')).not.toBeNull();
    expect(await auditCounts('carol')).not.toHaveProperty('offboarding.start');
    expect(await portal.database.prisma.offboarding.count()).toBe(1);
  });

  it('offboards nobody again on later scans, and writes no audit row twice', async () => {
    const { departures } = portal.app.services;
    const { prisma } = portal.database;
    const lastSeq = async () => (await prisma.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))?.seq ?? 0;
    const before = await lastSeq();
    const aliceBefore = await auditCounts('alice');
    await scanNow(portal);
    expect(await departures.offboardDeparted()).toEqual([]);
    // Another instance (or this one after a restart) acting on the same scans changes nothing either.
    const services = portal.app.services;
    const fresh = createDepartures({
      compliance: services.compliance,
      catalog: services.catalog,
      custody: services.custody,
      offboarding: services.offboarding,
    });
    expect(await fresh.offboardDeparted()).toEqual([]);
    expect(await auditCounts('alice')).toEqual(aliceBefore);
    const after = await prisma.auditEvent.findMany({ where: { seq: { gt: before } } });
    expect(after.filter((r) => r.action.startsWith('offboarding.') || r.action.startsWith('aws_sessions.'))).toEqual(
      [],
    );
    expect(await prisma.offboarding.count()).toBe(1);
  });
});
