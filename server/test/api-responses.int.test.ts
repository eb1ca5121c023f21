import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../src/services/export/csv.ts';
import { type SignedIn, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import type { PortalHarness } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

/** A user agent that, split on ";" as many locales' spreadsheets do, would put a live formula in a cell. */
const HOSTILE_AGENT = "curl;=cmd|' /C calc'!A0;";

describe.each(testDatabaseUrls())('API responses ($name)', (provider) => {
  const harness = useEnrolledPortal(provider);
  let portal: PortalHarness;
  let admin: SignedIn;
  beforeAll(async () => {
    portal = harness();
    admin = await signIn(portal, 'carol');
  });

  it('are never cached: every GET the API offers, signed in as an admin or not', async () => {
    const document = (await portal.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const urls = Object.entries(document.paths)
      .filter(([, operations]) => operations.get)
      .map(([path]) => path.replace(/\{[^}]+\}/g, 'alice'));
    expect(urls).toEqual(expect.arrayContaining(['/api/v1/session', '/api/v1/me', '/api/v1/admin/audit']));
    for (const url of [...urls, '/api/openapi.json']) {
      for (const headers of [{ cookie: admin.cookie }, {}]) {
        const response = await portal.app.inject({ method: 'GET', url, headers });
        expect(response.headers['cache-control'], `${url} (${response.statusCode})`).toBe('no-store');
      }
    }
  });

  it('are never cached when they are errors', async () => {
    const answers = await Promise.all([
      portal.app.inject({ method: 'GET', url: '/api/v1/session' }), // 401
      portal.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' }), // 404
      portal.app.inject({ method: 'GET', url: '/api' }), // 404
      portal.app.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=9999', headers: { cookie: admin.cookie } }), // 400
      portal.app.inject({ method: 'POST', url: '/api/v1/session', headers: { origin: 'https://evil.example' } }), // 403
      portal.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers: { 'content-type': 'application/xml' },
        payload: 'x',
      }), // 415
    ]);
    expect(answers.map((r) => r.statusCode)).toEqual([401, 404, 404, 400, 403, 415]);
    for (const response of answers) {
      expect(response.headers['cache-control'], response.body).toBe('no-store');
      expect(Object.keys(response.json()).sort()).toEqual(['error', 'message', 'requestId']);
    }
  });

  it('keep a hostile user agent in one inert cell of the audit CSV export', async () => {
    const signedIn = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'user-agent': HOSTILE_AGENT },
      payload: { userName: 'frank', code: portal.nextCode('frank') },
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const csv = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit.csv?actor=frank',
      headers: { cookie: admin.cookie },
    });
    expect(csv.statusCode, csv.body).toBe(200);
    const line = csv.body.split('\r\n').find((l) => l.includes('curl'));
    expect(line).toContain(`,"${HOSTILE_AGENT}",`);
    const [header, ...rows] = parseCsv(csv.body);
    const agent = header!.indexOf('user_agent');
    expect(rows.map((row) => row[agent])).toContain(HOSTILE_AGENT);
    // No cell a ";"-splitting spreadsheet would make of it starts a formula outside the quotes.
    const unquoted = line!.replace(/"(?:[^"]|"")*"/g, '""');
    expect(unquoted.split(/[;,\t]/).filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
  });
});
