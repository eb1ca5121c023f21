import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedIn, signIn } from '../admin-fixtures.ts';
import { startEnrolledPortal } from '../enrolled-portal.ts';
import type { PortalHarness } from '../portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from '../test-databases.ts';

/**
 * SQLite that can no longer be written (query_only: every write fails with SQLITE_READONLY, as on
 * a volume remounted read-only). The portal must refuse issuance with 503 and hand out nothing it
 * could not record. A full disk (SQLITE_FULL) takes the same path (error-handler.test.ts); pinning
 * max_page_count did not fill every table's pages reliably enough to test it end to end here.
 */
describe.each([['read-only', 'PRAGMA query_only = 1', 'PRAGMA query_only = 0']] as const)(
  'SQLite %s',
  (_name, breakIt, repair) => {
    let db: TestDatabase;
    let portal: PortalHarness;
    let alice: SignedIn;

    beforeAll(async () => {
      db = await testDatabaseUrls()[0]!.create({ migrate: false });
      portal = await startEnrolledPortal({ databaseUrl: db.url, env: { COMPLIANCE_SCAN_INTERVAL_MINUTES: '0' } });
      alice = await signIn(portal, 'alice');
    });
    afterAll(async () => {
      await portal?.close();
      await db?.drop();
    });

    async function unwritable(): Promise<void> {
      const prisma = portal.database.prisma;
      await prisma.$queryRawUnsafe(breakIt);
    }

    it('refuses issuance with 503, hands out no credentials, writes no audit row, and recovers', async () => {
      const auditBefore = await portal.database.prisma.auditEvent.count();
      await unwritable();
      try {
        const withCode = await portal.app.inject({
          method: 'POST',
          url: '/api/v1/credentials',
          payload: { userName: 'erin', code: portal.nextCode('erin'), role: 'readonly' },
        });
        const withSession = await portal.app.inject({
          method: 'POST',
          url: '/api/v1/credentials',
          headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrfToken },
          payload: { role: 'readonly' },
        });
        const signInAttempt = await portal.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { userName: 'frank', code: portal.nextCode('frank') },
        });
        for (const response of [withCode, withSession, signInAttempt]) {
          expect(response.statusCode, response.body).toBe(503);
          // audit_unavailable: the credentials were not handed out because their audit row failed.
          expect(['database_unavailable', 'audit_unavailable']).toContain(response.json().error);
          expect(response.body).not.toMatch(/ASIA|secretAccessKey|sessionToken|SQLITE|readonly database|full/i);
          expect(response.headers['set-cookie']).toBeUndefined();
        }
      } finally {
        await portal.database.prisma.$queryRawUnsafe(repair);
      }
      expect(await portal.database.prisma.auditEvent.count()).toBe(auditBefore);
      const ok = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/credentials',
        headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrfToken },
        payload: { role: 'readonly' },
      });
      expect(ok.statusCode, ok.body).toBe(200);
    });
  },
);
