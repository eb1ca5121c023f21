import { IAMClient, ListAccessKeysCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AwsGateway } from '../src/aws/aws-gateway.ts';
import { parseDatabaseUrl } from '../src/db/database-url.ts';
import type { AuditService } from '../src/services/audit/audit-service.ts';
import { createComplianceRepository } from '../src/services/compliance/compliance-repository.ts';
import { createSnapshotUpdates } from '../src/services/compliance/snapshot-updates.ts';
import { createCustodyService } from '../src/services/custody/custody-service.ts';
import { createKeyRing } from '../src/services/custody/secret-box.ts';
import { createLeaseStore } from '../src/services/leases/lease-store.ts';
import { createAwsRevocationService } from '../src/services/revocation/aws-revocation-service.ts';
import { createIssuedCredentialsReader } from '../src/services/revocation/issued-credentials.ts';
import { createOffboardingService } from '../src/services/revocation/offboarding-service.ts';
import { REVOCATION_POLICY_NAME } from '../src/services/revocation/revocation-policy.ts';
import { scanNow, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { ACCOUNT, type PortalHarness } from './portal-harness.ts';
import { revocationState } from './revocation-fixtures.ts';
import { testDatabaseUrls } from './test-databases.ts';

const LEAVERS = 26;
/** Deleted in IAM, found by a scan. */
const DEPARTED = 25;
const leaver = (i: number) => `leaver${i}`;

function offboardingState() {
  const state = revocationState();
  for (let i = 1; i <= LEAVERS; i++) {
    state.users.push({
      account: ACCOUNT,
      name: leaver(i),
      groups: ['developers'],
      mfaDevices: [
        {
          serial: `arn:aws:iam::${ACCOUNT}:mfa/${leaver(i)}`,
          type: 'virtual',
          seed: `GEZDGNBV${String.fromCharCode(65 + (i % 26)).repeat(12)}${String.fromCharCode(65 + Math.floor(i / 26)).repeat(12)}`,
        },
      ],
      // A key of the user's own, which the portal does not hold.
      ...(i === LEAVERS
        ? {
            accessKeys: [
              {
                id: 'AKIALEAVEROWNKEY0001',
                secret: 'LeaverOwnKeySecret0000000000000000000000',
                status: 'Active' as const,
              },
            ],
          }
        : {}),
    });
  }
  return state;
}

/** Thrown where the simulated process dies. */
class Crash extends Error {}

/**
 * Kills the "process" at the n-th boundary: an AWS call dies after AWS did the work (before the
 * portal could record it), an audit append dies before its transaction commits.
 */
function crashingAt(n: number, aws: AwsGateway, audit: AuditService) {
  let calls = 0;
  const boundary = () => ++calls === n;
  const faultyAws = new Proxy(aws, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        if (boundary()) throw new Crash(`killed after aws.${String(property)}`);
        return result;
      };
    },
  });
  const faultyAudit: Pick<AuditService, 'append'> = {
    append: (entry, tx) => {
      if (boundary()) throw new Crash(`killed before committing ${entry.action}`);
      return audit.append(entry, tx);
    },
  };
  return { aws: faultyAws, audit: faultyAudit as AuditService, calls: () => calls };
}

describe.each(testDatabaseUrls())('offboarding ($name)', (provider) => {
  const harness = useEnrolledPortal(provider, {
    state: offboardingState(),
    env: { REVOCATION_ROLE_NAME: 'AwsMfaPortalRevocation' },
  });
  let portal: PortalHarness;
  beforeAll(() => {
    portal = harness();
  });

  function servicesCrashingAt(n: number) {
    const { prisma } = portal.database;
    const s = portal.app.services;
    const faulty = crashingAt(n, portal.aws, s.audit);
    const custody = createCustodyService({
      prisma,
      aws: faulty.aws,
      keyRing: () => createKeyRing(portal.config.masterKey!, portal.config.previousMasterKeys),
      audit: faulty.audit,
      revocation: s.revocation,
      snapshot: createSnapshotUpdates({
        repository: createComplianceRepository({ provider: parseDatabaseUrl(portal.config.databaseUrl).provider }),
      }),
    });
    const revocations = createAwsRevocationService({
      prisma,
      aws: faulty.aws,
      catalog: s.catalog,
      custody,
      sessions: s.revocation,
      audit: faulty.audit,
      leases: createLeaseStore({ prisma }),
      issued: createIssuedCredentialsReader({ signInSeconds: 43_200, cliTokenSeconds: 43_200 }),
      revocationRoleName: 'AwsMfaPortalRevocation',
      userSessionSeconds: 43_200,
    });
    const offboarding = createOffboardingService({
      prisma,
      revocations,
      sessions: s.revocation,
      custody,
      aws: faulty.aws,
      audit: faulty.audit,
    });
    return { offboarding, calls: faulty.calls };
  }

  const iam = (keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    new IAMClient({ endpoint: portal.emulator.url, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
  const portalKey = () => {
    const key = portal.state.users.find((u) => u.name === 'portal')!.accessKeys![0]!;
    return { accessKeyId: key.id, secretAccessKey: key.secret };
  };

  /** An enrolled leaver with a browser session and role credentials. */
  async function prepare(userName: string, withRoleCredentials = true) {
    const enrolled = await portal.app.services.custody.enroll(userName);
    // One revocation entry at a time, so every run has the same crash points.
    await portal.database.prisma.awsRevocation.deleteMany({});
    const browser = await signIn(portal, userName);
    if (!withRoleCredentials) return { keyId: enrolled.accessKeyId, browser, role: null };
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName, code: portal.nextCode(userName), role: 'readonly', format: 'json' },
    });
    expect(response.statusCode, response.body).toBe(200);
    const { accessKeyId, secretAccessKey, sessionToken } = response.json();
    return { keyId: enrolled.accessKeyId, browser, role: { accessKeyId, secretAccessKey, sessionToken } };
  }

  async function expectOffboarded(userName: string, held: Awaited<ReturnType<typeof prepare>>) {
    const { prisma } = portal.database;
    expect(await portal.app.services.custody.find(userName)).toBeNull();
    expect(await prisma.mfaSession.count({ where: { userName, revokedAt: null } })).toBe(0);
    const me = await portal.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: held.browser.cookie } });
    expect(me.statusCode).toBe(401);
    expect(await prisma.offboarding.findUnique({ where: { userNameKey: userName } })).toMatchObject({ step: 'done' });
    const keys = await iam(portalKey()).send(new ListAccessKeysCommand({ UserName: userName }));
    expect(keys.AccessKeyMetadata?.map((k) => k.AccessKeyId)).not.toContain(held.keyId);
    if (held.role)
      await expect(iam(held.role).send(new ListRolesCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    // The user policy is there (the portal's identity may not read it: ask the emulator's state).
    const user = portal.emulator.store.findUser(ACCOUNT, userName)!;
    expect(user.inlinePolicies?.map((p) => p.name)).toEqual([REVOCATION_POLICY_NAME]);

    const rows = await prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    const mine = rows.filter((r) => (r.metadata as Record<string, unknown> | null)?.userName === userName);
    const counts: Record<string, number> = {};
    for (const r of mine) counts[r.action] = (counts[r.action] ?? 0) + 1;
    expect(counts).toEqual({
      'custody.enroll': 1,
      'offboarding.start': 1,
      'offboarding.step': 1,
      'aws_sessions.revoke': 1,
      'aws_sessions.apply': 1,
      'custody.unenroll': 1,
      'offboarding.complete': 1,
    });
  }

  it('offboards in one run: sessions, AWS credentials and the portal key are gone, each step audited once', async () => {
    const held = await prepare(leaver(1));
    const result = await portal.app.services.offboarding.offboard(leaver(1), {}, { actor: 'carol' });
    expect(result).toMatchObject({ userName: leaver(1), status: 'done' });
    await expectOffboarded(leaver(1), held);
    // Running it again changes nothing.
    const rows = await portal.database.prisma.auditEvent.count();
    expect(await portal.app.services.offboarding.offboard(leaver(1), {}, { actor: 'carol' })).toMatchObject({
      status: 'done',
    });
    expect(await portal.database.prisma.auditEvent.count()).toBe(rows);
  });

  it('killed at every step and run again, ends in the same state with no duplicate audit rows', async () => {
    let crashes = 0;
    for (let n = 1, i = 2; i < DEPARTED; n++, i++) {
      const userName = leaver(i);
      // Role credentials are checked once in the first test; here the sessions, key, policies and audit rows.
      const held = await prepare(userName, false);
      const { offboarding } = servicesCrashingAt(n);
      const crashed = await offboarding.offboard(userName, {}, { actor: 'carol' }).then(
        () => false,
        (error: unknown) => {
          if (!(error instanceof Crash)) throw error;
          return true;
        },
      );
      // A rerun (after the "restart") by the real service finishes the job.
      expect(await portal.app.services.offboarding.offboard(userName, {}, { actor: 'carol' })).toMatchObject({
        status: 'done',
      });
      await expectOffboarded(userName, held);
      if (!crashed) break; // n went past the last boundary: every crash point was tried
      crashes++;
    }
    // Every boundary of a full run was a crash point (start, steps, each AWS call, each commit).
    expect(crashes).toBeGreaterThanOrEqual(10);
    expect(crashes).toBeLessThan(DEPARTED - 2);
  });

  it('deactivates the user’s other keys and MFA devices only when asked', async () => {
    const userName = leaver(LEAVERS);
    await portal.app.services.custody.enroll(userName);
    const result = await portal.app.services.offboarding.offboard(
      userName,
      { deactivateOtherKeys: true, deactivateMfaDevices: true },
      { actor: 'carol' },
    );
    expect(result.status).toBe('done');
    const user = portal.emulator.store.findUser(ACCOUNT, userName)!;
    expect(user.mfaDevices ?? []).toEqual([]);
    expect(user.accessKeys?.map((k) => [k.id, k.status])).toEqual([['AKIALEAVEROWNKEY0001', 'Inactive']]);
    const steps = await portal.database.prisma.auditEvent.findMany({
      where: { action: 'offboarding.step' },
      orderBy: { seq: 'asc' },
    });
    expect(
      steps
        .filter((r) => (r.metadata as Record<string, unknown>).userName === userName)
        .map((r) => (r.metadata as Record<string, unknown>).step),
    ).toEqual(['end_sessions', 'deactivate_keys', 'deactivate_mfa']);
  });

  it('offboards automatically when a scan no longer finds the enrolled IAM user', async () => {
    const userName = leaver(DEPARTED);
    await portal.app.services.custody.enroll(userName);
    await signIn(portal, userName);
    // The IAM user is deleted (outside the portal).
    const users = portal.emulator.store.state.users;
    users.splice(
      users.findIndex((u) => u.name === userName),
      1,
    );
    await scanNow(portal);
    const results = await portal.app.services.departures.offboardDeparted();
    expect(results).toContainEqual(expect.objectContaining({ userName, status: 'done' }));
    expect(await portal.app.services.custody.find(userName)).toBeNull();
    expect(await portal.database.prisma.mfaSession.count({ where: { userName, revokedAt: null } })).toBe(0);
    const started = await portal.database.prisma.auditEvent.findFirst({
      where: { action: 'offboarding.start' },
      orderBy: { seq: 'desc' },
    });
    expect(started).toMatchObject({
      actor: 'system',
      metadata: expect.objectContaining({ userName, reason: 'iam_user_deleted' }),
    });
    // The same scan is not acted on twice.
    expect(await portal.app.services.departures.offboardDeparted()).toEqual([]);
  });
});
