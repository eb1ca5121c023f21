import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiRequest } from './api/client.ts';
import { SessionState } from './session.svelte.ts';

interface Sent {
  method: string;
  path: string;
  csrfToken: string | undefined;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * The browser's fetch answered by a fake portal: sign-in opens a session, `endOnServer()` makes
 * it expire there, and every request is recorded with the CSRF header it carried.
 */
function fakePortal() {
  const sent: Sent[] = [];
  let signedIn = false;
  vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
    const method = init.method ?? 'GET';
    const headers = (init.headers ?? {}) as Record<string, string>;
    sent.push({ method, path, csrfToken: headers['x-csrf-token'] });
    if (path === '/api/v1/session' && method === 'POST') {
      signedIn = true;
      return json(200, {
        user: { userName: 'alice', accountId: '111111111111', isAdmin: false },
        csrfToken: 'token-1',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
    }
    if (!signedIn) return json(401, { error: 'session_expired', message: 'Your MFA session has expired.' });
    if (path === '/api/v1/session' && method === 'DELETE') {
      signedIn = false;
      return new Response(null, { status: 204 });
    }
    return json(200, {});
  });
  return {
    sent,
    endOnServer: () => {
      signedIn = false;
    },
  };
}

describe('SessionState with the API client', () => {
  let session: SessionState;
  beforeEach(() => {
    session = new SessionState();
  });
  afterEach(async () => {
    await session.signOut();
    vi.unstubAllGlobals();
  });

  it('sends the token of the session it opened with changes, and nothing once signed out', async () => {
    const portal = fakePortal();
    await session.signIn(' alice ', '123 456');
    await apiRequest('/api/v1/credentials', { method: 'POST', json: { role: 'dev' } });
    await session.signOut();
    await apiRequest('/api/v1/credentials', { method: 'POST', json: { role: 'dev' } }).catch(() => undefined);
    expect(portal.sent.map((request) => [request.method, request.path, request.csrfToken])).toEqual([
      ['POST', '/api/v1/session', undefined],
      ['POST', '/api/v1/credentials', 'token-1'],
      ['DELETE', '/api/v1/session', 'token-1'],
      ['POST', '/api/v1/credentials', undefined],
    ]);
    expect(session.endNotice).toMatch(/^You signed out/);
  });

  it('ends when any request learns the server has ended the session, and says why', async () => {
    const portal = fakePortal();
    await session.signIn('alice', '123456');
    let cleared = 0;
    session.onEnd(() => cleared++);
    portal.endOnServer();
    await apiRequest('/api/v1/me').catch(() => undefined);
    expect(session.status).toBe('signed-out');
    expect(session.user).toBeNull();
    expect(session.endNotice).toMatch(/^Your session has ended/);
    expect(cleared).toBe(1);
  });

  it('checks again after Retry-After when the portal was too busy to say whether it is signed in', async () => {
    vi.useFakeTimers();
    try {
      const answers = [
        new Response(JSON.stringify({ error: 'rate_limited', message: 'Rate limit exceeded, retry in 2 seconds' }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '2' },
        }),
        json(200, {
          user: { userName: 'alice', accountId: '111111111111', isAdmin: false },
          csrfToken: 'token-1',
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      ];
      vi.stubGlobal('fetch', async () => answers.shift() ?? json(401, { error: 'not_signed_in', message: '' }));
      await session.load();
      expect(session.status).toBe('signed-out');
      expect(session.loadError).toMatch(/./);
      await vi.advanceTimersByTimeAsync(1_900);
      expect(session.status).toBe('signed-out');
      await vi.advanceTimersByTimeAsync(200);
      expect(session.status).toBe('signed-in');
      expect(session.user?.userName).toBe('alice');
      expect(session.loadError).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
