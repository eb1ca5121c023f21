import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabaseUrls } from '../../../test/test-databases.ts';
import { type Database, openDatabase } from '../../db/database.ts';
import { generateMasterKey, parseMasterKey } from '../custody/secret-box.ts';
import { AuditAction } from './audit-events.ts';
import { auditKeysFrom } from './audit-key.ts';
import { type AuditRepository, createAuditRepository } from './audit-repository.ts';
import { createAuditService } from './audit-service.ts';
import { createChainVerifier } from './chain-verifier.ts';

describe.each(testDatabaseUrls())('chain verifier ($name)', (provider) => {
  let testDb: TestDatabase;
  let database: Database;
  const keys = auditKeysFrom(parseMasterKey(generateMasterKey()));
  /** Rows the verifier read from the database, by bySeqRange call. */
  let rowsRead: number[] = [];

  function stack() {
    const repository = createAuditRepository();
    const counting: AuditRepository = {
      ...repository,
      bySeqRange: async (...args) => {
        const rows = await repository.bySeqRange(...args);
        rowsRead.push(rows.length);
        return rows;
      },
    };
    const audit = createAuditService({ prisma: database.prisma, auditRepository: counting, keys });
    let clock = Date.UTC(2026, 11, 2, 12);
    const verifier = createChainVerifier(audit, () => {
      clock += 1000;
      return new Date(clock);
    });
    const appendMany = async (n: number) => {
      for (let i = 0; i < n; i++)
        await audit.append({ actor: 'alice', action: AuditAction.SignIn, outcome: 'success', metadata: { i } });
    };
    return { audit, verifier, appendMany };
  }
  const read = () => rowsRead.reduce((sum, n) => sum + n, 0);

  beforeAll(async () => {
    testDb = await provider.create();
    database = await openDatabase(testDb.url);
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('reads only the rows added since the last good walk, and says when the old ones were read', async () => {
    const { verifier, appendMany } = stack();
    await appendMany(30);
    rowsRead = [];
    const first = await verifier.check();
    expect(first).toMatchObject({ ok: true, checked: 30, scope: 'full' });
    expect(read()).toBe(30);

    await appendMany(5);
    rowsRead = [];
    const second = await verifier.check();
    expect(second).toMatchObject({ ok: true, checked: 35, scope: 'new_rows', fullCheckAt: first.fullCheckAt });
    expect(read()).toBe(1 + 5); // the old head row, then the new rows

    rowsRead = [];
    expect(await verifier.check({ full: true })).toMatchObject({ ok: true, checked: 35, scope: 'full' });
    expect(read()).toBe(35);
  });

  it('catches a rewritten head row, and a rewritten older row on the next full walk', async () => {
    const { audit, verifier, appendMany } = stack();
    await appendMany(3);
    const good = await verifier.check({ full: true });
    expect(good.ok).toBe(true);
    const headSeq = good.head!.seq;

    await database.prisma.auditEvent.update({ where: { seq: headSeq - 1 }, data: { actor: 'mallory' } });
    // Only the end of the chain is read again: a row rewritten in the middle waits for a full walk.
    expect(await verifier.check()).toMatchObject({ ok: true, scope: 'new_rows' });
    expect(await verifier.check({ full: true })).toMatchObject({ ok: false, brokenAtSeq: headSeq - 1, scope: 'full' });
    // After a broken verdict no ordinary check vouches for the old rows again.
    expect(await verifier.check()).toMatchObject({ ok: false, brokenAtSeq: headSeq - 1, scope: 'full' });
    await database.prisma.auditEvent.update({ where: { seq: headSeq - 1 }, data: { actor: 'alice' } });

    expect(await verifier.check()).toMatchObject({ ok: true, scope: 'full' });
    const head = await database.prisma.auditEvent.findUniqueOrThrow({ where: { seq: headSeq } });
    await database.prisma.auditEvent.update({ where: { seq: headSeq }, data: { hash: 'f'.repeat(64) } });
    expect(await verifier.check()).toMatchObject({ ok: false, brokenAtSeq: headSeq, scope: 'new_rows' });
    await database.prisma.auditEvent.update({ where: { seq: headSeq }, data: { hash: head.hash } });
    expect(await verifier.check()).toMatchObject({ ok: true, scope: 'full' });

    // A truncated end still links; the remembered head is what shows it (and, across restarts, a checkpoint).
    await database.prisma.auditEvent.delete({ where: { seq: headSeq } });
    expect(await verifier.check()).toMatchObject({ ok: false, brokenAtSeq: headSeq, scope: 'new_rows' });
    await audit.append({ actor: 'alice', action: AuditAction.SignIn, outcome: 'success' });
  });

  it('runs one walk for many concurrent checks', async () => {
    const fresh = await provider.create();
    const db = await openDatabase(fresh.url);
    try {
      const audit = createAuditService({ prisma: db.prisma, auditRepository: createAuditRepository(), keys });
      for (let i = 0; i < 5; i++) await audit.append({ actor: 'bob', action: AuditAction.SignIn, outcome: 'success' });
      let walks = 0;
      const verifier = createChainVerifier({
        verifyChain: (after) => {
          walks += 1;
          return audit.verifyChain(after);
        },
      });
      const answers = await Promise.all(Array.from({ length: 8 }, () => verifier.check()));
      expect(walks).toBe(1);
      expect(answers.every((a) => a.ok && a.checked === 5)).toBe(true);
      // A full walk requested while it runs is its own walk; ordinary checks then wait for it.
      const full = verifier.check({ full: true });
      const ordinary = await Promise.all([verifier.check(), verifier.check()]);
      expect(walks).toBe(2);
      expect(ordinary.every((a) => a.scope === 'full')).toBe(true);
      await full;
    } finally {
      await db.close();
      await fresh.drop();
    }
  });
});
