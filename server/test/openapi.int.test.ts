import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PortalHarness, startPortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

interface Operation {
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** The OpenAPI document is generated from the route schemas: it shows whether each route declares its answer. */
describe('the OpenAPI document', () => {
  let db: TestDatabase;
  let portal: PortalHarness;
  let operations: Array<[string, Operation]>;

  beforeAll(async () => {
    db = await testDatabaseUrls()[0]!.create();
    portal = await startPortalHarness({ databaseUrl: db.url });
    const response = await portal.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = response.json().paths as Record<string, Record<string, Operation>>;
    operations = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${path}`, operation]),
    );
  });

  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });

  it('declares a success response for every operation', () => {
    expect(operations.length).toBeGreaterThan(20);
    // "Open console" succeeds with a 302 to AWS; every other operation with a 2xx.
    const redirects = new Set(['GET /api/v1/console', 'POST /api/v1/console']);
    const lacking = operations
      .filter(
        ([name, operation]) =>
          !Object.keys(operation.responses ?? {}).some((status) =>
            (redirects.has(name) ? /^302$/ : /^2\d\d$/).test(status),
          ),
      )
      .map(([name]) => name);
    expect(lacking).toEqual([]);
  });

  it('documents a body for every success response but 204', () => {
    const bodiless = operations.flatMap(([name, operation]) =>
      Object.entries(operation.responses ?? {})
        .filter(([status, response]) => /^2\d\d$/.test(status) && status !== '204' && !response.content)
        .map(([status]) => `${name} ${status}`),
    );
    expect(bodiless).toEqual([]);
  });

  it('documents the credentials routes per media type', () => {
    const byName = Object.fromEntries(operations);
    for (const name of ['POST /api/v1/credentials', 'POST /api/v1/session/credentials']) {
      expect(Object.keys(byName[name]?.responses?.['200']?.content ?? {}).sort(), name).toEqual([
        'application/json',
        'text/plain',
      ]);
    }
    expect(Object.keys(byName['GET /api/v1/admin/compliance.csv']?.responses?.['200']?.content ?? {})).toEqual([
      'text/csv',
    ]);
  });
});
