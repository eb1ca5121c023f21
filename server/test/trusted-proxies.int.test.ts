import { beforeAll, describe, expect, it } from 'vitest';
import { type SignedIn, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import type { PortalHarness } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

/**
 * X-Forwarded-* is believed only from the peers in TRUSTED_PROXIES; an https PUBLIC_URL works
 * behind such a proxy and refuses, with a reason, a sign-in whose Secure cookie would be dropped.
 */
describe.each(testDatabaseUrls())('trusted proxies ($name)', (provider) => {
  const harness = useEnrolledPortal(provider, { env: { TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8' } });
  let portal: PortalHarness;
  let admin: SignedIn;
  beforeAll(async () => {
    portal = harness();
    admin = await signIn(portal, 'carol');
  });

  /** Signs alice in from `remoteAddress` and returns the address her audit row records. */
  async function auditedAddress(remoteAddress: string, forwardedFor?: string): Promise<string | null> {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      remoteAddress,
      headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
      payload: { userName: 'alice', code: portal.nextCode('alice') },
    });
    expect(response.statusCode, response.body).toBe(200);
    const audit = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?actor=alice&action=session.sign_in&outcome=success&limit=1',
      headers: { cookie: admin.cookie },
    });
    expect(audit.statusCode, audit.body).toBe(200);
    return audit.json().events[0].sourceIp;
  }

  it('records the client named by a trusted proxy, IPv4 and IPv6', async () => {
    expect(await auditedAddress('10.1.2.3', '203.0.113.9')).toBe('203.0.113.9');
    expect(await auditedAddress('fd00::5', '2001:db8::7')).toBe('2001:db8::7');
    // Through two trusted hops: the client is the last address that is not a proxy.
    expect(await auditedAddress('10.1.2.3', '198.51.100.20, 10.9.9.9')).toBe('198.51.100.20');
    expect(await auditedAddress('10.1.2.3', '192.0.2.66, 198.51.100.20, 10.9.9.9')).toBe('198.51.100.20');
  });

  it('ignores X-Forwarded-For from any other peer, however many hops it claims', async () => {
    expect(await auditedAddress('198.51.100.7', '203.0.113.9')).toBe('198.51.100.7');
    expect(await auditedAddress('198.51.100.7', '203.0.113.9, 10.0.0.1')).toBe('198.51.100.7');
    expect(await auditedAddress('2001:db8::99', '203.0.113.9')).toBe('2001:db8::99');
    expect(await auditedAddress('10.1.2.3')).toBe('10.1.2.3');
  });
});

describe.each(testDatabaseUrls())('an https PUBLIC_URL behind a TLS proxy ($name)', (provider) => {
  const harness = useEnrolledPortal(provider, {
    env: { PUBLIC_URL: 'https://portal.example.com', TRUSTED_PROXIES: '10.0.0.2' },
  });
  let portal: PortalHarness;
  beforeAll(() => {
    portal = harness();
  });

  const browser = { origin: 'https://portal.example.com', 'sec-fetch-site': 'same-origin' };
  const signInFrom = (remoteAddress: string, headers: Record<string, string>, code: string) =>
    portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      remoteAddress,
      headers: { ...browser, ...headers },
      payload: { userName: 'erin', code },
    });

  it('sets a Secure session cookie that signs the browser in', async () => {
    const response = await signInFrom('10.0.0.2', { 'x-forwarded-proto': 'https' }, portal.nextCode('erin'));
    expect(response.statusCode, response.body).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'portal_session');
    expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
    const session = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      remoteAddress: '10.0.0.2',
      headers: { 'x-forwarded-proto': 'https', cookie: `portal_session=${cookie?.value}` },
    });
    expect(session.statusCode, session.body).toBe(200);
    expect(session.json().user.userName).toBe('erin');
  });

  it('refuses a sign-in that arrived over plain http instead of answering 200 without a cookie', async () => {
    const code = portal.nextCode('erin');
    for (const [remoteAddress, headers] of [
      ['10.0.0.2', {}], // the proxy forgot X-Forwarded-Proto
      ['198.51.100.7', { 'x-forwarded-proto': 'https' }], // not the proxy: its X-Forwarded-Proto is not believed
    ] as const) {
      const response = await signInFrom(remoteAddress, headers, code);
      expect(response.statusCode, remoteAddress).toBe(403);
      expect(response.json()).toMatchObject({ error: 'https_required' });
      expect(response.json().message).toContain('TRUSTED_PROXIES');
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    // Refused before AWS saw the code: it still signs in once the request comes the right way.
    const response = await signInFrom('10.0.0.2', { 'x-forwarded-proto': 'https' }, code);
    expect(response.statusCode, response.body).toBe(200);
  });
});
