import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describeDatabase, type PostgresTarget } from './database-url.ts';
import { type DriverOptions, type MigrationDriver, toDate } from './migration-driver.ts';
import { MigrationError } from './migration-errors.ts';
import type { MigrationFile } from './migration-files.ts';
import type { AppliedMigration } from './migration-plan.ts';

// The advisory lock key the Prisma schema engine takes for `migrate deploy`, so this runner and a
// real Prisma CLI run against the same database also exclude each other.
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

// Same columns and types as the table the Prisma schema engine creates on PostgreSQL.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * PostgreSQL: the lock is a session advisory lock held on one connection for the whole run (it is
 * released by the server even if this process dies), and each migration runs in its own
 * transaction together with the row that records it. PostgreSQL DDL is transactional, so a
 * failing migration leaves no trace.
 */
export async function openPostgresMigrationDriver(
  target: PostgresTarget,
  options: DriverOptions,
): Promise<MigrationDriver> {
  const where = describeDatabase(target);
  const client = new pg.Client({
    connectionString: target.connectionString,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // A connection dropped between queries is reported by the next query; without a listener the
  // 'error' event would crash the process instead.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new MigrationError('database_unreachable', `cannot connect to ${where}: ${describePgError(error)}`, {
      cause: error,
    });
  }

  return {
    provider: 'postgresql',

    async lock() {
      try {
        await client.query(`SET lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs))}`);
        await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
        await client.query('RESET lock_timeout');
      } catch (error) {
        if ((error as { code?: string }).code === '55P03') {
          throw new MigrationError(
            'lock_timeout',
            `another process held the migration lock on ${where} for ${options.lockTimeoutMs} ms; is a migration still running?`,
          );
        }
        throw new MigrationError(
          'database_unreachable',
          `cannot lock ${where} for migration: ${describePgError(error)}`,
          { cause: error },
        );
      }
      if (target.schema) {
        // Inside the lock: concurrent CREATE SCHEMA IF NOT EXISTS can still collide.
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
        await client.query(`SET search_path TO "${target.schema}"`);
      }
    },

    async readApplied(): Promise<AppliedMigration[]> {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<{
        migration_name: string;
        checksum: string;
        started_at: unknown;
        finished_at: unknown;
        rolled_back_at: unknown;
      }>(
        'SELECT migration_name, checksum, started_at, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, migration_name',
      );
      return rows.map((row) => ({
        migrationName: row.migration_name,
        checksum: row.checksum,
        startedAt: toDate(row.started_at) ?? new Date(0),
        finishedAt: toDate(row.finished_at),
        rolledBackAt: toDate(row.rolled_back_at),
      }));
    },

    async apply(migration: MigrationFile) {
      const startedAt = new Date();
      try {
        await client.query('BEGIN');
        // No parameters: node-postgres then uses the simple protocol, which runs multi-statement scripts.
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
          [randomUUID(), migration.checksum, migration.name, startedAt],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new MigrationError(
          'migration_failed',
          `migration ${migration.name} failed and was rolled back: ${describePgError(error)}`,
          {
            cause: error,
          },
        );
      }
    },

    async unlock() {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    },

    async close() {
      await client.end();
    },
  };
}

/** The server's message plus its SQLSTATE, or the socket error, without connection secrets. */
function describePgError(error: unknown): string {
  const e = error as { message?: string; code?: string; errors?: Array<{ message?: string }> };
  // Connection failures to a host with several addresses arrive as an AggregateError with an
  // empty message.
  const message = e.message || e.errors?.map((inner) => inner.message).join('; ') || String(error);
  return e.code && /^[0-9A-Z]{5}$/.test(e.code) ? `${message} (SQLSTATE ${e.code})` : message;
}
