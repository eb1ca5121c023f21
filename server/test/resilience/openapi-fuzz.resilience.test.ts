import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/logging.ts';
import { complianceState, type SignedIn, scanNow, signIn } from '../admin-fixtures.ts';
import { startEnrolledPortal } from '../enrolled-portal.ts';
import type { PortalHarness } from '../portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from '../test-databases.ts';
import { arbitraryFor, hostileString, type JsonSchema } from './schema-arbitraries.ts';
import { expectNoSecretsIn } from './secrets-sweep.ts';

/**
 * Every route of the OpenAPI document, fuzzed from its own schemas (fast-check) plus hostile
 * strings, wrong content types and duplicated parameters, signed in (user, admin) and not:
 * no 5xx, every error in the one shape, no stack trace or SDK/database text in any body.
 */
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? 70);
const LEAKS =
  /\n\s+at |node_modules|Prisma|prisma\.|@aws-sdk|SQLITE_|better-sqlite3|TypeError|ReferenceError|Cannot read prop|\.ts:\d+/;

interface Operation {
  method: string;
  path: string;
  parameters?: Array<{ name: string; in: string; schema?: JsonSchema; required?: boolean }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

describe('fuzzing every route of the OpenAPI document', () => {
  let db: TestDatabase;
  let portal: PortalHarness;
  let operations: Operation[] = [];
  let user: SignedIn;
  let admin: SignedIn;
  let logged = '';
  const secrets: string[] = [];
  let sent = 0;

  beforeAll(async () => {
    db = await testDatabaseUrls()[0]!.create({ migrate: false });
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    portal = await startEnrolledPortal({
      databaseUrl: db.url,
      state: complianceState(),
      env: { COMPLIANCE_SCAN_INTERVAL_MINUTES: '0', GROUP_CACHE_SECONDS: '3600' },
      logger: { ...(loggerOptions({ logLevel: 'info' }) as object), stream },
    });
    await scanNow(portal);
    user = await signIn(portal, 'alice');
    admin = await signIn(portal, 'carol');
    for (const s of [user, admin]) secrets.push(s.cookie.split('=')[1]!, s.csrfToken);
    const doc = (await portal.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
    );
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });

  function requestArbitrary(op: Operation): fc.Arbitrary<InjectOptions> {
    const params = op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    const scalar = (schema: JsonSchema | undefined) =>
      arbitraryFor(schema).map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')));
    return fc
      .record({
        path: fc.tuple(...pathParams.map((p) => scalar(p.schema))),
        query: fc.tuple(...queryParams.map((p) => fc.option(scalar(p.schema), { nil: undefined }))),
        duplicate: fc.boolean(),
        extraQuery: fc.option(fc.tuple(fc.constantFrom('__proto__', 'limit', 'role', 'x'), hostileString), {
          nil: undefined,
        }),
        body: arbitraryFor(bodySchema),
        encoding: fc.constantFrom('json', 'json', 'json', 'form', 'text', 'xml', 'none', 'broken-json'),
        auth: fc.constantFrom('none', 'user', 'user-no-csrf', 'admin', 'admin', 'bearer', 'forged'),
        address: fc.ipV4(),
      })
      .map(({ path, query, duplicate, extraQuery, body, encoding, auth, address }) => {
        let url = op.path;
        pathParams.forEach((p, i) => {
          url = url.replace(`{${p.name}}`, encodeURIComponent(path[i] ?? ''));
        });
        const search = new URLSearchParams();
        queryParams.forEach((p, i) => {
          const value = query[i];
          if (value === undefined) return;
          search.append(p.name, value);
          if (duplicate) search.append(p.name, value);
        });
        if (extraQuery) search.append(extraQuery[0], extraQuery[1]);
        const qs = search.toString();
        const headers: Record<string, string> = {};
        const session = auth.startsWith('user') ? user : auth === 'admin' ? admin : undefined;
        if (session) headers.cookie = session.cookie;
        if (session && auth !== 'user-no-csrf') headers['x-csrf-token'] = session.csrfToken;
        if (auth === 'bearer') headers.authorization = `Bearer ptk_${'A'.repeat(43)}`;
        if (auth === 'forged') headers.cookie = 'portal_session=forged.signature; portal_session=second';
        let payload: string | undefined;
        if (op.method !== 'GET' && op.method !== 'DELETE' && encoding !== 'none') {
          if (encoding === 'json')
            [headers['content-type'], payload] = ['application/json', JSON.stringify(body) ?? 'null'];
          else if (encoding === 'broken-json')
            [headers['content-type'], payload] = ['application/json', '{"userName": "al'];
          else if (encoding === 'form') {
            const form = new URLSearchParams();
            if (body && typeof body === 'object')
              for (const [k, v] of Object.entries(body))
                form.append(k, typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
            [headers['content-type'], payload] = ['application/x-www-form-urlencoded', form.toString()];
          } else if (encoding === 'text')
            [headers['content-type'], payload] = [
              'text/plain',
              typeof body === 'string' ? body : (JSON.stringify(body) ?? ''),
            ];
          else [headers['content-type'], payload] = ['application/xml', '<a>&xxe;</a>'];
        }
        return {
          method: op.method as InjectOptions['method'],
          url: qs ? `${url}?${qs}` : url,
          headers,
          remoteAddress: address,
          ...(payload !== undefined ? { payload } : {}),
        };
      });
  }

  it('answers every request below 500, in the one error shape, without leaking internals', async () => {
    expect(operations.length).toBeGreaterThan(20);
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op), async (request) => {
          sent++;
          const response = await portal.app.inject(request);
          const where = `${request.method} ${String(request.url).slice(0, 200)} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
          expect(response.statusCode, where).toBeLessThan(500);
          expect(response.body, where).not.toMatch(LEAKS);
          if (response.statusCode >= 400) {
            const body = response.json() as Record<string, unknown>;
            // The container-credentials route adds the SDKs' spellings (copies of error and message).
            const shape = op.path.startsWith('/api/v1/container-credentials/')
              ? ['Code', 'Message', 'code', 'error', 'message', 'requestId']
              : ['error', 'message', 'requestId'];
            expect(Object.keys(body).sort(), where).toEqual(shape);
            expect(body.error, where).toMatch(/^[a-z_]+$/);
            if (body.Code !== undefined)
              expect([body.Code, body.code, body.Message], where).toEqual([body.error, body.error, body.message]);
          }
        }),
        {
          numRuns: RUNS_PER_ROUTE,
          seed: Number(process.env.FUZZ_SEED ?? 20261202),
          endOnFailure: true,
          // The counterexample may hold 70 000-character strings: report the assertion only.
          reporter: (run) => {
            if (run.failed)
              throw new Error(
                `${op.method} ${op.path} (seed ${run.seed}): ${String(run.errorInstance).slice(0, 1500)}`,
              );
          },
        },
      );
    }
    expect(sent).toBeGreaterThan(2000);
    // About 35 s on an idle 2-core machine; the ceiling is for a busy one.
  }, 300_000);

  it('logged none of the cookies or CSRF tokens it used', () => {
    expectNoSecretsIn(logged, secrets);
  });
});
