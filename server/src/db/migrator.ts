import { parseDatabaseUrl } from './database-url.ts';
import type { MigrationDriver } from './migration-driver.ts';
import { openPostgresMigrationDriver } from './migration-driver-postgresql.ts';
import { openSqliteMigrationDriver } from './migration-driver-sqlite.ts';
import { MigrationError } from './migration-errors.ts';
import { defaultMigrationsDir, readMigrations } from './migration-files.ts';
import { planMigrations } from './migration-plan.ts';

/**
 * Applies the committed Prisma migrations without the Prisma CLI, whose native schema engine
 * cannot be downloaded on an air-gapped machine. It keeps Prisma's bookkeeping
 * (`_prisma_migrations`, same checksums), so on a connected machine `prisma migrate status`
 * agrees with it and `prisma migrate deploy` could take over.
 */

export interface ApplyMigrationsOptions {
  /** Progress lines ("applied 2026..._init in 12 ms"). */
  log?: (line: string) => void;
  /** Override the folder (tests); defaults to the provider's folder under prisma/. */
  migrationsDir?: string;
  /** How long to wait for another instance that is migrating the same database. Default 5 minutes. */
  lockTimeoutMs?: number;
  /** Base for a relative SQLite path. Default: the process's working directory. */
  cwd?: string;
}

export interface MigrationResult {
  provider: 'sqlite' | 'postgresql';
  /** Names applied by this run, in order. */
  applied: string[];
  /** How many were already applied before this run. */
  alreadyApplied: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60_000;

/**
 * Brings the database at `url` up to date. Throws MigrationError (with a message meant for the
 * operator) when the database is unreachable, its history disagrees with the committed
 * migrations, or a migration fails; the failing migration is rolled back, earlier ones stay.
 */
export async function applyMigrations(url: string, options: ApplyMigrationsOptions = {}): Promise<MigrationResult> {
  const target = parseDatabaseUrl(url, options.cwd === undefined ? {} : { cwd: options.cwd });
  const log = options.log ?? (() => {});
  const migrations = readMigrations(options.migrationsDir ?? defaultMigrationsDir(target.provider), target.provider);
  const driverOptions = { lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS };

  const driver: MigrationDriver =
    target.provider === 'sqlite'
      ? openSqliteMigrationDriver(target, driverOptions)
      : await openPostgresMigrationDriver(target, driverOptions);
  try {
    await driver.lock();
    let result: MigrationResult;
    try {
      // Read under the lock: a runner that waited sees what the previous holder applied.
      const pending = planMigrations(migrations, await driver.readApplied());
      const applied: string[] = [];
      for (const migration of pending) {
        const started = performance.now();
        await driver.apply(migration);
        applied.push(migration.name);
        log(`applied migration ${migration.name} in ${Math.round(performance.now() - started)} ms`);
      }
      result = { provider: target.provider, applied, alreadyApplied: migrations.length - pending.length };
    } catch (error) {
      // Keeps the migrations that succeeded before the failure; the original error is the news.
      await driver.unlock().catch(() => {});
      throw error;
    }
    await driver.unlock();
    return result;
  } finally {
    await driver.close().catch(() => {});
  }
}

export { MigrationError };
