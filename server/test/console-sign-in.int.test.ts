import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../src/logging.ts';
import { type SignedIn, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { ACCOUNT, type PortalHarness } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

/**
 * "Open console" against the emulator's federation endpoint: the portal answers 302 to the
 * federation login, and following it (as the browser does) lands on the emulator's console page
 * as the role, in the region asked for, for as long as AWS allows.
 */
describe.each(testDatabaseUrls())('console sign-in ($name)', (provider) => {
  let logged = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  const harness = useEnrolledPortal(provider, {
    logger: { ...(loggerOptions({ logLevel: 'trace' }) as object), stream },
  });
  let portal: PortalHarness;
  let alice: SignedIn;
  beforeAll(async () => {
    portal = harness();
    alice = await signIn(portal, 'alice');
  });

  const openWithSession = (who: SignedIn, query: string, headers: Record<string, string> = {}) =>
    portal.app.inject({ method: 'GET', url: `/api/v1/console?${query}`, headers: { cookie: who.cookie, ...headers } });

  /** Follows the 302 as a browser would; returns the console page and what the emulator recorded. */
  async function follow(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
    expect(response.statusCode, response.body).toBe(302);
    const location = String(response.headers.location);
    expect(location.startsWith(`${portal.emulator.url}/federation?Action=login&`)).toBe(true);
    const page = await fetch(location);
    return { location, status: page.status, html: await page.text(), signIn: portal.emulator.consoleSignIns().at(-1)! };
  }

  const lastAudit = () =>
    portal.database.prisma.auditEvent.findFirst({
      where: { action: 'credentials.console_sign_in' },
      orderBy: { seq: 'desc' },
    });

  it('opens the console home of the configured region as the role, for the one hour of role chaining', async () => {
    const before = portal.now().getTime();
    const landed = await follow(await openWithSession(alice, 'role=readonly'));
    expect(landed.status).toBe(200);
    expect(landed.html).toContain(`arn:aws:sts::${ACCOUNT}:assumed-role/ReadOnly/alice`);
    expect(landed.signIn).toMatchObject({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ReadOnly/alice`,
      region: 'us-east-1',
      destination: 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1',
      issuer: 'http://localhost:80',
    });
    expect(Math.abs(landed.signIn.consoleEndsAt.getTime() - (before + 3600_000))).toBeLessThan(5000);
    const row = await lastAudit();
    expect(row).toMatchObject({
      actor: 'alice',
      outcome: 'success',
      targetRoleArn: `arn:aws:iam::${ACCOUNT}:role/ReadOnly`,
    });
    expect(row?.metadata).toMatchObject({
      consoleRegion: 'us-east-1',
      consoleService: 'console',
      via: 'mfa_session',
      durationSeconds: 3600,
    });
    // The sign-in address is a one-time console secret: redeemed once, and never logged or stored.
    expect((await fetch(landed.location)).status).toBe(403);
    const token = new URL(landed.location).searchParams.get('SigninToken')!;
    expect(logged).not.toContain(token);
    const rows = await portal.database.prisma.auditEvent.findMany();
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('deep-links to a service and region the user picks', async () => {
    const landed = await follow(await openWithSession(alice, 'role=readonly&service=s3&region=eu-west-1'));
    expect(landed.signIn.destination).toBe('https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1');
    expect(landed.html).toContain('data-testid="region">eu-west-1<');
  });

  it('refuses longer console sessions from the MFA session, and gives them for a new code', async () => {
    const tooLong = await openWithSession(alice, 'role=readonly&durationSeconds=7200');
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ error: 'invalid_duration' });

    const before = portal.now().getTime();
    const withCode = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/console',
      headers: { cookie: alice.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        role: 'readonly',
        durationSeconds: '43200',
        code: portal.nextCode('alice'),
        csrfToken: alice.csrfToken,
      }).toString(),
    });
    const landed = await follow(withCode);
    expect(landed.status).toBe(200);
    expect(Math.abs(landed.signIn.consoleEndsAt.getTime() - (before + 43_200_000))).toBeLessThan(120_000);
    expect((await lastAudit())?.metadata).toMatchObject({ via: 'assume_role', durationSeconds: 43200 });
  });

  it('needs the CSRF token for the form, and refuses links from other sites', async () => {
    const noCsrf = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/console',
      headers: { cookie: alice.cookie },
      payload: { role: 'readonly', code: '123456' },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ error: 'csrf_failed' });
    // The web app's form is a navigation: under no-referrer Chromium sends `Origin: null`, and
    // only the browser's own Sec-Fetch-Site: same-origin lets it through.
    const form = (headers: Record<string, string>) =>
      portal.app.inject({
        method: 'POST',
        url: '/api/v1/console',
        headers: {
          cookie: alice.cookie,
          origin: 'null',
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
        payload: new URLSearchParams({ role: 'readonly', csrfToken: alice.csrfToken }).toString(),
      });
    expect((await form({})).json()).toMatchObject({ error: 'cross_site_request' });
    expect((await form({ 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await form({ 'sec-fetch-site': 'same-origin' })).statusCode).toBe(302);
    const crossSite = await openWithSession(alice, 'role=readonly', { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.statusCode).toBe(403);
    const anonymous = await portal.app.inject({ method: 'GET', url: '/api/v1/console?role=readonly' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('serves scripts: a code with POST, a portal token with GET', async () => {
    const byCode = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/console',
      payload: { userName: 'erin', code: portal.nextCode('erin'), role: 'readonly', region: 'eu-central-1' },
    });
    expect((await follow(byCode)).signIn).toMatchObject({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ReadOnly/erin` });

    const created = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/cli-tokens',
      payload: { userName: 'carol', code: portal.nextCode('carol') },
    });
    const token = created.json().token as string;
    const byToken = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/console?role=admin&service=iam',
      headers: { authorization: `Bearer ${token}` },
    });
    const landed = await follow(byToken);
    expect(landed.signIn).toMatchObject({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/carol`,
      destination: 'https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1',
    });
  });

  it('answers bad input with a clear 4xx and issues nothing', async () => {
    const rowsBefore = await portal.database.prisma.auditEvent.count();
    for (const query of [
      'role=readonly&service=s3%2F..%2Fiam',
      'role=readonly&region=mars-1',
      'role=readonly&region=cn-north-1',
    ]) {
      const response = await openWithSession(alice, query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error).toMatch(/^invalid_(request|destination)$/);
    }
    expect(await portal.database.prisma.auditEvent.count()).toBe(rowsBefore);
    const notGranted = await openWithSession(alice, 'role=admin');
    expect(notGranted.statusCode).toBe(403);
  });

  it('does not turn the federation endpoint’s refusal into a 500', async () => {
    // Role sessions the emulator knows under another secret: getSigninToken answers 403, as AWS
    // does for credentials it does not accept.
    const { sessions } = portal.emulator.store;
    const set = sessions.set.bind(sessions);
    sessions.set = (id, session) =>
      set(id, session.caller.kind === 'role-session' ? { ...session, secretAccessKey: 'rotated' } : session);
    try {
      const response = await openWithSession(alice, 'role=readonly');
      expect(response.statusCode).toBe(502);
      expect(response.json()).toMatchObject({ error: 'console_unavailable' });
      expect(response.headers.location).toBeUndefined();
    } finally {
      sessions.set = set;
    }
    expect(await lastAudit()).toMatchObject({ outcome: 'failure', errorCode: 'federation_403' });
  });
});
