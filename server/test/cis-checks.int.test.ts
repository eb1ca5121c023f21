import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertDeliveryList, CisFailingPage, CisResults, ForceMfaPolicy } from '../src/routes/admin-cis-schemas.ts';
import { runScan, type SignedIn, signIn } from './admin-fixtures.ts';
import { cisOrganisation, cisTruth, PORTAL_POLICY_ARN } from './cis-organisation.ts';
import { startEnrolledPortal } from './enrolled-portal.ts';
import { ACCOUNT, type PortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

const ENROLLED = new Set(['alice', 'erin', 'carol', 'frank']);
const HOURS_5 = 5 * 3600;

/** A local webhook receiver: /slack and /generic answer 200, /broken always 500. */
async function startReceiver() {
  const received: Array<{ path: string; body: unknown }> = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: JSON.parse(body) });
      response.statusCode = request.url === '/broken' ? 500 : 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    webhooks: `slack=slack:http://127.0.0.1:${port}/slack,generic=json:http://127.0.0.1:${port}/generic,broken=json:http://127.0.0.1:${port}/broken`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(testDatabaseUrls())('CIS checks, remediation and alerts ($name)', (provider) => {
  let db: TestDatabase;
  let portal: PortalHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let admin: SignedIn;
  const scanStarts: Date[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    db = await provider.create({ migrate: false });
    portal = await startEnrolledPortal({
      databaseUrl: db.url,
      state: cisOrganisation(new Date()),
      env: { ALERT_WEBHOOKS: receiver.webhooks, ALERT_DELIVERY_ATTEMPTS: '2' },
    });
    admin = await signIn(portal, 'carol');
  });

  afterAll(async () => {
    await portal?.close();
    await db?.drop();
    await receiver?.close();
  });

  const get = <T>(url: string) =>
    portal.app.inject({ method: 'GET', url, headers: { cookie: admin.cookie } }).then((r) => {
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as T;
    });
  const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    portal.app.inject({
      method,
      url,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      ...(payload ? { payload } : {}),
    });

  /** A full scan (the credential report is reused for 4 h, so AWS's clock moves past that first). */
  async function scan(): Promise<Date> {
    portal.advance(HOURS_5);
    const { started } = await portal.app.services.compliance.startScan('manual');
    expect(started).toBe(true);
    await runScan(portal);
    await portal.app.services.alerts.idle();
    const latest = await portal.database.prisma.complianceScan.findFirstOrThrow({ orderBy: { startedAt: 'desc' } });
    expect(latest.status).toBe('complete');
    scanStarts.push(latest.startedAt);
    return latest.startedAt;
  }

  async function failingOf(check: string): Promise<CisFailingPage['users']> {
    const users: CisFailingPage['users'] = [];
    let cursor: string | null = null;
    do {
      const page: CisFailingPage = await get(
        `/api/v1/admin/compliance/cis/${check}?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      users.push(...page.users);
      cursor = page.nextCursor;
    } while (cursor);
    return users;
  }

  async function expectTruth(asOf: Date) {
    const truth = cisTruth(portal.emulator.store.state, asOf, ENROLLED);
    const results: CisResults = await get('/api/v1/admin/compliance/cis');
    expect(results.checks.map((c) => c.id)).toEqual(Object.keys(truth));
    for (const check of results.checks) {
      const failing = (await failingOf(check.id)).filter((u) => !u.exempt).map((u) => u.userName);
      const expected = truth[check.id]!;
      expect({ check: check.id, failing: [...failing].sort() }).toEqual({
        check: check.id,
        failing: [...expected].sort(),
      });
      expect({ check: check.id, status: check.status, count: check.failing }).toEqual({
        check: check.id,
        status: expected.length > 0 ? 'fail' : 'pass',
        count: expected.length,
      });
    }
    return truth;
  }

  it('reports every CIS check exactly as the generated organisation has it, with since = the first scan', async () => {
    const first = await scan();
    const truth = await expectTruth(first);
    // The generator covers each check both ways (or it would test nothing).
    for (const id of [
      'console_user_mfa',
      'credentials_unused_45_days',
      'one_active_access_key',
      'access_keys_rotated_90_days',
      'keys_work_without_mfa',
      'mfa_not_enrolled',
    ])
      expect(truth[id]!.length, id).toBeGreaterThan(0);
    const keys = await failingOf('keys_work_without_mfa');
    for (const u of keys) expect(new Date(u.since)).toEqual(first);
    // The first scan is the baseline: no alert.
    expect(receiver.received).toEqual([]);
  });

  it('keeps "since" across scans that see the same failures, and sends nothing', async () => {
    await scan();
    await expectTruth(scanStarts[1]!);
    const root = await failingOf('root_access_keys');
    expect(root).toEqual([{ userName: '<root_account>', since: scanStarts[0]!.toISOString(), exempt: false }]);
    expect(receiver.received).toEqual([]);
  });

  it('sends exactly one message per webhook for a regressing scan; a failing webhook is retried, shown and audited', async () => {
    const state = portal.emulator.store.state;
    state.roots!.find((r) => r.account === ACCOUNT)!.mfa = false;
    const ivan = state.users.find((u) => u.name === 'ivan')!;
    delete ivan.mfaDevices;
    const third = await scan();
    await expectTruth(third);

    const slack = receiver.received.filter((r) => r.path === '/slack');
    const generic = receiver.received.filter((r) => r.path === '/generic');
    expect(slack).toHaveLength(1);
    expect(generic).toHaveLength(1);
    expect(receiver.received.filter((r) => r.path === '/broken')).toHaveLength(2); // ALERT_DELIVERY_ATTEMPTS
    expect(slack[0]!.body).toMatchObject({ text: expect.stringContaining('new problem'), blocks: expect.any(Array) });
    const body = generic[0]!.body as { type: string; regressions: Array<{ check: string; users: string[] }> };
    expect(body.type).toBe('compliance.regression');
    expect(body.regressions.map((r) => [r.check, r.users])).toEqual(
      expect.arrayContaining([
        ['user_mfa', ['ivan']],
        ['root_mfa', ['<root_account>']],
      ]),
    );
    expect(body.regressions).toHaveLength(2);
    const ivanSince = (await failingOf('user_mfa')).find((u) => u.userName === 'ivan');
    expect(ivanSince?.since).toBe(third.toISOString());

    const deliveries: AlertDeliveryList = await get('/api/v1/admin/alerts/deliveries');
    expect(deliveries.deliveries.map((d) => [d.webhook, d.status, d.attempts]).sort()).toEqual([
      ['broken', 'failed', 2],
      ['generic', 'delivered', 1],
      ['slack', 'delivered', 1],
    ]);
    expect(JSON.stringify(deliveries)).not.toContain('127.0.0.1'); // labels only, never URLs
    const audit = await portal.database.prisma.auditEvent.findMany({ where: { action: { startsWith: 'alert.' } } });
    expect(audit.map((a) => `${a.action}:${a.outcome}`).sort()).toEqual([
      'alert.delivered:success',
      'alert.delivered:success',
      'alert.failed:failure',
      'alert.queued:success',
    ]);

    await scan(); // nothing new
    expect(receiver.received.filter((r) => r.path !== '/broken')).toHaveLength(2);
  });

  it('shows the force-MFA document, attaches it to a user and re-checks at once', async () => {
    const policy: ForceMfaPolicy = await get('/api/v1/admin/remediation/force-mfa-policy');
    expect(policy.policyArn).toBe(PORTAL_POLICY_ARN);
    expect(JSON.stringify(policy.document)).toContain('"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}');
    const response = await send('POST', '/api/v1/admin/users/dave/require-mfa', { target: 'user' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      userName: 'dave',
      policyArn: PORTAL_POLICY_ARN,
      attachedTo: 'user:dave',
      keysWorkWithoutMfa: 'no',
    });
    const created = portal.emulator.store.findManagedPolicy(PORTAL_POLICY_ARN);
    expect(created?.document).toEqual(policy.document);
    expect((await failingOf('keys_work_without_mfa')).map((u) => u.userName)).not.toContain('dave');
    const dashboard = await get<{ users: Array<{ userName: string; keysWorkWithoutMfa: string }> }>(
      '/api/v1/admin/compliance?q=dave',
    );
    expect(dashboard.users[0]).toMatchObject({ userName: 'dave', keysWorkWithoutMfa: 'no' });
    const audit = await portal.database.prisma.auditEvent.findFirst({ where: { action: 'remediation.require_mfa' } });
    expect(audit).toMatchObject({ actor: 'carol', outcome: 'success' });

    // The portal's own identity signs with long-term keys: forcing MFA on it would lock the portal out.
    const self = await send('POST', '/api/v1/admin/users/portal/require-mfa', { target: 'user' });
    expect(self.statusCode).toBe(409);
    expect(self.json()).toMatchObject({ error: 'portal_identity' });
    // Without the CSRF token nothing happens.
    const forged = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/admin/users/erin/require-mfa',
      headers: { cookie: admin.cookie },
      payload: { target: 'user' },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error: 'csrf_failed' });
    // A group the user is not in is refused before anything changes in IAM.
    const refused = await send('POST', '/api/v1/admin/users/gina/require-mfa', { target: 'group', groupName: 'ops' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: 'not_a_member' });
    // Someone changed the policy in IAM: the portal does not attach a document it did not write.
    created!.document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const changed = await send('POST', '/api/v1/admin/users/gina/require-mfa', {
      target: 'group',
      groupName: 'developers',
    });
    expect(changed.statusCode).toBe(409);
    expect(changed.json()).toMatchObject({ error: 'policy_changed' });
    created!.document = policy.document as NonNullable<typeof created>['document'];
    const viaGroup = await send('POST', '/api/v1/admin/users/gina/require-mfa', {
      target: 'group',
      groupName: 'developers',
    });
    expect(viaGroup.json()).toMatchObject({ attachedTo: 'group:developers', keysWorkWithoutMfa: 'no' });
    // The next scan agrees with the re-checks.
    await scan();
    await expectTruth(scanStarts.at(-1)!);
  });

  it('exempts a service identity with a reason and an expiry, counted apart and audited', async () => {
    const past = await send('PUT', '/api/v1/admin/compliance/exemptions/portal', {
      reason: 'the portal itself',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.statusCode).toBe(400);
    expect(past.json()).toMatchObject({ error: 'invalid_expiry' });
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const added = await send('PUT', '/api/v1/admin/compliance/exemptions/portal', {
      reason: 'the portal itself',
      expiresAt,
    });
    expect(added.statusCode, added.body).toBe(200);
    const check = async () =>
      (await get<CisResults>('/api/v1/admin/compliance/cis')).checks.find((c) => c.id === 'keys_work_without_mfa')!;
    const before = await check();
    expect(before.exempt).toBe(1);
    expect((await failingOf('keys_work_without_mfa')).find((u) => u.userName === 'portal')?.exempt).toBe(true);
    await scan(); // still exempt after a scan, and not an alert
    expect((await check()).exempt).toBe(1);
    const removed = await send('DELETE', '/api/v1/admin/compliance/exemptions/portal');
    expect(removed.statusCode).toBe(204);
    expect((await check()).exempt).toBe(0);
    const audit = await portal.database.prisma.auditEvent.findMany({
      where: { action: { startsWith: 'compliance.exemption' } },
    });
    expect(audit.map((a) => a.action)).toEqual(['compliance.exemption_add', 'compliance.exemption_remove']);
  });

  it('answers unknown checks and non-admins in the one error shape', async () => {
    const unknown = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/admin/compliance/cis/nope',
      headers: { cookie: admin.cookie },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'unknown_check' });
    const alice = await signIn(portal, 'alice');
    const denied = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/admin/compliance/cis',
      headers: { cookie: alice.cookie },
    });
    expect(denied.statusCode).toBe(403);
  });
});
