import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabaseUrls } from '../../test/test-databases.ts';
import { type Database, DatabaseUnavailableError, openDatabase } from './database.ts';
import { applyMigrations } from './migrator.ts';

const GENESIS = '0'.repeat(64);
const ROLE_RO = 'arn:aws:iam::123456789012:role/readonly';
const ROLE_ADMIN = 'arn:aws:iam::123456789012:role/admin';

/** Rows spread over actors, roles, actions and times, inserted out of time order. */
const events = [
  {
    seq: 1,
    time: '2026-03-01T10:00:00.000Z',
    actor: 'alice',
    action: 'session.sign_in',
    outcome: 'success',
    targetRoleArn: null,
  },
  {
    seq: 2,
    time: '2026-03-01T10:05:00.250Z',
    actor: 'alice',
    action: 'credentials.issue',
    outcome: 'success',
    targetRoleArn: ROLE_RO,
  },
  {
    seq: 3,
    time: '2026-03-01T09:00:00.000Z',
    actor: 'bob',
    action: 'credentials.issue',
    outcome: 'denied',
    targetRoleArn: ROLE_ADMIN,
  },
  {
    seq: 4,
    time: '2026-03-02T08:00:00.000Z',
    actor: 'bob',
    action: 'session.sign_in',
    outcome: 'failure',
    targetRoleArn: null,
  },
  {
    seq: 5,
    time: '2026-03-02T12:00:00.999Z',
    actor: 'alice',
    action: 'credentials.issue',
    outcome: 'success',
    targetRoleArn: ROLE_ADMIN,
  },
  {
    seq: 6,
    time: '2026-03-03T00:00:00.000Z',
    actor: 'system',
    action: 'catalog.role_add',
    outcome: 'success',
    targetRoleArn: ROLE_RO,
  },
] as const;

describe.each(testDatabaseUrls())('openDatabase on $name', ({ name: provider, create }) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await create();
    db = await openDatabase(testDb.url);
    for (const e of events) {
      await db.prisma.auditEvent.create({
        data: {
          ...e,
          time: new Date(e.time),
          prevHash: e.seq === 1 ? GENESIS : `hash-${e.seq - 1}`,
          hash: `hash-${e.seq}`,
        },
      });
    }
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('reports its provider and answers ping', async () => {
    expect(db.provider).toBe(provider);
    await expect(db.ping()).resolves.toBeUndefined();
  });

  it('round-trips every AuditEvent column through the Prisma client', async () => {
    const created = await db.prisma.auditEvent.create({
      data: {
        seq: 100,
        actor: 'carol',
        action: 'credentials.issue',
        targetRoleArn: ROLE_RO,
        roleSessionName: 'carol@example.com',
        outcome: 'success',
        errorCode: null,
        sourceIp: '2001:db8::1',
        userAgent: 'aws-cli/2.9 Python/3.11 Linux',
        requestId: 'req-1',
        metadata: { durationSeconds: 3600, accessKeyId: 'ASIAEXAMPLE' },
        prevHash: 'hash-6',
        hash: 'hash-100',
      },
    });
    // Defaults come from the schema: a UUIDv7 id and the current time, millisecond precision.
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(created.time.getTime() - Date.now())).toBeLessThan(60_000);
    const read = await db.prisma.auditEvent.findUniqueOrThrow({ where: { id: created.id } });
    expect(read).toEqual(created);
    expect(read.metadata).toEqual({ durationSeconds: 3600, accessKeyId: 'ASIAEXAMPLE' });
    await db.prisma.auditEvent.delete({ where: { id: created.id } });
  });

  it('keeps millisecond precision and orders by time', async () => {
    const rows = await db.prisma.auditEvent.findMany({ where: { seq: { lte: 6 } }, orderBy: { time: 'asc' } });
    expect(rows.map((r) => r.seq)).toEqual([3, 1, 2, 4, 5, 6]);
    expect(rows.find((r) => r.seq === 5)!.time.toISOString()).toBe('2026-03-02T12:00:00.999Z');
  });

  it('filters by time range (AuditEvent_time_idx)', async () => {
    const rows = await db.prisma.auditEvent.findMany({
      where: { time: { gte: new Date('2026-03-01T10:00:00.000Z'), lt: new Date('2026-03-02T12:00:00.999Z') } },
      orderBy: { time: 'desc' },
    });
    expect(rows.map((r) => r.seq)).toEqual([4, 2, 1]);
  });

  it('filters by actor and time (AuditEvent_actor_time_idx)', async () => {
    const rows = await db.prisma.auditEvent.findMany({
      where: { actor: 'alice', time: { gt: new Date('2026-03-01T10:00:00.000Z') } },
      orderBy: { time: 'desc' },
    });
    expect(rows.map((r) => r.seq)).toEqual([5, 2]);
  });

  it('filters by role and time (AuditEvent_targetRoleArn_time_idx)', async () => {
    const rows = await db.prisma.auditEvent.findMany({
      where: { targetRoleArn: ROLE_ADMIN },
      orderBy: { time: 'asc' },
    });
    expect(rows.map((r) => r.seq)).toEqual([3, 5]);
    const none = await db.prisma.auditEvent.findMany({
      where: { targetRoleArn: null, seq: { lte: 6 } },
      orderBy: { seq: 'asc' },
    });
    expect(none.map((r) => r.seq)).toEqual([1, 4]);
  });

  it('filters by action and time (AuditEvent_action_time_idx)', async () => {
    const rows = await db.prisma.auditEvent.findMany({
      where: { action: 'credentials.issue', time: { lte: new Date('2026-03-02T00:00:00.000Z') } },
      orderBy: [{ time: 'asc' }, { seq: 'asc' }],
    });
    expect(rows.map((r) => r.seq)).toEqual([3, 2]);
  });

  it('pages through the chain by seq and finds the head (AuditEvent_seq_key)', async () => {
    const head = await db.prisma.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
    expect(head).toEqual({ seq: 6, hash: 'hash-6' });
    const page = await db.prisma.auditEvent.findMany({ where: { seq: { lt: 5 } }, orderBy: { seq: 'desc' }, take: 2 });
    expect(page.map((r) => r.seq)).toEqual([4, 3]);
    expect(await db.prisma.auditEvent.count({ where: { outcome: 'success' } })).toBe(4);
  });

  it('rejects a second row at the same chain position with P2002', async () => {
    const error = await db.prisma.auditEvent
      .create({
        data: {
          seq: 6,
          actor: 'mallory',
          action: 'session.sign_in',
          outcome: 'success',
          prevHash: 'hash-5',
          hash: 'fork',
        },
      })
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('P2002');
  });

  it('rolls back an interactive transaction as a whole', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.auditEvent.create({
          data: { seq: 50, actor: 'dave', action: 'session.sign_in', outcome: 'success', prevHash: 'x', hash: 'y' },
        });
        throw new Error('the change this row records failed');
      }),
    ).rejects.toThrow('the change this row records failed');
    expect(await db.prisma.auditEvent.count({ where: { seq: 50 } })).toBe(0);
  });

  it.runIf(provider === 'sqlite')('sets the SQLite pragmas on its connection', async () => {
    const [journal] = await db.prisma.$queryRawUnsafe<Array<{ journal_mode: string }>>('PRAGMA journal_mode');
    const [fk] = await db.prisma.$queryRawUnsafe<Array<{ foreign_keys: bigint }>>('PRAGMA foreign_keys');
    const [busy] = await db.prisma.$queryRawUnsafe<Array<{ timeout: bigint }>>('PRAGMA busy_timeout');
    expect(journal!.journal_mode).toBe('wal');
    expect(Number(fk!.foreign_keys)).toBe(1);
    expect(Number(busy!.timeout)).toBe(5000);
  });

  it('can be closed twice', async () => {
    const other = await openDatabase(testDb.url);
    await other.ping();
    await other.close();
    await expect(other.close()).resolves.toBeUndefined();
  });
});

const adminUrl = process.env.TEST_POSTGRES_URL?.trim();

describe.runIf(adminUrl)('openDatabase on PostgreSQL specifics', () => {
  const [, postgres] = testDatabaseUrls();

  it("uses the schema named by Prisma's ?schema= parameter", async () => {
    const testDb = await postgres!.create({ migrate: false });
    const url = `${testDb.url}?schema=tenant_b&connection_limit=2`;
    await applyMigrations(url);
    const db = await openDatabase(url);
    try {
      await db.prisma.auditEvent.create({
        data: { seq: 1, actor: 'alice', action: 'session.sign_in', outcome: 'success', prevHash: GENESIS, hash: 'h' },
      });
      const [row] = await db.prisma.$queryRawUnsafe<Array<{ n: bigint }>>(
        'SELECT COUNT(*) AS n FROM tenant_b."AuditEvent"',
      );
      expect(Number(row!.n)).toBe(1);
    } finally {
      await db.close();
      await testDb.drop();
    }
  });

  it('fails ping quickly with DatabaseUnavailableError when the server is unreachable', async () => {
    const db = await openDatabase('postgresql://postgres@127.0.0.1:1/portal');
    try {
      const started = Date.now();
      await expect(db.ping()).rejects.toBeInstanceOf(DatabaseUnavailableError);
      expect(Date.now() - started).toBeLessThan(6_000);
    } finally {
      await db.close();
    }
  });
});
