import { beforeAll, describe, expect, it } from 'vitest';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { type PortalHarness, sessionCookie } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

describe.each(testDatabaseUrls())('sign-in lockouts in the admin console ($name)', (provider) => {
  const harness = useEnrolledPortal(provider);
  let portal: PortalHarness;
  let admin: { cookie: string; 'x-csrf-token': string };
  const lockoutUrl = (key: string) => `/api/v1/admin/lockouts/${encodeURIComponent(key)}`;
  const signIn = (userName: string, code: string, remoteAddress = '192.0.2.7') =>
    portal.app.inject({ method: 'POST', url: '/api/v1/session', payload: { userName, code }, remoteAddress });

  beforeAll(async () => {
    portal = harness();
    const carol = await signIn('carol', portal.nextCode('carol'), '127.0.0.1');
    expect(carol.statusCode).toBe(200);
    admin = { cookie: sessionCookie(carol), 'x-csrf-token': carol.json().csrfToken };
    // alice spends her budget at one address; erin only part of hers.
    for (let i = 0; i < 6; i++) await signIn('alice', '000000');
    await signIn('erin', '000000');
  });

  it('lists the budgets that are spent, with who, where, counts and until when', async () => {
    const response = await portal.app.inject({ method: 'GET', url: '/api/v1/admin/lockouts', headers: admin });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { lockouts } = response.json();
    expect(lockouts).toEqual([
      {
        key: 'user-ip:alice|192.0.2.7',
        budget: 'user_address',
        userName: 'alice',
        sourceIp: '192.0.2.7',
        failures: 5,
        limit: 5,
        refusals: 1,
        windowStart: expect.any(String),
        endsAt: expect.any(String),
        blockedAt: expect.any(String),
      },
    ]);
    const [lockout] = lockouts;
    expect(Date.parse(lockout.endsAt) - Date.parse(lockout.windowStart)).toBe(900_000);
  });

  it('lifts a lockout with the CSRF token, audited, and the user can sign in again', async () => {
    const key = 'user-ip:alice|192.0.2.7';
    expect((await signIn('alice', portal.nextCode('alice'))).statusCode).toBe(429);

    const withoutCsrf = await portal.app.inject({
      method: 'DELETE',
      url: lockoutUrl(key),
      headers: { cookie: admin.cookie },
    });
    expect(withoutCsrf.statusCode).toBe(403);
    const lifted = await portal.app.inject({ method: 'DELETE', url: lockoutUrl(key), headers: admin });
    expect(lifted.statusCode).toBe(204);

    const [row] = await portal.app.services.audit.query({ action: 'abuse.lockout_lift', limit: 1 });
    expect(row).toMatchObject({
      actor: 'carol',
      outcome: 'success',
      metadata: { budget: 'user_address', userName: 'alice', lockedSourceIp: '192.0.2.7', failures: 5, refusals: 2 },
    });
    expect((await signIn('alice', portal.nextCode('alice'))).statusCode).toBe(200);
    const after = await portal.app.inject({ method: 'GET', url: '/api/v1/admin/lockouts', headers: admin });
    expect(after.json().lockouts).toEqual([]);
  });

  it('answers 404 for a lockout that is not there, and only admins may look', async () => {
    for (const key of ['user-ip:alice|192.0.2.7', 'user:nobody', 'not-a-key']) {
      const response = await portal.app.inject({ method: 'DELETE', url: lockoutUrl(key), headers: admin });
      expect(response.statusCode).toBe(404);
      expect(response.json().error).toBe('lockout_not_found');
    }
    const erin = await signIn('erin', portal.nextCode('erin'));
    const notAdmin = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/admin/lockouts',
      headers: { cookie: sessionCookie(erin) },
    });
    expect(notAdmin.statusCode).toBe(403);
    expect(notAdmin.json().error).toBe('admin_required');
    const anonymous = await portal.app.inject({ method: 'GET', url: '/api/v1/admin/lockouts' });
    expect(anonymous.statusCode).toBe(401);
  });
});
