import { DatabaseUrlError, describeDatabase, parseDatabaseUrl } from './database-url.ts';
import { applyMigrations, MigrationError } from './migrator.ts';

/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL (default: the SQLite file the
 * portal uses with no configuration) and says what it did. Expected failures print one readable
 * line and exit 1 (2 for a bad URL); only bugs print a stack trace.
 */
const DEFAULT_DATABASE_URL = 'file:./data/portal.db';

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  try {
    console.log(`Migrating ${describeDatabase(parseDatabaseUrl(url))}`);
    const result = await applyMigrations(url, { log: (line) => console.log(`  ${line}`) });
    const total = result.alreadyApplied + result.applied.length;
    console.log(
      result.applied.length === 0
        ? `Database is up to date (${total} migration${total === 1 ? '' : 's'} applied earlier); nothing to do.`
        : `Applied ${result.applied.length} migration${result.applied.length === 1 ? '' : 's'}; database is up to date.`,
    );
    return 0;
  } catch (error) {
    if (error instanceof DatabaseUrlError) {
      console.error(`DATABASE_URL is invalid: ${error.message}`);
      return 2;
    }
    if (error instanceof MigrationError) {
      console.error(`Migration failed: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
