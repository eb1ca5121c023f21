import type { DatabaseProvider } from './database-url.ts';
import type { MigrationFile } from './migration-files.ts';
import type { AppliedMigration } from './migration-plan.ts';

/**
 * What the migrator needs from a database. One implementation per provider; the order of calls
 * is always connect -> lock -> readApplied -> apply* -> unlock -> close.
 */
export interface MigrationDriver {
  readonly provider: DatabaseProvider;
  /**
   * Waits (up to the lock timeout) until this runner alone may migrate, so portal instances
   * starting together apply each migration exactly once.
   */
  lock(): Promise<void>;
  /** Creates `_prisma_migrations` if missing and returns its rows. Call while holding the lock. */
  readApplied(): Promise<AppliedMigration[]>;
  /** Runs one migration and records it, atomically: either both happen or neither does. */
  apply(migration: MigrationFile): Promise<void>;
  unlock(): Promise<void>;
  close(): Promise<void>;
}

export interface DriverOptions {
  /** How long to wait for another runner's lock before giving up. */
  lockTimeoutMs: number;
}

/** Coerces a timestamp column as the drivers return it (Date, ISO text, or epoch ms) to a Date. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  // SQLite's CURRENT_TIMESTAMP format ("YYYY-MM-DD HH:MM:SS") is UTC without a zone marker.
  const text = String(value);
  return new Date(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text);
}
