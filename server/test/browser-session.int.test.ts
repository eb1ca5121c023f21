import { beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '../src/routes/session-schemas.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { type PortalHarness, sessionCookie } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

describe.each(testDatabaseUrls())('browser sessions ($name)', (provider) => {
  const harness = useEnrolledPortal(provider);
  let portal: PortalHarness;
  beforeAll(() => {
    portal = harness();
  });

  async function signIn(userName: string) {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName, code: portal.nextCode(userName) },
    });
    expect(response.statusCode, response.body).toBe(200);
    return { cookie: sessionCookie(response), csrfToken: response.json().csrfToken as string, body: response.json() };
  }

  it('signs in with a code, sets a hardened cookie and tells who is an admin', async () => {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName: 'carol', code: portal.nextCode('carol') },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: { userName: 'carol', accountId: '111111111111', isAdmin: true } });
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const alice = await signIn('alice');
    expect(alice.body.user.isAdmin).toBe(false);
  });

  it('gives a fresh session id at sign-in (no fixation)', async () => {
    const planted = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      cookies: { portal_session: 'attacker-chosen' },
    });
    expect(planted.statusCode).toBe(401);
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      cookies: { portal_session: 'attacker-chosen' },
      payload: { userName: 'erin', code: portal.nextCode('erin') },
    });
    expect(sessionCookie(response)).not.toContain('attacker-chosen');
  });

  it('lists the roles the user may request, most recently used first', async () => {
    const { cookie, csrfToken } = await signIn('alice');
    const issued = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: { role: 'partner' },
    });
    expect(issued.statusCode, issued.body).toBe(200);
    const me = await portal.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    const { roles } = me.json() as MeResponse;
    expect(roles.map((r) => r.alias)).toEqual(['partner', 'deploy', 'readonly']);
    expect(roles[0]!.lastUsedAt).not.toBeNull();
    // The portal reads its own account's alias; another account's stays unknown.
    const aliasOf = Object.fromEntries(roles.map((r) => [r.alias, r.accountAlias]));
    expect(aliasOf).toEqual({ partner: null, deploy: 'demo', readonly: 'demo' });
  });

  it('requires the CSRF token for cookie requests that change state', async () => {
    const { cookie, csrfToken } = await signIn('alice');
    const missing = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { cookie },
      payload: { role: 'readonly' },
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error).toBe('csrf_failed');
    const wrong = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { cookie, 'x-csrf-token': 'x'.repeat(43) },
      payload: { role: 'readonly' },
    });
    expect(wrong.statusCode).toBe(403);
    const signOut = await portal.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie } });
    expect(signOut.statusCode).toBe(403);
    const ok = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: { role: 'readonly', format: 'all' },
    });
    expect(ok.statusCode).toBe(200);
    const bundle = ok.json();
    expect(Object.keys(bundle.formats).sort()).toEqual([
      'config',
      'credentials',
      'dotenv',
      'env',
      'env-no-export',
      'fish',
      'json',
      'powershell',
      'process',
      'windows-cmd',
    ]);
    expect(bundle.roleSessionName).toBe('alice');
    expect(bundle.formats.credentials.body).toContain(`[111111111111_ReadOnly]`);
  });

  it('assumes roles with the MFA session for up to one hour, longer only with a new code', async () => {
    const { cookie, csrfToken } = await signIn('alice');
    const headers = { cookie, 'x-csrf-token': csrfToken };
    const long = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers,
      payload: { role: 'readonly', durationSeconds: 7200 },
    });
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toMatch(/new code/);
    const withCode = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers,
      payload: { role: 'readonly', durationSeconds: 7200, code: portal.nextCode('alice'), format: 'json' },
    });
    expect(withCode.statusCode).toBe(200);
    expect(Date.parse(withCode.json().expiration) - Date.now()).toBeGreaterThan(7000 * 1000);
  });

  it('needs a new code for roles that demand a recent MFA sign-in once the session is older', async () => {
    const { cookie, csrfToken } = await signIn('carol');
    const headers = { cookie, 'x-csrf-token': csrfToken };
    const fresh = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers,
      payload: { role: 'admin' },
    });
    expect(fresh.statusCode, fresh.body).toBe(200);
    portal.advance(3601);
    const stale = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers,
      payload: { role: 'admin' },
    });
    expect(stale.statusCode).toBe(403);
    expect(stale.json()).toMatchObject({ error: 'role_not_assumable', message: expect.stringMatching(/new code/) });
    const newCode = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers,
      payload: { role: 'admin', code: portal.nextCode('carol') },
    });
    expect(newCode.statusCode, newCode.body).toBe(200);
  });

  it('hands a user their own MFA session credentials, and signs out for good', async () => {
    const { cookie, csrfToken } = await signIn('erin');
    const own = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session/credentials',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: { format: 'credentials', download: '1' },
    });
    expect(own.statusCode).toBe(200);
    expect(own.headers['content-disposition']).toBe('attachment; filename="credentials"');
    expect(own.headers['cache-control']).toBe('no-store');
    expect(own.body).toMatch(/aws_session_token = /);

    const out = await portal.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.statusCode).toBe(204);
    const after = await portal.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    const [row] = await portal.app.services.audit.query({ actor: 'erin', action: 'session.sign_out', limit: 1 });
    expect(row?.outcome).toBe('success');
  });

  it('keeps sessions in the database, so another portal instance serves them', async () => {
    const { cookie } = await signIn('alice');
    const rows = await portal.database.prisma.webSession.findMany();
    expect(rows.length).toBeGreaterThan(0);
    const sessionId = decodeURIComponent(cookie.split('=')[1]!).split('.')[0]!;
    expect(rows.some((r) => r.id === sessionId)).toBe(false); // stored hashed, not as the cookie's id
    for (const row of rows) expect(row.data).not.toMatch(/secretAccessKey|sessionToken/);
  });
});

describe.each(testDatabaseUrls())('credential_process tokens ($name)', (provider) => {
  const harness = useEnrolledPortal(provider);
  let portal: PortalHarness;
  beforeAll(() => {
    portal = harness();
  });

  it('buys a token with a code and serves credential_process JSON for it', async () => {
    const created = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/cli-tokens',
      payload: { userName: 'alice', code: portal.nextCode('alice') },
    });
    expect(created.statusCode).toBe(201);
    const { token, expiresAt } = created.json();
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const stored = await portal.database.prisma.cliToken.findMany();
    expect(JSON.stringify(stored)).not.toContain(token);

    const response = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/credentials/process?role=readonly',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      Version: 1,
      AccessKeyId: expect.stringMatching(/^ASIA/),
      Expiration: expect.any(String),
    });
    expect(response.headers['cache-control']).toBe('no-store');
    const [row] = await portal.app.services.audit.query({ actor: 'alice', action: 'credentials.process', limit: 1 });
    expect(row).toMatchObject({ outcome: 'success', roleSessionName: 'alice' });
  });

  it('drops expired MFA sessions with their tokens, and expired web sessions, in housekeeping', async () => {
    const created = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/cli-tokens',
      payload: { userName: 'erin', code: portal.nextCode('erin') },
    });
    expect(created.statusCode).toBe(201);
    const past = new Date(Date.now() - 1000);
    await portal.database.prisma.mfaSession.updateMany({ where: { userName: 'erin' }, data: { expiresAt: past } });
    await portal.database.prisma.webSession.create({ data: { id: 'expired-session', data: '{}', expiresAt: past } });
    await portal.app.services.housekeeping.sweepNow();
    expect(await portal.database.prisma.mfaSession.count({ where: { userName: 'erin' } })).toBe(0);
    expect(await portal.database.prisma.cliToken.count({ where: { userName: 'erin' } })).toBe(0);
    expect(await portal.database.prisma.webSession.count({ where: { id: 'expired-session' } })).toBe(0);
  });

  it('refuses missing, malformed and unknown tokens', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer nope', `Bearer amp_${'A'.repeat(43)}`]) {
      const response = await portal.app.inject({
        method: 'GET',
        url: '/api/v1/credentials/process?role=readonly',
        headers: authorization ? { authorization } : {},
      });
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_token');
    }
  });
});
