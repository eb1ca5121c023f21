import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabaseUrls } from '../../test/test-databases.ts';
import { parseDatabaseUrl } from './database-url.ts';
import { defaultMigrationsDir, readMigrations, sha256Hex } from './migration-files.ts';
import { applyMigrations, MigrationError } from './migrator.ts';

/** Runs one read query on a database by URL, outside the code under test. */
async function query(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const target = parseDatabaseUrl(url);
  if (target.provider === 'sqlite') {
    const db = new BetterSqlite3(target.filePath, { readonly: true });
    try {
      return db.prepare(sql).all(...params) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function tableNames(url: string): Promise<string[]> {
  const sql =
    parseDatabaseUrl(url).provider === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
      : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name";
  return (await query(url, sql)).map((r) => String(r.name));
}

async function migrationError(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

describe.each(testDatabaseUrls())('migrator on $name', ({ name: provider, create }) => {
  const committed = readMigrations(defaultMigrationsDir(provider), provider);
  let database: TestDatabase;
  let workDir: string;
  /** A private copy of the committed migrations that a test may change. */
  let migrationsDir: string;

  beforeEach(async () => {
    database = await create({ migrate: false });
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-migrations-'));
    migrationsDir = path.join(workDir, 'migrations');
    await fs.cp(defaultMigrationsDir(provider), migrationsDir, { recursive: true });
  });

  afterEach(async () => {
    await database.drop();
    await fs.rm(workDir, { recursive: true, force: true });
  });

  async function addMigration(name: string, sql: string): Promise<void> {
    await fs.mkdir(path.join(migrationsDir, name));
    await fs.writeFile(path.join(migrationsDir, name, 'migration.sql'), sql);
  }

  it('applies every committed migration to a fresh database and records it as Prisma does', async () => {
    const lines: string[] = [];
    const result = await applyMigrations(database.url, { log: (line) => lines.push(line) });

    expect(result).toEqual({ provider, applied: committed.map((m) => m.name), alreadyApplied: 0 });
    expect(lines).toHaveLength(committed.length);
    expect(await tableNames(database.url)).toEqual(expect.arrayContaining(['AuditEvent', '_prisma_migrations']));

    const rows = await query(database.url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(committed.map((m) => m.name));
    for (const [index, row] of rows.entries()) {
      const file = committed[index]!;
      expect(row.checksum).toBe(sha256Hex(file.sql));
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
    }
  });

  it('does nothing on a second run', async () => {
    await applyMigrations(database.url);
    const again = await applyMigrations(database.url);
    expect(again).toEqual({ provider, applied: [], alreadyApplied: committed.length });
    expect(await query(database.url, 'SELECT migration_name FROM "_prisma_migrations"')).toHaveLength(committed.length);
  });

  it('applies only new migrations to a database that has the earlier ones', async () => {
    await applyMigrations(database.url, { migrationsDir });
    await addMigration('29990101000000_add_note', 'CREATE TABLE "Note" ("id" TEXT NOT NULL PRIMARY KEY);');
    const result = await applyMigrations(database.url, { migrationsDir });
    expect(result.applied).toEqual(['29990101000000_add_note']);
    expect(result.alreadyApplied).toBe(committed.length);
    expect(await tableNames(database.url)).toContain('Note');
  });

  it('refuses to start when an applied migration was edited, and changes nothing', async () => {
    await applyMigrations(database.url, { migrationsDir });
    const first = path.join(migrationsDir, committed[0]!.name, 'migration.sql');
    await fs.appendFile(first, '\nCREATE TABLE "Sneaky" ("id" TEXT);\n');
    await addMigration('29990101000000_add_note', 'CREATE TABLE "Note" ("id" TEXT NOT NULL PRIMARY KEY);');

    const error = await migrationError(applyMigrations(database.url, { migrationsDir }));
    expect(error.code).toBe('checksum_mismatch');
    expect(error.message).toContain(`${committed[0]!.name} was modified after it was applied`);
    expect(await tableNames(database.url)).not.toContain('Note');
  });

  it('tolerates a checkout that only changed line endings', async () => {
    await applyMigrations(database.url, { migrationsDir });
    const first = path.join(migrationsDir, committed[0]!.name, 'migration.sql');
    await fs.writeFile(first, (await fs.readFile(first, 'utf8')).replaceAll('\n', '\r\n'));
    expect((await applyMigrations(database.url, { migrationsDir })).applied).toEqual([]);
  });

  it('refuses a database that a newer version migrated', async () => {
    await addMigration('29990101000000_from_the_future', 'CREATE TABLE "Future" ("id" TEXT NOT NULL PRIMARY KEY);');
    await applyMigrations(database.url, { migrationsDir });

    const error = await migrationError(applyMigrations(database.url));
    expect(error.code).toBe('unknown_migration');
    expect(error.message).toContain('29990101000000_from_the_future');
    expect(error.message).toContain('newer version');
  });

  it('rolls back a failing migration completely and keeps the ones before it', async () => {
    await addMigration('29990101000000_good', 'CREATE TABLE "Good" ("id" TEXT NOT NULL PRIMARY KEY);');
    // The first statement succeeds, the second fails: nothing of the migration may remain.
    await addMigration(
      '29990102000000_bad',
      'CREATE TABLE "Half" ("id" TEXT NOT NULL PRIMARY KEY);\nCREATE TABLE "Broken" (;\n',
    );

    const error = await migrationError(applyMigrations(database.url, { migrationsDir }));
    expect(error.code).toBe('migration_failed');
    expect(error.message).toContain('29990102000000_bad failed and was rolled back');
    const tables = await tableNames(database.url);
    expect(tables).toEqual(expect.arrayContaining(['AuditEvent', 'Good']));
    expect(tables).not.toContain('Half');
    const recorded = (await query(database.url, 'SELECT migration_name FROM "_prisma_migrations"')).map(
      (r) => r.migration_name,
    );
    expect(recorded).not.toContain('29990102000000_bad');

    // Fixed, it applies on the next start.
    await fs.writeFile(
      path.join(migrationsDir, '29990102000000_bad', 'migration.sql'),
      'CREATE TABLE "Half" ("id" TEXT NOT NULL PRIMARY KEY);\n',
    );
    expect((await applyMigrations(database.url, { migrationsDir })).applied).toEqual(['29990102000000_bad']);
  });

  it('refuses to continue after a migration another tool left unfinished', async () => {
    await applyMigrations(database.url);
    const started = provider === 'sqlite' ? new Date().toISOString() : new Date();
    await rawExec(
      database.url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('00000000-0000-4000-8000-000000000000', '${'a'.repeat(64)}', '${committed[0]!.name}_retry', ${provider === 'sqlite' ? `'${String(started)}'` : 'now()'}, 0)`,
    );
    const error = await migrationError(applyMigrations(database.url));
    expect(error.code).toBe('unfinished_migration');
  });

  it('refuses a migrations folder made for the other provider', async () => {
    await fs.writeFile(
      path.join(migrationsDir, 'migration_lock.toml'),
      `provider = "${provider === 'sqlite' ? 'postgresql' : 'sqlite'}"\n`,
    );
    const error = await migrationError(applyMigrations(database.url, { migrationsDir }));
    expect(error.code).toBe('migrations_unreadable');
  });
});

async function rawExec(url: string, sql: string): Promise<void> {
  const target = parseDatabaseUrl(url);
  if (target.provider === 'sqlite') {
    const db = new BetterSqlite3(target.filePath);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('migrator on SQLite', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-sqlite-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('creates the file and its missing parent folders, relative to the working directory', async () => {
    const result = await applyMigrations('file:./nested/data/portal.db', { cwd: dir });
    expect(result.applied.length).toBeGreaterThan(0);
    const db = new BetterSqlite3(path.join(dir, 'nested/data/portal.db'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('gives up with a clear message when another process holds the write lock too long', async () => {
    const url = `file:${path.join(dir, 'portal.db')}`;
    await applyMigrations(url);
    const holder = new BetterSqlite3(path.join(dir, 'portal.db'));
    holder.exec('BEGIN IMMEDIATE');
    try {
      const error = await migrationError(applyMigrations(url, { lockTimeoutMs: 200 }));
      expect(error.code).toBe('lock_timeout');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  async function migrationsWith(extra: Record<string, string>): Promise<string> {
    const migrationsDir = path.join(dir, 'migrations');
    await fs.cp(defaultMigrationsDir('sqlite'), migrationsDir, { recursive: true });
    for (const [name, sql] of Object.entries(extra)) {
      await fs.mkdir(path.join(migrationsDir, name));
      await fs.writeFile(path.join(migrationsDir, name, 'migration.sql'), sql);
    }
    return migrationsDir;
  }

  it("survives Prisma's table-rebuild migration without cascading deletes into child tables", async () => {
    const url = `file:${path.join(dir, 'portal.db')}`;
    const migrationsDir = await migrationsWith({
      '29990101000000_parent_child': [
        'CREATE TABLE "Parent" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT);',
        'CREATE TABLE "Child" ("id" TEXT NOT NULL PRIMARY KEY, "parentId" TEXT NOT NULL,',
        '    CONSTRAINT "Child_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Parent" ("id") ON DELETE CASCADE ON UPDATE CASCADE);',
        "INSERT INTO \"Parent\" VALUES ('p1', 'one');",
        "INSERT INTO \"Child\" VALUES ('c1', 'p1');",
      ].join('\n'),
      // What `prisma migrate dev` writes on SQLite to make "name" required.
      '29990102000000_rebuild_parent': [
        'PRAGMA defer_foreign_keys=ON;',
        'PRAGMA foreign_keys=OFF;',
        'CREATE TABLE "new_Parent" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT NOT NULL);',
        'INSERT INTO "new_Parent" ("id", "name") SELECT "id", "name" FROM "Parent";',
        'DROP TABLE "Parent";',
        'ALTER TABLE "new_Parent" RENAME TO "Parent";',
        'PRAGMA foreign_keys=ON;',
        'PRAGMA defer_foreign_keys=OFF;',
      ].join('\n'),
    });
    expect((await applyMigrations(url, { migrationsDir })).applied).toContain('29990102000000_rebuild_parent');
    expect(await query(url, 'SELECT id, parentId FROM "Child"')).toEqual([{ id: 'c1', parentId: 'p1' }]);
  });

  it('rolls back a migration that leaves rows violating a foreign key', async () => {
    const url = `file:${path.join(dir, 'portal.db')}`;
    const migrationsDir = await migrationsWith({
      '29990101000000_orphans': [
        'CREATE TABLE "Parent" ("id" TEXT NOT NULL PRIMARY KEY);',
        'CREATE TABLE "Child" ("id" TEXT NOT NULL PRIMARY KEY, "parentId" TEXT NOT NULL REFERENCES "Parent" ("id"));',
        "INSERT INTO \"Child\" VALUES ('c1', 'missing');",
      ].join('\n'),
    });
    const error = await migrationError(applyMigrations(url, { migrationsDir }));
    expect(error.code).toBe('migration_failed');
    expect(error.message).toContain('violating foreign keys');
    expect(await tableNames(url)).not.toContain('Child');
  });

  it('reports a path it cannot create instead of hanging', async () => {
    await fs.writeFile(path.join(dir, 'not-a-dir'), '');
    const error = await migrationError(applyMigrations(`file:${path.join(dir, 'not-a-dir', 'portal.db')}`));
    expect(error.code).toBe('database_unreachable');
    expect(error.message).toContain('is not a directory');
  });
});

const adminUrl = process.env.TEST_POSTGRES_URL?.trim();

describe.runIf(adminUrl)('migrator on PostgreSQL', () => {
  const [, postgres] = testDatabaseUrls();
  let database: TestDatabase;
  let workDir: string;

  beforeEach(async () => {
    database = await postgres!.create({ migrate: false });
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-migrations-'));
  });
  afterEach(async () => {
    await database.drop();
    await fs.rm(workDir, { recursive: true, force: true });
  });

  it('lets one of several instances starting together apply each migration exactly once', async () => {
    // A slow migration keeps the first runner busy long enough for the others to queue up.
    const migrationsDir = path.join(workDir, 'migrations');
    await fs.cp(defaultMigrationsDir('postgresql'), migrationsDir, { recursive: true });
    await fs.mkdir(path.join(migrationsDir, '29990101000000_slow'));
    await fs.writeFile(
      path.join(migrationsDir, '29990101000000_slow', 'migration.sql'),
      'SELECT pg_sleep(1);\nCREATE TABLE "Slow" ("id" TEXT NOT NULL PRIMARY KEY);\n',
    );
    const total = readMigrations(migrationsDir, 'postgresql').length;

    const started = Date.now();
    const results = await Promise.all([1, 2, 3].map(() => applyMigrations(database.url, { migrationsDir })));

    const appliers = results.filter((r) => r.applied.length > 0);
    expect(appliers).toHaveLength(1);
    expect(appliers[0]!.applied).toHaveLength(total);
    for (const waiter of results.filter((r) => r.applied.length === 0)) expect(waiter.alreadyApplied).toBe(total);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const rows = await query(
      database.url,
      'SELECT migration_name, COUNT(*) AS n FROM "_prisma_migrations" GROUP BY migration_name',
    );
    expect(rows).toHaveLength(total);
    for (const row of rows) expect(Number(row.n)).toBe(1);
  });

  it('gives up with a clear message when another runner holds the lock too long', async () => {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(72707369)');
      const error = await migrationError(applyMigrations(database.url, { lockTimeoutMs: 300 }));
      expect(error.code).toBe('lock_timeout');
      expect(error.message).toContain('is a migration still running?');
    } finally {
      await holder.end();
    }
    // Once the holder is gone, the lock is free again.
    expect((await applyMigrations(database.url)).applied.length).toBeGreaterThan(0);
  });

  it("migrates into the schema named by Prisma's ?schema= parameter", async () => {
    const url = `${database.url}?schema=tenant_a`;
    expect((await applyMigrations(url)).applied.length).toBeGreaterThan(0);
    const tables = await query(
      database.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'tenant_a' ORDER BY 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['AuditEvent', '_prisma_migrations']));
    expect(await tableNames(database.url)).not.toContain('AuditEvent');
    expect((await applyMigrations(url)).applied).toEqual([]);
  });

  it('reports an unreachable server without a stack trace', async () => {
    const error = await migrationError(applyMigrations('postgresql://postgres@127.0.0.1:1/portal'));
    expect(error.code).toBe('database_unreachable');
    expect(error.message).toBe('cannot connect to PostgreSQL 127.0.0.1:1/portal: connect ECONNREFUSED 127.0.0.1:1');
  });
});
