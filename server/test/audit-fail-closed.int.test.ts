import { describe, expect, it } from 'vitest';
import { sessionCookie, startPortalHarness } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

/** No audit row, no credentials: when the log cannot be written, nothing is issued. */
describe.each(testDatabaseUrls())('audit fails closed ($name)', ({ create }) => {
  it('answers 503 audit_unavailable and hands out no credentials', async () => {
    const db = await create({ migrate: false });
    const portal = await startPortalHarness({ databaseUrl: db.url });
    try {
      await portal.app.services.custody.enroll('alice');
      await portal.app.services.catalog.add({
        alias: 'readonly',
        roleArn: 'arn:aws:iam::111111111111:role/ReadOnly',
        users: ['*'],
      });
      const signIn = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { userName: 'alice', code: portal.nextCode('alice') },
      });
      expect(signIn.statusCode).toBe(200);

      // The audit table disappears (a broken disk, a bad migration, an operator's mistake).
      await portal.database.prisma.$executeRawUnsafe('ALTER TABLE "AuditEvent" RENAME TO "AuditEventGone"');
      const response = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/credentials',
        headers: { cookie: sessionCookie(signIn), 'x-csrf-token': signIn.json().csrfToken },
        payload: { role: 'readonly', format: 'json' },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toBe('audit_unavailable');
      expect(response.body).not.toMatch(/ASIA|secretAccessKey|sessionToken/);
    } finally {
      await portal.close();
      await db.drop();
    }
  });
});
