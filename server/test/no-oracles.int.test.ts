import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { type PortalHarness, sessionCookie } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

const FLOOR_MS = 300;
// carol spends 3 attempts over these tests (two wrong codes, one replay): a right code gives back
// only its own attempt, so the budget must leave room for her last, honest answer.
const FAILURE_LIMIT = 4;
const WRONG_CODE = '000000';

/**
 * Nothing a caller without a valid code can learn from an answer: before AWS accepts the code,
 * every rejection is the same 401 after the same floor, and it spends the attempt budget. Only
 * once AWS accepted the code does the portal say what is wrong with the request.
 */
describe.each(testDatabaseUrls())('no oracles before AWS accepts the code ($name)', (provider) => {
  const harness = useEnrolledPortal(provider, {
    failureFloorMs: FLOOR_MS,
    env: { MFA_FAILURE_LIMIT: String(FAILURE_LIMIT) },
  });
  let portal: PortalHarness;
  beforeAll(() => {
    portal = harness();
  });

  const timed = async (request: InjectOptions) => {
    const started = performance.now();
    const response = await portal.app.inject(request);
    return { response, elapsed: performance.now() - started };
  };
  const bodyOf = (response: LightMyRequestResponse) => {
    const { requestId: _ignored, ...rest } = response.json();
    return rest;
  };
  const credentials = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    timed({ method: 'POST', url: '/api/v1/credentials', payload, headers });

  it('answers an unknown user, an unknown role, a role not granted and a bad duration alike', async () => {
    const signIn = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName: 'erin', code: portal.nextCode('erin') },
    });
    expect(signIn.statusCode).toBe(200);
    const browser = { cookie: sessionCookie(signIn), 'x-csrf-token': signIn.json().csrfToken };

    const answers = [
      await credentials({ userName: 'nobody', code: WRONG_CODE, role: 'readonly' }),
      await credentials({ userName: 'alice', code: WRONG_CODE, role: 'no-such-role' }),
      // carol is in portal-admins, not developers; Admin allows sessions of at most an hour.
      await credentials({ userName: 'carol', code: WRONG_CODE, role: 'deploy' }),
      await credentials({ userName: 'carol', code: WRONG_CODE, role: 'admin', durationSeconds: 7200 }),
      // A signed-in browser asking with a fresh code, for a role erin (group ops) is not granted.
      await credentials({ code: WRONG_CODE, role: 'deploy' }, browser),
    ];
    const expected = {
      error: 'invalid_mfa_code',
      message: 'That MFA code was not accepted. Wait for the next code from your device and try again.',
    };
    for (const { response, elapsed } of answers) {
      expect(response.statusCode).toBe(401);
      expect(bodyOf(response)).toEqual(expected);
      expect(elapsed).toBeGreaterThanOrEqual(FLOOR_MS - 5);
    }
  });

  it('counts a refused duration with a wrong code against the budget', async () => {
    // frank's MFA-session path caps role sessions at an hour: 7200 s is refused, but only after
    // AWS judged the code, so each wrong code spends frank's budget and a right one then waits.
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      await credentials({ userName: 'frank', code: WRONG_CODE, role: 'readonly', durationSeconds: 7200 });
    }
    const { response } = await credentials({ userName: 'frank', code: portal.nextCode('frank'), role: 'readonly' });
    expect(response.statusCode).toBe(429);
    expect(response.json().error).toBe('too_many_attempts');
  });

  it('says what is wrong only after AWS accepted (and spent) the code', async () => {
    const code = portal.nextCode('carol');
    const unknown = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'carol', code, role: 'no-such-role' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('unknown_role');
    // AWS verified the code to let the portal answer honestly, so it cannot be used again.
    const replay = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'carol', code, role: 'readonly' },
    });
    expect(replay.statusCode).toBe(401);

    const notGranted = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'carol', code: portal.nextCode('carol'), role: 'deploy' },
    });
    expect(notGranted.statusCode).toBe(403);
    expect(notGranted.json().error).toBe('role_not_allowed');
  });

  it('refuses a request it cannot render before AWS is asked, so nothing is issued or spent', async () => {
    const issuedBefore = await portal.app.services.audit.query({
      actor: 'erin',
      action: 'credentials.issue',
      outcome: 'success',
      limit: 100,
    });
    const code = portal.nextCode('erin');
    // The config format names the portal URL, which must be https for a host other than localhost.
    const unrenderable = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { host: 'portal.example.com' },
      payload: { userName: 'erin', code, role: 'readonly', format: 'all' },
    });
    expect(unrenderable.statusCode).toBe(400);
    expect(unrenderable.json().error).toBe('invalid_request');
    expect(unrenderable.body).not.toMatch(/ASIA|secretAccessKey/);
    const issuedAfter = await portal.app.services.audit.query({
      actor: 'erin',
      action: 'credentials.issue',
      outcome: 'success',
      limit: 100,
    });
    expect(issuedAfter).toHaveLength(issuedBefore.length);
    // The code was never shown to AWS, so it still works.
    const ok = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'erin', code, role: 'readonly', format: 'json' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('never lets a "*" grant cover a user the portal has not enrolled', async () => {
    const { catalog } = portal.app.services;
    expect((await catalog.rolesFor('alice')).map((r) => r.alias)).toContain('readonly');
    expect((await catalog.rolesFor('dave')).map((r) => r.alias)).not.toContain('readonly');
    await expect(catalog.resolve('dave', 'readonly')).rejects.toMatchObject({ statusCode: 403 });
  });

  it('issues nothing more to a user unenrolled after signing in, by browser session or CLI token', async () => {
    const signIn = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName: 'alice', code: portal.nextCode('alice') },
    });
    expect(signIn.statusCode).toBe(200);
    const browser = { cookie: sessionCookie(signIn), 'x-csrf-token': signIn.json().csrfToken };
    const token = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/cli-tokens',
      payload: { userName: 'alice', code: portal.nextCode('alice') },
    });
    expect(token.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${token.json().token}` };
    const before = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/credentials/process?role=readonly',
      headers: bearer,
    });
    expect(before.statusCode).toBe(200);

    // Unenrolled in the database only (the IAM key stays valid), as another instance, a restore
    // or an operator's cleanup could leave it: the portal still must not act for alice.
    await portal.database.prisma.enrolledUser.delete({ where: { userNameKey: 'alice' } });

    const answers = [
      await portal.app.inject({
        method: 'POST',
        url: '/api/v1/credentials',
        headers: browser,
        payload: { role: 'readonly', format: 'json' },
      }),
      await portal.app.inject({
        method: 'POST',
        url: '/api/v1/session/credentials',
        headers: browser,
        payload: { format: 'json' },
      }),
      await portal.app.inject({ method: 'GET', url: '/api/v1/credentials/process?role=readonly', headers: bearer }),
    ];
    for (const response of answers) {
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.body).not.toMatch(/ASIA|secretAccessKey|SecretAccessKey/);
    }
  });
});
