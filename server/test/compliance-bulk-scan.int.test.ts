import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_USER,
  generateOrganisation,
  type PermissionSetups,
  type UserTruth,
} from '../../bench/generate-organisation.ts';
import type { ComplianceUser } from '../src/routes/admin-schemas.ts';
import { REPRESENTATIVE_ACTIONS } from '../src/services/compliance/compliance-scanner.ts';
import { generateMasterKey } from '../src/services/custody/secret-box.ts';
import { scanNow, signIn } from './admin-fixtures.ts';
import { ACCOUNT, type HarnessOptions, type PortalHarness, startPortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

const CLI = path.resolve(import.meta.dirname, '../src/cli/portal-cli.ts');

/** A portal in front of a generated organisation, counting the AWS requests it sends. */
async function portalFor(
  db: TestDatabase,
  users: number,
  setups: PermissionSetups,
  options: Partial<HarnessOptions> = {},
) {
  const organisation = generateOrganisation(users, setups);
  const calls: Record<string, number> = {};
  const masterKey = generateMasterKey();
  const portal = await startPortalHarness({
    databaseUrl: db.url,
    state: organisation.state,
    env: { COMPLIANCE_SCAN_INTERVAL_MINUTES: '0', GROUP_CACHE_SECONDS: '0', PORTAL_MASTER_KEY: masterKey },
    onAwsRequest: (operation) => {
      calls[operation] = (calls[operation] ?? 0) + 1;
    },
    ...options,
  });
  await portal.app.services.custody.enroll(ADMIN_USER);
  for (const key of Object.keys(calls)) delete calls[key];
  return { portal, calls, masterKey, ...organisation };
}

type Row = Pick<ComplianceUser, keyof UserTruth | 'userName' | 'userArn' | 'enrolled'>;

/** Every row of the dashboard's latest snapshot, through the API, page by page. */
async function dashboardRows(portal: PortalHarness, cookie: string, query = '') {
  const rows: Row[] = [];
  let summary: Record<string, unknown> | null = null;
  for (let cursor: string | null = null; ; ) {
    const response: { statusCode: number; body: string; json(): unknown } = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/admin/compliance?limit=500${query}${cursor ? `&cursor=${cursor}` : ''}`,
      headers: { cookie },
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { summary: Record<string, unknown>; users: Row[]; nextCursor: string | null };
    summary = body.summary;
    rows.push(...body.users);
    cursor = body.nextCursor;
    if (!cursor) return { rows, summary: summary! };
  }
}

const truthOf = (row: Row): UserTruth => ({
  consoleAccess: row.consoleAccess,
  mfaActive: row.mfaActive,
  virtualMfaCount: row.virtualMfaCount,
  hardwareMfaCount: row.hardwareMfaCount,
  fidoMfaCount: row.fidoMfaCount,
  activeKeyCount: row.activeKeyCount,
  keysWorkWithoutMfa: row.keysWorkWithoutMfa as UserTruth['keysWorkWithoutMfa'],
});

/** The dashboard's figures as the generated organisation has them. */
function expectedSummary(truth: Map<string, UserTruth>, enrolled: number) {
  const all = [...truth.values()];
  const withMfa = all.filter((u) => u.mfaActive).length;
  return {
    users: all.length,
    withMfa,
    withoutMfa: all.length - withMfa,
    consoleWithoutMfa: all.filter((u) => u.consoleAccess && !u.mfaActive).length,
    keysWorkWithoutMfa: all.filter((u) => u.keysWorkWithoutMfa === 'yes').length,
    keysUnknown: 0,
    hardwareMfa: all.filter((u) => u.hardwareMfaCount > 0).length,
    consoleOnlyMfa: all.filter((u) => u.fidoMfaCount > 0 && u.virtualMfaCount + u.hardwareMfaCount === 0).length,
    enrolled,
    // The demo organisation's root user has MFA.
    rootMfa: true,
  };
}

/** Today's per-user answer: one SimulatePrincipalPolicy for this user alone. */
async function perUserAnswer(portal: PortalHarness, userArn: string): Promise<string> {
  const results = await portal.aws.simulatePrincipalPolicy(userArn, REPRESENTATIVE_ACTIONS, {
    'aws:MultiFactorAuthPresent': 'false',
  });
  return results.some((r) => r.decision === 'allowed') ? 'yes' : 'no';
}

/**
 * The organisation has users of each kind of permissions boundary, and some whose keys would work
 * without MFA but for their boundary: the scan gets those right only if the boundary is part of
 * both the fingerprint and the simulation.
 */
function expectBoundariesThatMatter(expected: Record<string, number>): void {
  expect(expected.boundaryRequiresMfa).toBeGreaterThan(0);
  expect(expected.boundaryNoEffect).toBeGreaterThan(0);
  expect(expected.boundaryEc2Only).toBeGreaterThan(0);
  expect(expected.keysNeedMfaOnlyByBoundary).toBeGreaterThan(0);
}

describe.each(testDatabaseUrls())('bulk compliance scan ($name)', ({ create }) => {
  const open: Array<{ portal: PortalHarness; db: TestDatabase }> = [];
  const start = async (users: number, setups: PermissionSetups, options: Partial<HarnessOptions> = {}) => {
    const db = await create();
    const made = await portalFor(db, users, setups, options);
    open.push({ portal: made.portal, db });
    return { ...made, db };
  };
  afterEach(async () => {
    for (const { portal, db } of open.splice(0)) {
      await portal.close();
      await db.drop();
    }
  });
  afterAll(async () => {
    for (const { portal, db } of open.splice(0)) {
      await portal.close();
      await db.drop();
    }
  });

  it('shows the truth of an organisation of many permission setups, with one simulation per setup', {
    timeout: 120_000,
  }, async () => {
    const { portal, calls, truth, expected } = await start(250, 'many');
    expectBoundariesThatMatter(expected);
    await scanNow(portal);
    const scanCalls = { ...calls };
    const admin = await signIn(portal, ADMIN_USER);
    const { rows, summary } = await dashboardRows(portal, admin.cookie);
    expect(summary).toEqual(expectedSummary(truth, 1));
    expect(rows).toHaveLength(truth.size);
    for (const row of rows)
      expect({ user: row.userName, ...truthOf(row) }).toEqual({ user: row.userName, ...truth.get(row.userName) });

    // Every answer equals the one a simulation of that user alone gives.
    const withKeys = rows.filter((r) => r.activeKeyCount > 0);
    for (const row of withKeys)
      expect([row.userName, row.keysWorkWithoutMfa]).toEqual([row.userName, await perUserAnswer(portal, row.userArn)]);
    // About 120 setups (40 inline variants x force-MFA / developers / none) among ~170 users with
    // keys: one simulation each; device listings only for the users the listings cannot classify.
    expect(scanCalls.SimulatePrincipalPolicy).toBeGreaterThan(40);
    expect(scanCalls.SimulatePrincipalPolicy).toBeLessThan(withKeys.length * 0.8);
    expect(scanCalls.ListMFADevices).toBe(expected.unclassifiable);
    expect(scanCalls.GetAccountAuthorizationDetails).toBe(1);

    const consoleOnly = await dashboardRows(portal, admin.cookie, '&filter=console_only_mfa');
    expect(consoleOnly.rows.map((r) => r.userName).sort()).toEqual(
      [...truth]
        .filter(([, t]) => t.fidoMfaCount > 0 && t.virtualMfaCount + t.hardwareMfaCount === 0)
        .map(([n]) => n)
        .sort(),
    );
    expect(consoleOnly.rows.length).toBeGreaterThan(0);

    // STS takes no codes from a FIDO key: the portal refuses to enroll such a user.
    const refused = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${consoleOnly.rows[0]!.userName}/enroll`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      payload: {},
    });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'no_mfa_device', message: expect.stringContaining('FIDO') });
  });

  it('gives every user of an organisation without shared setups their own, equal answer', {
    timeout: 120_000,
  }, async () => {
    const { portal, calls, truth, expected } = await start(60, 'distinct');
    expectBoundariesThatMatter(expected);
    await scanNow(portal);
    const scanCalls = { ...calls };
    const admin = await signIn(portal, ADMIN_USER);
    const { rows, summary } = await dashboardRows(portal, admin.cookie);
    expect(summary).toEqual(expectedSummary(truth, 1));
    const withKeys = rows.filter((r) => r.activeKeyCount > 0);
    // The generated users each have their own inline policy; the portal and the admin do not.
    expect(scanCalls.SimulatePrincipalPolicy).toBeGreaterThanOrEqual(withKeys.length - 2);
    expect(scanCalls.SimulatePrincipalPolicy).toBeLessThanOrEqual(withKeys.length);
    for (const row of withKeys)
      expect([row.userName, row.keysWorkWithoutMfa]).toEqual([row.userName, await perUserAnswer(portal, row.userArn)]);
  });

  it('finishes with the same result while the account is throttled, backing off', { timeout: 180_000 }, async () => {
    const { portal, truth } = await start(120, 'many', { rateLimit: { requestsPerSecond: 15, burst: 5 } });
    await scanNow(portal);
    expect(portal.emulator.throttledRequests()[ACCOUNT]).toBeGreaterThan(0);
    const scan = await portal.app.services.compliance.progress();
    expect(scan).toMatchObject({ status: 'complete', errorCode: null });
    const admin = await signIn(portal, ADMIN_USER);
    const { rows, summary } = await dashboardRows(portal, admin.cookie);
    expect(summary).toEqual(expectedSummary(truth, 1));
    for (const row of rows)
      expect({ user: row.userName, ...truthOf(row) }).toEqual({ user: row.userName, ...truth.get(row.userName) });
  });

  it('updates the snapshot when a user is enrolled (also by the CLI) and unenrolled, without a new scan', {
    timeout: 120_000,
  }, async () => {
    const { portal, db, state, truth, masterKey } = await start(20, 'few');
    await scanNow(portal);
    const admin = await signIn(portal, ADMIN_USER);
    const target = [...truth].find(([name, t]) => name.startsWith('user-') && t.virtualMfaCount === 1)![0];
    const rowOf = async () =>
      (await dashboardRows(portal, admin.cookie, `&q=${target}`)).rows.find((r) => r.userName === target)!;

    // The operator's CLI: its own process, the same database and AWS.
    const portalKey = state.users.find((u) => u.name === 'portal')!.accessKeys![0]!;
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', CLI, 'enroll', target],
        {
          env: {
            PATH: process.env.PATH,
            HOME: '/nonexistent',
            DATABASE_URL: db.url,
            PORTAL_MASTER_KEY: masterKey,
            AWS_ENDPOINT_URL: portal.emulator.url,
            AWS_ACCESS_KEY_ID: portalKey.id,
            AWS_SECRET_ACCESS_KEY: portalKey.secret,
            AWS_REGION: 'us-east-1',
            AWS_CONFIG_FILE: '/dev/null',
            AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
            AWS_EC2_METADATA_DISABLED: 'true',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      );
    });
    expect(result).toEqual({ code: 0, stderr: '' });
    expect((await rowOf()).enrolled).toBe(true);
    expect((await dashboardRows(portal, admin.cookie)).summary.enrolled).toBe(2);

    const unenrolled = await portal.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/users/${target}/enrollment`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
    });
    expect(unenrolled.statusCode, unenrolled.body).toBe(200);
    expect((await rowOf()).enrolled).toBe(false);
    expect((await dashboardRows(portal, admin.cookie)).summary.enrolled).toBe(1);
  });
});
