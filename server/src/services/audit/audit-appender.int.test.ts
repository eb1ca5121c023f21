import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabaseUrls } from '../../../test/test-databases.ts';
import { type Database, openDatabase } from '../../db/database.ts';
import { generateMasterKey, parseMasterKey } from '../custody/secret-box.ts';
import { AuditAction } from './audit-events.ts';
import { auditKeysFrom } from './audit-key.ts';
import { createAuditRepository } from './audit-repository.ts';
import { createAuditService } from './audit-service.ts';
import { auditedTransaction } from './audited-transaction.ts';

/**
 * The chain has one head. Appends that arrive together are committed together (group commit),
 * so a crowd of issuances does not turn into a crowd of transactions colliding on `seq`; and
 * still no append resolves before its row is committed.
 */
describe.each(testDatabaseUrls())('audit group commit ($name)', (provider) => {
  let testDb: TestDatabase;
  let database: Database;
  const statements: string[] = [];
  const keys = auditKeysFrom(parseMasterKey(generateMasterKey()));
  const instance = () =>
    createAuditService({
      prisma: database.prisma,
      auditRepository: createAuditRepository(),
      keys,
      provider: provider.name,
    });
  const entry = (n: number) => ({
    actor: `user-${n}`,
    action: AuditAction.ProcessCredentials,
    outcome: 'success' as const,
    metadata: { n },
  });
  /** Statements that wrote audit rows (each is atomic: one INSERT, or one inside a transaction). */
  const inserts = () => statements.filter((q) => /^\s*INSERT INTO\s+\S*"?AuditEvent/i.test(q)).length;

  beforeAll(async () => {
    testDb = await provider.create();
    const log = {
      debug: (details: object) => statements.push(String((details as { query?: unknown }).query ?? '')),
      warn: () => {},
      error: () => {},
    };
    database = await openDatabase(testDb.url, { log, logQueries: true });
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('commits 64 appends that arrive at once in a few statements, as one chain that verifies', async () => {
    const audit = instance();
    statements.length = 0;
    const records = await Promise.all(Array.from({ length: 64 }, (_, n) => audit.append(entry(n))));
    // One transaction per row would be 64 inserts (more with retries on a collided head).
    expect(inserts()).toBeLessThanOrEqual(4);
    // Rows are chained in arrival order, with consecutive seqs.
    expect(records.map((r) => r.metadata?.n)).toEqual(Array.from({ length: 64 }, (_, n) => n));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 64 }, (_, n) => records[0]!.seq + n));
    expect(await audit.verifyChain()).toMatchObject({ ok: true, checked: 64 });
  });

  it('writes an append that arrives alone at once, in one statement on the head it knows', async () => {
    const audit = instance();
    await audit.append(entry(99));
    statements.length = 0;
    const record = await audit.append(entry(100));
    // No transaction, no head read: the INSERT alone (it fails on seq if the head had moved).
    expect(statements.filter((q) => !/^\s*(BEGIN|COMMIT)/i.test(q))).toHaveLength(1);
    expect(inserts()).toBe(1);
    expect((await database.prisma.auditEvent.findUnique({ where: { seq: record.seq } }))?.hash).toBe(record.hash);
  });

  it('keeps one verifiable chain when two instances and an audited transaction append at once', async () => {
    const [a, b] = [instance(), instance()];
    await Promise.all([a.append(entry(198)), b.append(entry(199))]);
    const before = await database.prisma.auditEvent.count();
    await Promise.all([
      ...Array.from({ length: 40 }, (_, n) => (n % 2 ? a : b).append(entry(200 + n))),
      // A change audited in its own transaction retries on a taken seq, as services do.
      auditedTransaction(database.prisma, (tx) => a.append(entry(250), tx)),
    ]);
    // Each instance's remembered head went stale under the other's rows: nothing lost or forked.
    await a.append(entry(251));
    await b.append(entry(252));
    expect(await database.prisma.auditEvent.count()).toBe(before + 43);
    expect(await a.verifyChain()).toMatchObject({ ok: true, checked: before + 43 });
  });

  it('rejects every append of a group whose transaction fails, and writes none of them', async () => {
    const audit = instance();
    const before = await database.prisma.auditEvent.count();
    await database.prisma.$executeRawUnsafe('ALTER TABLE "AuditEvent" RENAME TO "AuditEventGone"');
    let outcomes: PromiseSettledResult<unknown>[];
    try {
      outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => audit.append(entry(300 + n))));
    } finally {
      await database.prisma.$executeRawUnsafe('ALTER TABLE "AuditEventGone" RENAME TO "AuditEvent"');
    }
    expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill('rejected'));
    expect(await database.prisma.auditEvent.count()).toBe(before);
    // The appender is not stuck: the next append is written.
    await audit.append(entry(400));
    expect(await audit.verifyChain()).toMatchObject({ ok: true, checked: before + 1 });
  });
});
