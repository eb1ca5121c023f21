import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompliancePage, ComplianceUser, History } from '../src/routes/admin-schemas.ts';
import { complianceState, runScan, type SignedIn, scanNow, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { ACCOUNT, type PortalHarness, startPortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

type Expected = Pick<
  ComplianceUser,
  | 'consoleAccess'
  | 'mfaActive'
  | 'virtualMfaCount'
  | 'hardwareMfaCount'
  | 'activeKeyCount'
  | 'keysWorkWithoutMfa'
  | 'enrolled'
>;

const row = (
  consoleAccess: boolean,
  virtual: number,
  hardware: number,
  activeKeyCount: number,
  keysWorkWithoutMfa: Expected['keysWorkWithoutMfa'],
  enrolled = false,
): Expected => ({
  consoleAccess,
  mfaActive: virtual + hardware > 0,
  virtualMfaCount: virtual,
  hardwareMfaCount: hardware,
  activeKeyCount,
  keysWorkWithoutMfa,
  enrolled,
});

/**
 * Every user of account 111111111111 in complianceState(), as the dashboard must show them.
 * alice, carol, erin and frank are enrolled, so the portal created a second key for each.
 * Keys "work without MFA" unless a force-MFA policy denies every representative action:
 * alice/carol (ForceMFAAllowAssumeRole), frank and @ops (ForceMFA) are denied.
 */
const EXPECTED: Record<string, Expected> = {
  '=cmd': row(true, 0, 0, 0, 'n/a'),
  alice: row(true, 1, 0, 2, 'no', true),
  bob: row(true, 0, 0, 0, 'n/a'),
  carol: row(true, 0, 1, 2, 'no', true),
  '@ops': row(false, 0, 0, 1, 'no'),
  dave: row(false, 0, 0, 1, 'yes'),
  erin: row(true, 1, 0, 2, 'yes', true),
  frank: row(true, 1, 0, 2, 'no', true),
  gina: row(true, 0, 0, 1, 'yes'),
  // hank has a virtual device and a hardware token: the bulk listing shows the virtual one, which
  // tells he can get CLI credentials, and the scan does not ask IAM for his further devices.
  hank: row(false, 1, 0, 0, 'n/a'),
  ivan: row(false, 1, 0, 0, 'n/a'),
  portal: row(false, 0, 0, 1, 'yes'),
};

describe.each(testDatabaseUrls())('compliance dashboard ($name)', (provider) => {
  const harness = useEnrolledPortal(provider, { state: complianceState() });
  let portal: PortalHarness;
  let admin: SignedIn;
  let user: SignedIn;

  beforeAll(async () => {
    portal = harness();
    admin = await signIn(portal, 'carol');
    user = await signIn(portal, 'alice');
  });

  const get = (url: string, who: SignedIn = admin) =>
    portal.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });

  it('answers with no snapshot before the first scan', async () => {
    const response = await get('/api/v1/admin/compliance');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ scannedAt: null, summary: null, users: [], nextCursor: null });
  });

  it('starts one scan however many requests ask at once, and reports its progress', async () => {
    const requests = Array.from({ length: 5 }, () =>
      portal.app.inject({
        method: 'POST',
        url: '/api/v1/admin/compliance/scan',
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      }),
    );
    const responses = await Promise.all(requests);
    for (const r of responses) expect(r.statusCode, r.body).toBe(202);
    const bodies = responses.map((r) => r.json());
    expect(bodies.filter((b) => b.started)).toHaveLength(1);
    const ids = new Set(bodies.map((b) => b.scan?.id));
    expect(ids.size).toBe(1);
    const running = await get('/api/v1/admin/compliance/scan');
    expect(running.json().scan).toMatchObject({ status: 'running', trigger: 'manual', requestedBy: 'carol' });
    await runScan(portal);
    const finished = (await get('/api/v1/admin/compliance/scan')).json().scan;
    expect(finished).toMatchObject({ status: 'complete', totalUsers: 12, processedUsers: 12, errorCode: null });
    expect(await portal.database.prisma.complianceScan.count()).toBe(1);
  });

  it('shows every figure exactly as the account has it', async () => {
    const response = await get('/api/v1/admin/compliance?limit=100');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.summary).toEqual({
      users: 12,
      withMfa: 6,
      withoutMfa: 6,
      consoleWithoutMfa: 3,
      keysWorkWithoutMfa: 4,
      keysUnknown: 0,
      hardwareMfa: 1,
      consoleOnlyMfa: 0,
      enrolled: 4,
      rootMfa: true,
    });
    expect(new Date(body.scannedAt).getTime()).toBeGreaterThan(0);
    const users = body.users as Array<Record<string, unknown>>;
    expect(users.map((u) => u.userName)).toEqual(Object.keys(EXPECTED).sort());
    for (const u of users) {
      const expected = EXPECTED[u.userName as string]!;
      expect({ user: u.userName, ...pick(u, Object.keys(expected)) }).toEqual({ user: u.userName, ...expected });
      expect(u.mfaDeviceCount).toBe(expected.virtualMfaCount + expected.hardwareMfaCount);
    }
    const gina = users.find((u) => u.userName === 'gina')!;
    expect(gina).toMatchObject({
      passwordLastUsedAt: '2026-11-10T09:00:00.000Z',
      oldestKeyCreatedAt: '2024-06-01T08:00:00.000Z',
      lastPortalSignInAt: null,
    });
    expect(gina.oldestKeyAgeDays).toBeGreaterThan(500);
    const carol = users.find((u) => u.userName === 'carol')!;
    expect(carol.lastPortalSignInAt).not.toBeNull();
    expect(users.find((u) => u.userName === 'dave')).toMatchObject({
      consoleAccess: false,
      passwordLastUsedAt: null,
      keysLastUsedAt: '2026-11-21T23:10:00.000Z',
    });
  });

  it('filters, searches, sorts and pages through the snapshot', async () => {
    const names = async (query: string) =>
      ((await get(`/api/v1/admin/compliance?${query}`)).json() as CompliancePage).users.map((u) => u.userName);
    expect(await names('filter=no_mfa')).toEqual(['=cmd', '@ops', 'bob', 'dave', 'gina', 'portal']);
    expect(await names('filter=console_without_mfa')).toEqual(['=cmd', 'bob', 'gina']);
    expect(await names('filter=keys_work_without_mfa')).toEqual(['dave', 'erin', 'gina', 'portal']);
    expect(await names('filter=hardware_mfa')).toEqual(['carol']);
    expect(await names('q=AN')).toEqual(['frank', 'hank', 'ivan']);
    expect(await names('sort=-userName&limit=3')).toEqual(['portal', 'ivan', 'hank']);
    expect((await names('sort=oldestKey')).slice(0, 2)).toEqual(['gina', 'dave']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await get(
        `/api/v1/admin/compliance?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      const body = response.json();
      seen.push(...body.users.map((u: { userName: string }) => u.userName));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Object.keys(EXPECTED).sort());
  });

  it('rejects bad input with the one error shape, never a 500', async () => {
    for (const query of [
      'filter=everyone',
      'limit=0',
      'limit=100000',
      'cursor=bm9wZQ',
      `q=${'x'.repeat(65)}`,
      'sort=password',
      'surprise=1',
    ]) {
      const response = await get(`/api/v1/admin/compliance?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(Object.keys(response.json()).sort()).toEqual(['error', 'message', 'requestId']);
    }
  });

  it('exports every row as CSV with quoting and formula cells defused', async () => {
    const response = await get('/api/v1/admin/compliance.csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toContain('attachment');
    const lines = response.body.trimEnd().split('\r\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toMatch(/^user_name,user_arn,/);
    expect(lines[1]).toMatch(/^'=cmd,arn:aws:iam::111111111111:user\/=cmd,/);
    expect(lines[2]).toMatch(/^'@ops,arn:aws:iam::111111111111:user\/@ops,/);
    const filtered = await get('/api/v1/admin/compliance.csv?filter=keys_work_without_mfa');
    expect(filtered.body.trimEnd().split('\r\n')).toHaveLength(5);
  });

  it('keeps a history of scans for the trend', async () => {
    await scanNow(portal);
    const response = await get('/api/v1/admin/compliance/history');
    expect(response.statusCode).toBe(200);
    const { points } = response.json() as History;
    expect(points).toHaveLength(2);
    expect(new Date(points[0]!.scannedAt).getTime()).toBeLessThanOrEqual(new Date(points[1]!.scannedAt).getTime());
    expect(points.every((p) => p.summary.users === 12)).toBe(true);
  });

  it('enrolls a user with MFA from the dashboard and shows it at once', async () => {
    // hank joins ops while being enrolled: EC2 without MFA, which the enrollment warns about.
    const hankInIam = portal.emulator.store.findUser(ACCOUNT, 'hank')!;
    const groupsBefore = hankInIam.groups ?? [];
    hankInIam.groups = [...groupsBefore, 'ops'];
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/admin/users/hank/enroll',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      payload: { mfaSerial: 'GAHT99990000' },
    });
    hankInIam.groups = groupsBefore;
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({
      userName: 'hank',
      accountId: ACCOUNT,
      mfaSerial: 'GAHT99990000',
      keysWorkWithoutMfa: 'yes',
    });
    const hank = ((await get('/api/v1/admin/compliance?q=hank')).json() as CompliancePage).users[0];
    expect(hank?.enrolled).toBe(true);
    expect((await get('/api/v1/admin/compliance')).json().summary.enrolled).toBe(5);
    const again = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/admin/users/bob/enroll',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
    });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().error).toBe('no_mfa_device');
  });

  it('documents the admin API in the OpenAPI document', async () => {
    const paths = Object.keys((await portal.app.inject({ method: 'GET', url: '/api/openapi.json' })).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/admin/compliance',
        '/api/v1/admin/compliance.csv',
        '/api/v1/admin/compliance/scan',
        '/api/v1/admin/audit',
        '/api/v1/admin/roles/{alias}',
        '/api/v1/admin/users/{userName}/mfa-setup-links',
        '/api/v1/mfa-setup/open',
        '/api/v1/mfa-setup/complete',
      ]),
    );
  });

  it('keeps the admin API from everyone else', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/api/v1/admin/compliance'],
      ['GET', '/api/v1/admin/compliance.csv'],
      ['GET', '/api/v1/admin/compliance/scan'],
      ['POST', '/api/v1/admin/compliance/scan'],
      ['GET', '/api/v1/admin/compliance/history'],
      ['GET', '/api/v1/admin/audit'],
      ['GET', '/api/v1/admin/audit.csv'],
      ['GET', '/api/v1/admin/audit.json'],
      ['GET', '/api/v1/admin/audit/verify'],
      ['GET', '/api/v1/admin/roles'],
      ['GET', '/api/v1/admin/roles/importable'],
      ['POST', '/api/v1/admin/roles'],
      ['PATCH', '/api/v1/admin/roles/readonly'],
      ['DELETE', '/api/v1/admin/roles/readonly'],
      ['POST', '/api/v1/admin/users/bob/mfa-setup-links'],
      ['POST', '/api/v1/admin/users/hank/enroll'],
    ];
    for (const [method, url] of routes) {
      const asUser = await portal.app.inject({
        method: method as 'GET',
        url,
        headers: { cookie: user.cookie, 'x-csrf-token': user.csrfToken },
        payload: method === 'GET' ? undefined : {},
      });
      expect(asUser.statusCode, `${method} ${url}`).toBe(403);
      expect(asUser.json().error).toBe('admin_required');
      const anonymous = await portal.app.inject({
        method: method as 'GET',
        url,
        payload: method === 'GET' ? undefined : {},
      });
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401);
    }
    const noCsrf = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/admin/compliance/scan',
      headers: { cookie: admin.cookie },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error).toBe('csrf_failed');
    expect(await portal.database.prisma.catalogRole.count({ where: { alias: 'readonly' } })).toBe(1);
  });
});

describe.each(testDatabaseUrls())('root account without MFA ($name)', ({ create }) => {
  let db: TestDatabase;
  let portal: PortalHarness;

  beforeAll(async () => {
    db = await create({ migrate: false });
    portal = await startPortalHarness({ databaseUrl: db.url, state: complianceState({ rootMfa: false }) });
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });

  it('reports root MFA off, and the same user figures with nobody enrolled', async () => {
    await scanNow(portal);
    const page = await portal.app.services.compliance.dashboard({ limit: 100 });
    expect(page.summary).toEqual({
      users: 12,
      withMfa: 6,
      withoutMfa: 6,
      consoleWithoutMfa: 3,
      keysWorkWithoutMfa: 4,
      keysUnknown: 0,
      hardwareMfa: 1,
      consoleOnlyMfa: 0,
      enrolled: 0,
      rootMfa: false,
    });
    expect(page.users.find((u) => u.userName === 'alice')).toMatchObject({
      activeKeyCount: 1,
      keysWorkWithoutMfa: 'no',
      enrolled: false,
    });
  });
});

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, source[k]]));
}
