import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedIn, signIn } from './admin-fixtures.ts';
import { startEnrolledPortal } from './enrolled-portal.ts';
import type { PortalHarness } from './portal-harness.ts';
import { cannotMountTmpfs, mountSmallTmpfs, type SmallTmpfs } from './small-tmpfs.ts';

const cannotMount = cannotMountTmpfs();
if (cannotMount) console.warn(`SQLite disk-full test skipped: ${cannotMount}`);

const ISSUING_ACTIONS = ['credentials.issue', 'credentials.process', 'session.credentials'];
const ACCESS_KEY_ID = /ASIA[A-Z0-9]{16}/g;

/**
 * The portal's SQLite database on a small tmpfs that a filler file then fills: every write fails
 * with SQLITE_FULL. Issuance must refuse with 503 in the one error shape, and no credential may
 * reach a client without its audit row, although AWS (the emulator) did issue some; once the
 * filler is gone the same process issues again and the audit chain verifies.
 */
describe.skipIf(cannotMount !== null)(`SQLite on a full disk${cannotMount ? ` (skipped: ${cannotMount})` : ''}`, () => {
  let tmpfs: SmallTmpfs;
  let portal: PortalHarness;
  let alice: SignedIn;
  /** Every body the portal answered in this file, to find the access key ids that reached a client. */
  const bodies: string[] = [];

  beforeAll(async () => {
    const mounted = mountSmallTmpfs('24m');
    if ('cannotMount' in mounted) throw new Error(mounted.cannotMount);
    tmpfs = mounted;
    portal = await startEnrolledPortal({
      databaseUrl: `file:${path.join(tmpfs.dir, 'portal.db')}`,
      env: { COMPLIANCE_SCAN_INTERVAL_MINUTES: '0' },
    });
    alice = await signIn(portal, 'alice');
  });
  afterAll(async () => {
    try {
      await portal?.close();
    } finally {
      tmpfs?.unmount();
    }
  });

  async function issue(kind: 'code' | 'session' | 'sign-in') {
    const request =
      kind === 'code'
        ? { url: '/api/v1/credentials', payload: { userName: 'erin', code: portal.nextCode('erin'), role: 'readonly' } }
        : kind === 'session'
          ? {
              url: '/api/v1/credentials',
              headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrfToken },
              payload: { role: 'readonly' },
            }
          : { url: '/api/v1/session', payload: { userName: 'frank', code: portal.nextCode('frank') } };
    const response = await portal.app.inject({ method: 'POST', ...request });
    bodies.push(response.body);
    return response;
  }

  /** Access key ids of role sessions the emulator (AWS) has issued so far. */
  const roleSessionsAtAws = () =>
    [...portal.emulator.store.sessions.values()]
      .filter((s) => s.caller.kind === 'role-session')
      .map((s) => s.accessKeyId);

  async function auditedKeys(): Promise<Set<string>> {
    const rows = await portal.database.prisma.auditEvent.findMany({
      where: { action: { in: ISSUING_ACTIONS }, outcome: 'success' },
      select: { metadata: true },
    });
    return new Set(
      rows
        .map((row) => (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata))
        .map((metadata) => (metadata as { issuedAccessKeyId?: string } | null)?.issuedAccessKeyId)
        .filter((id): id is string => typeof id === 'string'),
    );
  }

  it('refuses with 503, hands out nothing unrecorded, and recovers without a restart once space is free', async () => {
    expect((await issue('session')).statusCode).toBe(200);
    const auditRowsBefore = await portal.database.prisma.auditEvent.count();
    const issuedAtAwsBefore = roleSessionsAtAws().length;

    // Moves the WAL's content into the database file and truncates the WAL: with pages of an old
    // WAL to reuse, SQLite keeps committing (correctly) on a full disk; now the next write needs
    // new space.
    await portal.database.prisma.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
    const filler = tmpfs.fill();
    try {
      // A code's attempt is recorded before AWS is asked (database_unavailable); a signed-in
      // request reaches AWS, whose credentials then stay here because their audit row failed.
      const expected = [
        ['code', 'database_unavailable'],
        ['session', 'audit_unavailable'],
        ['sign-in', 'database_unavailable'],
        ['session', 'audit_unavailable'],
      ] as const;
      for (const [kind, code] of expected) {
        const response = await issue(kind);
        expect(response.statusCode, `${kind}: ${response.body}`).toBe(503);
        const body = response.json();
        expect(Object.keys(body).sort()).toEqual(['error', 'message', 'requestId']);
        expect(body.error).toBe(code);
        expect(response.body).not.toMatch(/ASIA|secretAccessKey|sessionToken|SQLITE|disk|full/i);
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      // The emulator did issue role credentials during the outage: they exist at AWS, unrecorded,
      // and must be the ones that never left the portal.
      expect(roleSessionsAtAws().length).toBeGreaterThan(issuedAtAwsBefore);
    } finally {
      rmSync(filler);
    }
    expect(await portal.database.prisma.auditEvent.count()).toBe(auditRowsBefore);

    const recovered = await issue('session');
    expect(recovered.statusCode, recovered.body).toBe(200);
    expect((await issue('code')).statusCode).toBe(200);

    const audited = await auditedKeys();
    const received = [...new Set(bodies.flatMap((body) => body.match(ACCESS_KEY_ID) ?? []))];
    expect(received.length).toBe(3);
    expect(received.filter((id) => !audited.has(id))).toEqual([]);
    const unrecordedAtAws = roleSessionsAtAws().filter((id) => !audited.has(id));
    expect(unrecordedAtAws.length).toBeGreaterThan(0);
    expect(unrecordedAtAws.filter((id) => received.includes(id))).toEqual([]);
    expect(await portal.app.services.audit.verifyChain()).toMatchObject({ ok: true });
  });
});
