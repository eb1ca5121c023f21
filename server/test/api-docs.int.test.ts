import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PortalHarness, startPortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

/** /api/docs renders the OpenAPI document with files from this server, inside the strict CSP. */
describe('/api/docs', () => {
  let db: TestDatabase;
  let portal: PortalHarness;
  beforeAll(async () => {
    db = await testDatabaseUrls()[0]!.create();
    portal = await startPortalHarness({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });

  it('serves a page whose scripts and styles all come from this origin, under the strict CSP', async () => {
    const page = await portal.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // No inline script and nothing from another host: every src/href is relative.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const ref of refs) {
      expect(ref).not.toMatch(/^(https?:)?\/\//);
      const asset = await portal.app.inject({ method: 'GET', url: new URL(ref, 'http://x/api/docs/').pathname });
      expect(asset.statusCode, ref).toBe(200);
    }
  });

  it('points Swagger UI at the generated document, which carries the curl examples', async () => {
    const init = await portal.app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' });
    expect(init.statusCode).toBe(200);
    expect(init.body).toContain('/json');
    const doc = await portal.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(doc.statusCode).toBe(200);
    const { info, paths } = doc.json() as { info: { description: string }; paths: Record<string, unknown> };
    expect(info.description).toContain('curl -sS "$PORTAL/api/v1/credentials"');
    expect(info.description).toContain('`windows-cmd`');
    expect(Object.keys(paths)).toContain('/api/v1/credentials');
  });
});
