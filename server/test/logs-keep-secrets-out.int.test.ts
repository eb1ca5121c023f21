import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../src/logging.ts';
import { type PortalHarness, sessionCookie, startPortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

/**
 * Everything the portal logs at the most verbose level while people sign in and take
 * credentials: no code, cookie, CSRF token, portal token, key secret or session token may appear.
 */
describe('logs', () => {
  let db: TestDatabase;
  let portal: PortalHarness;
  let logged = '';

  beforeAll(async () => {
    db = await testDatabaseUrls()[0]!.create({ migrate: false });
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    const options = loggerOptions({ logLevel: 'trace' });
    portal = await startPortalHarness({ databaseUrl: db.url, logger: { ...(options as object), stream } });
    await portal.app.services.custody.enroll('alice');
    await portal.app.services.catalog.add({
      alias: 'readonly',
      roleArn: 'arn:aws:iam::111111111111:role/ReadOnly',
      users: ['*'],
    });
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });

  it('never contain codes, cookies, tokens or credentials', async () => {
    const secrets: string[] = [];
    const signInCode = portal.nextCode('alice');
    const signIn = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName: 'alice', code: signInCode },
    });
    expect(signIn.statusCode).toBe(200);
    const cookie = sessionCookie(signIn);
    const csrfToken = signIn.json().csrfToken as string;
    secrets.push(signInCode, cookie.split('=')[1]!, csrfToken);

    const issued = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: { role: 'readonly', format: 'json' },
    });
    expect(issued.statusCode).toBe(200);
    secrets.push(issued.json().secretAccessKey, issued.json().sessionToken);

    const tokenCode = portal.nextCode('alice');
    const token = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/cli-tokens',
      payload: { userName: 'alice', code: tokenCode },
    });
    secrets.push(tokenCode, token.json().token);
    const wrong = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName: 'alice', code: '987654' },
    });
    expect(wrong.statusCode).toBe(401);
    secrets.push('987654');
    const enrolledSecret = portal.emulator.store.findUser('111111111111', 'alice')!.accessKeys!.at(-1)!.secret;
    secrets.push(enrolledSecret);

    expect(logged).toContain('"url":"/api/v1/session"'); // the requests really were logged
    for (const secret of secrets) expect(logged, `a secret reached the log`).not.toContain(secret);
  });
});

describe('request log lines', () => {
  it('are one per request at info level, with the address, status and time; the arrival only at debug', async () => {
    const db = await testDatabaseUrls()[0]!.create({ migrate: false });
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
        done();
      },
    });
    for (const logLevel of ['info', 'debug'] as const) {
      lines.length = 0;
      const portal = await startPortalHarness({
        databaseUrl: db.url,
        logger: { ...(loggerOptions({ logLevel }) as object), stream },
      });
      try {
        await portal.app.inject({ method: 'GET', url: '/api/v1/session?token=oops' });
        const about = lines.filter((l) => (l.req as { url?: string } | undefined)?.url?.startsWith('/api/v1/session'));
        const completed = about.filter((l) => l.msg === 'request completed');
        expect(completed).toHaveLength(1);
        expect(completed[0]).toMatchObject({
          req: { method: 'GET', url: '/api/v1/session?token=[redacted]' },
          res: { statusCode: 401 },
        });
        expect(typeof completed[0]!.responseTime).toBe('number');
        expect(about.filter((l) => l.msg === 'incoming request')).toHaveLength(logLevel === 'debug' ? 1 : 0);
        expect(about).toHaveLength(logLevel === 'debug' ? 2 : 1);
      } finally {
        await portal.close();
      }
    }
    await db.drop();
  });
});
