import { MigrationError } from './migration-errors.ts';
import type { MigrationFile } from './migration-files.ts';

/** A row of `_prisma_migrations`, as far as the plan needs it. */
export interface AppliedMigration {
  migrationName: string;
  checksum: string;
  startedAt: Date;
  finishedAt: Date | null;
  rolledBackAt: Date | null;
}

/**
 * Decides what to apply, refusing (like `prisma migrate deploy`) when the database and the code
 * disagree about history. Pure, so every refusal is unit-tested without a database.
 *
 * - A row rolled back (`prisma migrate resolve --rolled-back`) is history only and is ignored.
 * - A row that started but never finished means a migration crashed outside our transactional
 *   runner (e.g. the Prisma CLI): someone must inspect the schema before anything else runs.
 * - A finished row whose name we do not have means a newer portal migrated this database; running
 *   older code against a newer schema could corrupt data, so refuse rather than guess.
 * - A finished row whose checksum differs from the file means the committed migration was edited
 *   after it ran: the database no longer matches what the file says.
 */
export function planMigrations(local: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationFile[] {
  const localByName = new Map(local.map((m) => [m.name, m]));
  const done = new Set<string>();

  for (const row of applied) {
    if (row.rolledBackAt !== null) continue;
    if (row.finishedAt === null) {
      throw new MigrationError(
        'unfinished_migration',
        `migration ${row.migrationName} started at ${row.startedAt.toISOString()} but never finished. ` +
          'Inspect the database, fix or revert its partial changes, then mark it with ' +
          `\`prisma migrate resolve --rolled-back ${row.migrationName}\` (or --applied) before starting again.`,
      );
    }
    const file = localByName.get(row.migrationName);
    if (!file) {
      throw new MigrationError(
        'unknown_migration',
        `the database has migration ${row.migrationName}, which this version of the portal does not have. ` +
          'It was probably migrated by a newer version: run that version (or restore a backup) instead of downgrading.',
      );
    }
    if (row.checksum !== file.checksum && row.checksum !== file.alternateChecksum) {
      throw new MigrationError(
        'checksum_mismatch',
        `migration ${row.migrationName} was modified after it was applied to this database ` +
          `(recorded checksum ${row.checksum.slice(0, 12)}..., file has ${file.checksum.slice(0, 12)}...). ` +
          'Restore the original migration.sql; put further changes in a new migration.',
      );
    }
    done.add(row.migrationName);
  }

  return local.filter((m) => !done.has(m.name));
}
