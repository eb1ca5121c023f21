import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import type { SqliteTarget } from './database-url.ts';
import { type DriverOptions, type MigrationDriver, toDate } from './migration-driver.ts';
import { MigrationError } from './migration-errors.ts';
import type { MigrationFile } from './migration-files.ts';
import type { AppliedMigration } from './migration-plan.ts';
import { ensureParentDirectory } from './sqlite-file.ts';

// Same columns and types as the table the Prisma schema engine creates on SQLite, so the Prisma
// CLI (`migrate status`, `migrate deploy`) reads our history as its own.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

interface MigrationRow {
  migration_name: string;
  checksum: string;
  started_at: unknown;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/**
 * Switches a file to WAL. On a new file that another process is switching at the same moment,
 * SQLite answers SQLITE_BUSY at once rather than through the busy handler (waiting could
 * deadlock), so the switch is retried until the lock timeout.
 */
function setWalMode(db: BetterSqlite3.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const busy = (error as { code?: string }).code?.startsWith('SQLITE_BUSY') === true;
      if (!busy || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 20);
    }
  }
}

/**
 * SQLite: the lock is one `BEGIN IMMEDIATE` transaction held for the whole run (SQLite allows one
 * writer; other runners wait in busy_timeout), and each migration is a savepoint inside it, so a
 * failing migration rolls back alone while earlier ones in the same run are kept.
 */
export function openSqliteMigrationDriver(target: SqliteTarget, options: DriverOptions): MigrationDriver {
  let db: BetterSqlite3.Database;
  try {
    // The default URL points into ./data, which does not exist on a fresh clone.
    ensureParentDirectory(target.filePath);
    db = new BetterSqlite3(target.filePath, { timeout: options.lockTimeoutMs });
    // Persistent per file: readers never block the writer. Must run outside a transaction.
    setWalMode(db, options.lockTimeoutMs);
    // Prisma's table-rebuild migrations DROP and recreate tables. With enforcement on, dropping a
    // parent table would fire ON DELETE CASCADE into its children, so migrations run with it off
    // (better-sqlite3 turns it on by default) and integrity is checked before each commit instead.
    db.pragma('foreign_keys = OFF');
  } catch (error) {
    throw new MigrationError(
      'database_unreachable',
      `cannot open SQLite database ${target.filePath}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }

  return {
    provider: 'sqlite',

    async lock() {
      try {
        db.exec('BEGIN IMMEDIATE');
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_BUSY') {
          throw new MigrationError(
            'lock_timeout',
            `another process kept ${target.filePath} locked for ${options.lockTimeoutMs} ms; is a migration still running?`,
          );
        }
        throw new MigrationError(
          'database_unreachable',
          `cannot write to SQLite database ${target.filePath}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },

    async readApplied(): Promise<AppliedMigration[]> {
      db.exec(CREATE_MIGRATIONS_TABLE);
      const rows = db
        .prepare(
          'SELECT migration_name, checksum, started_at, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, migration_name',
        )
        .all() as MigrationRow[];
      return rows.map((row) => ({
        migrationName: row.migration_name,
        checksum: row.checksum,
        startedAt: toDate(row.started_at) ?? new Date(0),
        finishedAt: toDate(row.finished_at),
        rolledBackAt: toDate(row.rolled_back_at),
      }));
    },

    async apply(migration: MigrationFile) {
      const startedAt = new Date().toISOString();
      db.exec('SAVEPOINT migration');
      try {
        db.exec(migration.sql);
        const violations = db.pragma('foreign_key_check') as unknown[];
        if (violations.length > 0) {
          throw new Error(`it leaves ${violations.length} row(s) violating foreign keys (PRAGMA foreign_key_check)`);
        }
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
        ).run(randomUUID(), migration.checksum, new Date().toISOString(), migration.name, startedAt);
        db.exec('RELEASE migration');
      } catch (error) {
        // Some errors (disk full, I/O) make SQLite abort the whole transaction on its own; then there
        // is no savepoint left and nothing of this run was committed or recorded.
        if (db.inTransaction) db.exec('ROLLBACK TO migration; RELEASE migration');
        throw new MigrationError(
          'migration_failed',
          `migration ${migration.name} failed and was rolled back: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },

    async unlock() {
      if (db.inTransaction) db.exec('COMMIT');
    },

    async close() {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    },
  };
}
