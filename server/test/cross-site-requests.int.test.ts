import { beforeAll, describe, expect, it } from 'vitest';
import { type SignedIn, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import type { PortalHarness } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

const STATE_CHANGING = ['post', 'put', 'patch', 'delete'] as const;
type StateChangingMethod = (typeof STATE_CHANGING)[number];

/** Every state-changing route the OpenAPI document lists, with its path parameters filled in. */
async function stateChangingRoutes(
  portal: PortalHarness,
): Promise<Array<{ method: StateChangingMethod; url: string }>> {
  const document = (await portal.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
    paths: Record<string, Partial<Record<string, unknown>>>;
  };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    STATE_CHANGING.filter((method) => operations[method]).map((method) => ({
      method,
      url: path.replace(/\{[^}]+\}/g, 'alice'),
    })),
  );
}

describe.each(testDatabaseUrls())('cross-site requests ($name)', (provider) => {
  const harness = useEnrolledPortal(provider);
  let portal: PortalHarness;
  let admin: SignedIn;
  beforeAll(async () => {
    portal = harness();
    admin = await signIn(portal, 'carol');
  });

  const host = 'localhost:3000';
  const signInAs = (userName: string, code: string, headers: Record<string, string>) =>
    portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { host, ...headers },
      payload: { userName, code },
    });

  it("refuses a sign-in posted from another site's page (login CSRF) before the code is used", async () => {
    const code = portal.nextCode('alice');
    const foreign: Array<Record<string, string>> = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
      { origin: 'http://localhost:3000', 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of foreign) {
      const response = await signInAs('alice', code, headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(Object.keys(response.json()).sort()).toEqual(['error', 'message', 'requestId']);
      expect(response.json().error).toBe('cross_site_request');
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    // AWS never saw the code: the portal's own page can still use it.
    const own = await signInAs('alice', code, { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' });
    expect(own.statusCode, own.body).toBe(200);
  });

  it('keeps working for curl and scripts, which send no Origin', async () => {
    const response = await signInAs('erin', portal.nextCode('erin'), {});
    expect(response.statusCode, response.body).toBe(200);
    const issued = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { 'user-agent': 'curl/8.5.0' },
      payload: { userName: 'erin', code: portal.nextCode('erin'), role: 'readonly' },
    });
    expect(issued.statusCode, issued.body).toBe(200);
  });

  it('refuses every state-changing route from a foreign origin, signed in or not', async () => {
    const routes = await stateChangingRoutes(portal);
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'post /api/v1/session',
        'delete /api/v1/session',
        'post /api/v1/credentials',
        'post /api/v1/cli-tokens',
        'post /api/v1/admin/roles',
      ]),
    );
    for (const { method, url } of routes) {
      for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }]) {
        const response = await portal.app.inject({
          method: method.toUpperCase() as Uppercase<StateChangingMethod>,
          url,
          headers: { host, cookie: admin.cookie, 'x-csrf-token': admin.csrfToken, ...headers },
          payload: {},
        });
        expect(response.statusCode, `${method} ${url} ${JSON.stringify(headers)}`).toBe(403);
        expect(response.json().error).toBe('cross_site_request');
      }
    }
    // The admin's session survived all of that: nothing signed it out.
    const session = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: admin.cookie },
    });
    expect(session.statusCode).toBe(200);
  });

  it("serves the portal's own pages: same-origin requests change state as before", async () => {
    const own = { host, origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' };
    const alice = await signInAs('alice', portal.nextCode('alice'), own);
    expect(alice.statusCode, alice.body).toBe(200);
    const cookie = `portal_session=${alice.cookies.find((c) => c.name === 'portal_session')?.value}`;
    const issued = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { ...own, cookie, 'x-csrf-token': alice.json().csrfToken },
      payload: { role: 'readonly' },
    });
    expect(issued.statusCode, issued.body).toBe(200);
    const signOut = await portal.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { ...own, cookie, 'x-csrf-token': alice.json().csrfToken },
    });
    expect(signOut.statusCode, signOut.body).toBe(204);
  });

  it('leaves reading alone: a cross-site GET is answered as any other', async () => {
    const response = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/info',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(response.statusCode).toBe(200);
  });
});

describe.each(testDatabaseUrls().slice(0, 1))('cross-site requests with PUBLIC_URL ($name)', (provider) => {
  const harness = useEnrolledPortal(provider, { env: { PUBLIC_URL: 'http://portal.example.com:8080' } });
  let portal: PortalHarness;
  beforeAll(() => {
    portal = harness();
  });

  it("accepts state changes only from PUBLIC_URL's origin, and names it", async () => {
    const code = portal.nextCode('alice');
    // The page came from the portal's host under another name: not PUBLIC_URL, so refused.
    const other = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' },
      payload: { userName: 'alice', code },
    });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ error: 'cross_site_request' });
    expect(other.json().message).toContain('http://portal.example.com:8080');
    const own = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { origin: 'http://portal.example.com:8080', 'sec-fetch-site': 'same-origin' },
      payload: { userName: 'alice', code },
    });
    expect(own.statusCode, own.body).toBe(200);
  });
});
