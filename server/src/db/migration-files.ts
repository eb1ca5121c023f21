import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseProvider } from './database-url.ts';
import { MigrationError } from './migration-errors.ts';

/**
 * The committed migrations, read from disk in Prisma's layout: one folder per migration named
 * `<yyyymmddhhmmss>_<name>` holding `migration.sql`, plus `migration_lock.toml` naming the
 * provider. SQLite's live beside the source schema (prisma/migrations), PostgreSQL's beside the
 * generated one (prisma/postgresql/migrations): the places the Prisma CLI looks by default.
 */

export interface MigrationFile {
  /** Folder name, recorded as `migration_name`. */
  name: string;
  sql: string;
  /** sha256 hex of migration.sql as stored, like Prisma's `checksum` column. */
  checksum: string;
  /**
   * Checksum of the same script with the other line-ending style. A Windows checkout with
   * autocrlf changes the bytes but not the migration; Prisma tolerates that too.
   */
  alternateChecksum: string;
}

const MIGRATIONS_DIR: Record<DatabaseProvider, string> = {
  sqlite: path.join('prisma', 'migrations'),
  postgresql: path.join('prisma', 'postgresql', 'migrations'),
};

/**
 * The repository (or installed package) root: the nearest ancestor of this module with
 * prisma/schema.prisma. Walking up works from server/src/db (tsx, tests) and from the compiled
 * copy under dist/ alike, as long as prisma/ ships next to it.
 */
export function findProjectRoot(start = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'prisma', 'schema.prisma'))) return dir;
    if (path.dirname(dir) === dir) {
      throw new MigrationError(
        'migrations_unreadable',
        `cannot find the prisma/ folder (with schema.prisma) above ${start}; it must ship with the portal`,
      );
    }
  }
}

export function defaultMigrationsDir(provider: DatabaseProvider): string {
  return path.join(findProjectRoot(), MIGRATIONS_DIR[provider]);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Reads every migration in `dir`, sorted by name (= creation time), as Prisma orders them. */
export function readMigrations(dir: string, provider: DatabaseProvider): MigrationFile[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new MigrationError(
      'migrations_unreadable',
      `cannot read the migrations folder ${dir}: ${(error as Error).message}`,
    );
  }
  checkLockFile(dir, provider);

  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      let sql: string;
      try {
        sql = fs.readFileSync(file, 'utf8');
      } catch {
        throw new MigrationError(
          'migrations_unreadable',
          `migration folder ${name} has no readable migration.sql (${file})`,
        );
      }
      const other = sql.includes('\r\n') ? sql.replaceAll('\r\n', '\n') : sql.replaceAll('\n', '\r\n');
      return { name, sql, checksum: sha256Hex(sql), alternateChecksum: sha256Hex(other) };
    });
}

// Guards against pointing one provider's runner at the other's folder, which would otherwise fail
// half-way through with a syntax error.
function checkLockFile(dir: string, provider: DatabaseProvider): void {
  const lockFile = path.join(dir, 'migration_lock.toml');
  let text: string;
  try {
    text = fs.readFileSync(lockFile, 'utf8');
  } catch {
    throw new MigrationError('migrations_unreadable', `${lockFile} is missing: is ${dir} a Prisma migrations folder?`);
  }
  const declared = /^\s*provider\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  if (declared !== provider) {
    throw new MigrationError(
      'migrations_unreadable',
      `${lockFile} declares provider "${declared ?? '(none)'}" but the database is ${provider}`,
    );
  }
}
