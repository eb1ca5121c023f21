import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, type Fetch } from './client.ts';

interface Sent {
  path: string;
  method: string;
  headers: Record<string, string>;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A client over a fake server: `answer` decides each response; every request is recorded. */
function clientWith(answer: (sent: Sent) => Response = () => json(200, {})) {
  const sent: Sent[] = [];
  const fetch: Fetch = async (path, init) => {
    const request: Sent = {
      path,
      method: init.method ?? 'GET',
      headers: (init.headers ?? {}) as Record<string, string>,
    };
    sent.push(request);
    return answer(request);
  };
  return { client: new ApiClient(fetch), sent };
}

const ended = (error: 'not_signed_in' | 'session_expired') =>
  json(401, { error, message: 'Sign in again.', requestId: 'req-1' });

describe('ApiClient CSRF token', () => {
  it('sends the session token with every request that changes state, never with reads', async () => {
    const { client, sent } = clientWith((request) =>
      request.method === 'DELETE' ? new Response(null, { status: 204 }) : json(200, {}),
    );
    client.useSession('token-1');
    await client.request('/api/v1/me');
    await client.request('/api/v1/credentials', { method: 'POST', json: { role: 'admin' } });
    await client.request('/api/v1/admin/roles/dev', { method: 'PATCH', json: {} });
    await client.request('/api/v1/admin/roles/dev', { method: 'DELETE' });
    expect(sent.map((request) => [request.method, request.headers['x-csrf-token']])).toEqual([
      ['GET', undefined],
      ['POST', 'token-1'],
      ['PATCH', 'token-1'],
      ['DELETE', 'token-1'],
    ]);
  });

  it('sends no token before a session is opened or after it is forgotten', async () => {
    const { client, sent } = clientWith();
    await client.request('/api/v1/session', { method: 'POST', json: { userName: 'alice', code: '123456' } });
    client.useSession('token-1');
    client.forgetSession();
    await client.request('/api/v1/session/credentials', { method: 'POST', json: {} });
    expect(sent.map((request) => request.headers['x-csrf-token'])).toEqual([undefined, undefined]);
  });

  it('reads the token when the request is made, so forgetting it right after still signs out', async () => {
    const { client, sent } = clientWith(() => new Response(null, { status: 204 }));
    client.useSession('token-1');
    const signOut = client.request('/api/v1/session', { method: 'DELETE' });
    client.forgetSession();
    await signOut;
    expect(sent[0]?.headers['x-csrf-token']).toBe('token-1');
  });
});

describe('ApiClient session-ended hook', () => {
  it('tells its listeners once and forgets the token when the server says the session is gone', async () => {
    for (const code of ['not_signed_in', 'session_expired'] as const) {
      const { client, sent } = clientWith(() => ended(code));
      let endings = 0;
      client.onSessionEnded(() => endings++);
      client.useSession('token-1');
      const error = await client.request('/api/v1/me').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe(code);
      expect(endings).toBe(1);
      await client.request('/api/v1/credentials', { method: 'POST', json: {} }).catch(() => undefined);
      expect(sent[1]?.headers['x-csrf-token']).toBeUndefined();
      // The token is gone, so the second 401 belongs to no session on this page.
      expect(endings).toBe(1);
    }
  });

  it('does not fire for other errors, nor without a session (the first check on page load)', async () => {
    const { client } = clientWith((request) =>
      request.path === '/api/v1/session'
        ? ended('not_signed_in')
        : json(401, { error: 'invalid_mfa_code', message: 'AWS did not accept that code.' }),
    );
    let endings = 0;
    client.onSessionEnded(() => endings++);
    await client.request('/api/v1/session').catch(() => undefined);
    client.useSession('token-1');
    await client.request('/api/v1/credentials', { method: 'POST', json: { code: '000000' } }).catch(() => undefined);
    expect(endings).toBe(0);
  });

  it('ignores a late 401 to a request of a session that has since been replaced', async () => {
    let answer!: (response: Response) => void;
    const client = new ApiClient(() => new Promise<Response>((resolve) => (answer = resolve)));
    let endings = 0;
    client.onSessionEnded(() => endings++);
    client.useSession('old-token');
    const old = client.request('/api/v1/me').catch(() => undefined);
    client.useSession('new-token');
    answer(ended('session_expired'));
    await old;
    expect(endings).toBe(0);
  });

  it('stops telling a listener that unregistered', async () => {
    const { client } = clientWith(() => ended('session_expired'));
    let endings = 0;
    const stop = client.onSessionEnded(() => endings++);
    stop();
    client.useSession('token-1');
    await client.request('/api/v1/me').catch(() => undefined);
    expect(endings).toBe(0);
  });
});

describe('ApiClient errors', () => {
  it('turns a network failure and a non-JSON answer into errors a person can act on', async () => {
    const offline = new ApiClient(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(offline.request('/api/v1/info')).rejects.toMatchObject({ status: 0, code: 'network_error' });
    const { client } = clientWith(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(client.request('/api/v1/info')).rejects.toMatchObject({
      status: 502,
      code: 'unexpected_response',
      message: 'The portal answered 502. Try again shortly.',
    });
  });
});
