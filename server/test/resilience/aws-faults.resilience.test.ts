import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/logging.ts';
import { runScan, type SignedIn, signIn } from '../admin-fixtures.ts';
import { startEnrolledPortal } from '../enrolled-portal.ts';
import type { PortalHarness } from '../portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from '../test-databases.ts';
import { expectNoSecretsIn } from './secrets-sweep.ts';

/**
 * AWS failing in every way the emulator can (latency beyond the SDK's timeout, 5xx, throttling,
 * dropped connections, malformed XML) during sign-in, issuance and scans: a clear 503
 * aws_unavailable in bounded time, no partial state, and recovery as soon as AWS answers again.
 */
const FAULTS = {
  'latency beyond the SDK timeout': { latencyMs: 2_000 },
  '500 InternalFailure': { errorRate: 1, errorStatus: 500 },
  '503 ServiceUnavailable': { errorRate: 1, errorStatus: 503 },
  throttling: { throttleRate: 1 },
  'dropped connections': { dropConnections: 1 },
  'malformed XML': { malformedRate: 1 },
} as const;
/** Per-attempt timeout 0.5 s, 2 attempts with the SDK's backoff (production: 10 s, 3 attempts): well inside this. */
const BOUND_MS = 12_000;
const SDK_TEXT =
  /Throttling|Rate exceeded|InternalFailure|ServiceUnavailable|ECONNRESET|socket|XML|xml|Deserializ|stack|\n\s+at /;

describe('AWS faults', () => {
  let db: TestDatabase;
  let portal: PortalHarness;
  let admin: SignedIn;
  let logged = '';
  const secrets: string[] = [];

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
      // Group memberships cached, so an admin's request reaches the scan even while IAM fails.
      env: { COMPLIANCE_SCAN_INTERVAL_MINUTES: '0', GROUP_CACHE_SECONDS: '3600' },
      aws: { requestTimeoutMs: 500, maxAttempts: 2 },
      logger: { ...(loggerOptions({ logLevel: 'debug' }) as object), stream },
    });
    admin = await signIn(portal, 'carol');
    secrets.push(admin.cookie.split('=')[1]!, admin.csrfToken);
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });

  const setFaults = (faults: object) =>
    fetch(`${portal.emulator.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify(faults) });
  const clearFaults = () => fetch(`${portal.emulator.url}/__emulator/faults`, { method: 'DELETE' });
  const counts = async () => ({
    mfaSessions: await portal.database.prisma.mfaSession.count(),
    webSessions: await portal.database.prisma.webSession.count(),
    cliTokens: await portal.database.prisma.cliToken.count(),
    successes: await portal.database.prisma.auditEvent.count({ where: { outcome: 'success' } }),
  });

  async function expectAwsUnavailable(
    send: () => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>,
  ) {
    const before = await counts();
    const started = Date.now();
    const response = await send();
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expect(response.statusCode, response.body).toBe(503);
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'message', 'requestId']);
    expect(body.error).toBe('aws_unavailable');
    expect(response.headers['retry-after']).toBeDefined();
    expect(response.body).not.toMatch(SDK_TEXT);
    expect(response.headers['set-cookie']).toBeUndefined();
    // No MFA session without its credentials, no session, no token, no audit row claiming success.
    expect(await counts()).toEqual(before);
  }

  describe.each(Object.entries(FAULTS))('%s', (_name, faults) => {
    it('on STS: sign-in, issuance with a code, issuance for a session and CLI tokens answer 503 aws_unavailable and recover', async () => {
      const alice = await signIn(portal, 'alice');
      secrets.push(alice.cookie.split('=')[1]!, alice.csrfToken);
      await setFaults(faults);
      try {
        for (const [url, userName] of [
          ['/api/v1/session', 'erin'],
          ['/api/v1/credentials', 'erin'],
          ['/api/v1/cli-tokens', 'frank'],
          ['/api/v1/credentials', 'frank'],
        ] as const) {
          const code = portal.nextCode(userName);
          secrets.push(code);
          await expectAwsUnavailable(() =>
            portal.app.inject({
              method: 'POST',
              url,
              payload: url === '/api/v1/credentials' ? { userName, code, role: 'readonly' } : { userName, code },
            }),
          );
        }
        await expectAwsUnavailable(() =>
          portal.app.inject({
            method: 'POST',
            url: '/api/v1/credentials',
            headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrfToken },
            payload: { role: 'readonly' },
          }),
        );
      } finally {
        await clearFaults();
      }
      // Recovery: the next request with a fresh code works, with no restart.
      const code = portal.nextCode('erin');
      const ok = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/credentials',
        payload: { userName: 'erin', code, role: 'readonly' },
      });
      expect(ok.statusCode, ok.body).toBe(200);
      secrets.push(ok.json().secretAccessKey, ok.json().sessionToken);
      const again = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/credentials',
        headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrfToken },
        payload: { role: 'readonly' },
      });
      expect(again.statusCode, again.body).toBe(200);
      secrets.push(again.json().secretAccessKey, again.json().sessionToken);
    });
  });

  it.each(['malformed XML', '500 InternalFailure'] as const)(
    'on IAM during a scan (%s for a moment): the scan rides it out or fails cleanly, and the next one completes',
    async (name) => {
      await setFaults(FAULTS[name]);
      try {
        const start = await portal.app.inject({
          method: 'POST',
          url: '/api/v1/admin/compliance/scan',
          headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
        });
        expect(start.statusCode, start.body).toBe(202);
        expect(start.json().started).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 800));
      } finally {
        await clearFaults();
      }
      await runScan(portal);
      const progress = await portal.app.inject({
        method: 'GET',
        url: '/api/v1/admin/compliance/scan',
        headers: { cookie: admin.cookie },
      });
      const scan = progress.json().scan;
      expect(progress.body).not.toMatch(SDK_TEXT);
      // A failed scan leaves no half snapshot behind; the dashboard keeps answering.
      expect(await portal.database.prisma.complianceUser.count({ where: { scan: { status: 'failed' } } })).toBe(0);
      const dashboard = await portal.app.inject({
        method: 'GET',
        url: '/api/v1/admin/compliance',
        headers: { cookie: admin.cookie },
      });
      expect(dashboard.statusCode).toBeLessThan(500);
      if (scan.status === 'failed') {
        expect(scan.errorCode).toMatch(/^[a-z_]+$/);
        const retry = await portal.app.inject({
          method: 'POST',
          url: '/api/v1/admin/compliance/scan',
          headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
        });
        expect(retry.json().started).toBe(true);
        await runScan(portal);
      } else {
        expect(scan.status).toBe('complete');
      }
      const done = await portal.app.inject({
        method: 'GET',
        url: '/api/v1/admin/compliance/scan',
        headers: { cookie: admin.cookie },
      });
      expect(done.json().scan.status).toBe('complete');
    },
  );

  it('logged none of the codes, cookies, CSRF tokens or credentials', () => {
    expect(logged.length).toBeGreaterThan(1000);
    expectNoSecretsIn(logged, secrets);
  });
});
