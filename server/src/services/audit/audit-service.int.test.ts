import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabaseUrls } from '../../../test/test-databases.ts';
import { type Database, openDatabase } from '../../db/database.ts';
import { parseDatabaseUrl } from '../../db/database-url.ts';
import { defaultMigrationsDir } from '../../db/migration-files.ts';
import { applyMigrations } from '../../db/migrator.ts';
import { createKeyRing, generateMasterKey, parseMasterKey } from '../custody/secret-box.ts';
import { GENESIS_HASH } from './audit-chain.ts';
import { CheckpointError } from './audit-checkpoint.ts';
import { AuditAction } from './audit-events.ts';
import { auditKeysFrom } from './audit-key.ts';
import { createAuditRepository } from './audit-repository.ts';
import { createAuditService } from './audit-service.ts';

/** The migration that keyed the chain; rows written before it are plain SHA-256 with text metadata. */
const KEYING_MIGRATION = '20261202050000_keyed_audit_and_setup_binding';

/** Runs SQL on a database by URL, outside the code under test (`?` placeholders on both). */
async function execute(url: string, sql: string, params: unknown[] = []): Promise<void> {
  const target = parseDatabaseUrl(url);
  if (target.provider === 'sqlite') {
    const db = new BetterSqlite3(target.filePath);
    try {
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    let n = 0;
    await client.query(
      sql.replace(/\?/g, () => `$${++n}`),
      params,
    );
  } finally {
    await client.end();
  }
}

/** A row's hash as the portal computed it before keying: SHA-256 over the previous hash and content. */
function legacyHash(prevHash: string, row: { seq: number; id: string; time: Date; metadata: object }): string {
  const content = [row.seq, row.id, row.time.toISOString(), 'system', 'catalog.role_add', 'success'];
  const full = [...content, null, null, null, null, null, null, JSON.stringify(row.metadata)];
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(full)).digest('hex');
}

describe.each(testDatabaseUrls())('keyed audit chain ($name)', (provider) => {
  let testDb: TestDatabase;
  let database: Database;
  const master = parseMasterKey(generateMasterKey());
  const keys = auditKeysFrom(master);
  const next = parseMasterKey(generateMasterKey());
  const auditWith = (k = keys) =>
    createAuditService({ prisma: database.prisma, auditRepository: createAuditRepository(), keys: k });
  const entry = (n: number) => ({
    actor: 'alice',
    action: AuditAction.SignIn,
    outcome: 'success' as const,
    metadata: { n, zeta: 'last', alpha: true },
  });

  beforeAll(async () => {
    testDb = await provider.create({ migrate: false });
    // The schema as it was before keying, with two rows the old code wrote.
    const olderDir = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-migrations-'));
    const source = defaultMigrationsDir(provider.name);
    for (const name of await fs.readdir(source)) {
      if (name === KEYING_MIGRATION) continue;
      await fs.cp(path.join(source, name), path.join(olderDir, name), { recursive: true });
    }
    await applyMigrations(testDb.url, { migrationsDir: olderDir });
    await fs.rm(olderDir, { recursive: true, force: true });
    let prevHash = GENESIS_HASH;
    for (const seq of [1, 2]) {
      const row = { seq, id: `legacy-${seq}`, time: new Date(Date.UTC(2026, 0, seq)), metadata: { alias: `r${seq}` } };
      const hash = legacyHash(prevHash, row);
      const time = row.time.toISOString().replace('Z', provider.name === 'sqlite' ? '+00:00' : '');
      await execute(
        testDb.url,
        'INSERT INTO "AuditEvent" ("id", "seq", "time", "actor", "action", "outcome", "metadata", "prevHash", "hash") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [row.id, seq, time, 'system', 'catalog.role_add', 'success', JSON.stringify(row.metadata), prevHash, hash],
      );
      prevHash = hash;
    }
    await applyMigrations(testDb.url);
    database = await openDatabase(testDb.url);
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('keeps rows from before keying verifiable and keys every new row with an HMAC', async () => {
    const audit = auditWith();
    const first = await audit.append(entry(1));
    await audit.append(entry(2));
    expect(first.keyId).toBe(keys.current!.id);
    expect(await audit.verifyChain()).toMatchObject({ ok: true, checked: 4, keyedFromSeq: 3, head: { seq: 4 } });
    // The migrated metadata reads back as JSON, old rows and new alike.
    const rows = await audit.query({ limit: 10 });
    expect(rows.map((r) => r.metadata)).toEqual([
      { n: 2, zeta: 'last', alpha: true },
      { n: 1, zeta: 'last', alpha: true },
      { alias: 'r2' },
      { alias: 'r1' },
    ]);
  });

  it('detects a keyed row rewritten without the key, even with a recomputed plain hash', async () => {
    const audit = auditWith();
    const row = await audit.append(entry(3));
    const snapshot = await database.prisma.auditEvent.findUniqueOrThrow({ where: { seq: row.seq } });
    const forged = legacyHash(row.prevHash, { seq: row.seq, id: row.id, time: row.time, metadata: {} });
    try {
      // Someone with database access only: edits the row and computes the hash the old way.
      await database.prisma.auditEvent.update({
        where: { seq: row.seq },
        data: { actor: 'mallory', hash: forged, keyId: null },
      });
      expect(await audit.verifyChain()).toMatchObject({
        ok: false,
        brokenAtSeq: row.seq,
        problem: 'unkeyed_after_keyed',
      });
      await database.prisma.auditEvent.update({ where: { seq: row.seq }, data: { keyId: snapshot.keyId } });
      expect(await audit.verifyChain()).toMatchObject({ ok: false, brokenAtSeq: row.seq, problem: 'mismatch' });
    } finally {
      await database.prisma.auditEvent.update({ where: { seq: row.seq }, data: snapshot as never });
    }
    expect((await audit.verifyChain()).ok).toBe(true);
  });

  it('names the audit key it does not hold, and verifies with a retired master key configured', async () => {
    const rotated = auditWith(auditKeysFrom(next));
    expect(await rotated.verifyChain()).toMatchObject({
      ok: false,
      problem: 'unknown_key',
      missingKeyId: keys.current!.id,
    });
    const withPrevious = auditWith(auditKeysFrom(next, [master]));
    const row = await withPrevious.append(entry(4));
    expect(row.keyId).toBe(auditKeysFrom(next).current!.id);
    expect((await withPrevious.verifyChain()).ok).toBe(true);
    // The keys are not the master keys themselves, nor their ids.
    expect(keys.current!.id).not.toBe(createKeyRing(master).current.id);
    expect(keys.current!.key.equals(master.key)).toBe(false);
  });

  it('exports the head as a signed checkpoint that detects deleting the newest rows', async () => {
    const audit = auditWith(auditKeysFrom(next, [master]));
    const before = await audit.checkpoint();
    expect(before.checkpoint).toMatch(/^v1\.\d+\.[0-9a-f]{64}\.\d{8}T\d{6}Z\.[\w-]{12}\.[\w-]{43}$/);
    expect(before.checkpoint.split('.')[1]).toBe(String(before.seq));
    // Rows written after the checkpoint do not matter to it.
    await audit.append(entry(5));
    await expect(audit.verifyCheckpoint(before.checkpoint)).resolves.toMatchObject({ ok: true });

    const later = await audit.checkpoint();
    await audit.append(entry(6));
    // Deleting the newest rows leaves a chain that still links: only the checkpoint sees it.
    await database.prisma.auditEvent.deleteMany({ where: { seq: { gte: later.seq } } });
    expect((await audit.verifyChain()).ok).toBe(true);
    await expect(audit.verifyCheckpoint(later.checkpoint)).resolves.toMatchObject({
      ok: false,
      checkpointProblem: 'shorter',
      head: { seq: later.seq - 1 },
    });

    const tampered = later.checkpoint.replace(/\.(\d+)\./, (_, seq) => `.${Number(seq) - 1}.`);
    await expect(audit.verifyCheckpoint(tampered)).rejects.toThrow(CheckpointError);
    await expect(audit.verifyCheckpoint('not a checkpoint')).rejects.toThrow(/not an audit checkpoint/);
    await expect(
      auditWith(auditKeysFrom(parseMasterKey(generateMasterKey()))).verifyCheckpoint(before.checkpoint),
    ).rejects.toThrow(/does not hold/);
  });

  it('refuses to write an unkeyed row after keyed ones', async () => {
    const unkeyed = auditWith(auditKeysFrom(undefined));
    await expect(unkeyed.append(entry(7))).rejects.toMatchObject({ code: 'portal_not_configured' });
    await expect(unkeyed.checkpoint()).rejects.toMatchObject({ code: 'portal_not_configured' });
  });
});
