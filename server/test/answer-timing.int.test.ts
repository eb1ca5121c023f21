import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PortalHarness, startPortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

/**
 * Rejections must not tell an attacker whether a user name exists: an unknown user is answered
 * exactly like a wrong code, and no sooner than the configured floor (which covers AWS's own
 * latency for a real verification).
 */
describe('rejected codes are answered alike', () => {
  let db: TestDatabase;
  let portal: PortalHarness;
  const floorMs = 300;

  beforeAll(async () => {
    db = await testDatabaseUrls()[0]!.create({ migrate: false });
    portal = await startPortalHarness({ databaseUrl: db.url, failureFloorMs: floorMs });
    await portal.app.services.custody.enroll('alice');
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });

  it('holds unknown users and wrong codes to the same minimum time and the same body', async () => {
    const bodies: string[] = [];
    for (const userName of ['alice', 'no-such-user']) {
      const started = performance.now();
      const response = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { userName, code: '000000' },
      });
      const elapsed = performance.now() - started;
      expect(response.statusCode).toBe(401);
      expect(elapsed).toBeGreaterThanOrEqual(floorMs - 5);
      const { requestId: _ignored, ...rest } = response.json();
      bodies.push(JSON.stringify(rest));
    }
    expect(bodies[0]).toBe(bodies[1]);
  });
});
