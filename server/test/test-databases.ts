import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseProvider } from '../src/db/database-url.ts';
import { applyMigrations } from '../src/db/migrator.ts';

/**
 * Throwaway databases for integration tests, one per call, on SQLite always and on PostgreSQL when
 * TEST_POSTGRES_URL names a server where the test user may create databases (e.g.
 * postgresql://postgres@127.0.0.1:54329/postgres). Typical use:
 *
 *   describe.each(testDatabaseUrls())('audit on $name', ({ create }) => {
 *     let db: TestDatabase;
 *     beforeAll(async () => { db = await create(); });   // migrated, empty
 *     afterAll(async () => { await db.drop(); });
 *     ...openDatabase(db.url)...
 *   });
 *
 * Close every connection to a database before drop(); on PostgreSQL drop() also forces off any
 * that a failed test left open, so one failure does not cascade into the next file.
 */

export interface TestDatabase {
  url: string;
  /** Deletes the database. Safe to call more than once. */
  drop(): Promise<void>;
}

export interface TestDatabaseProvider {
  name: DatabaseProvider;
  /** A new, uniquely named database; migrated unless `migrate: false`. */
  create(options?: { migrate?: boolean }): Promise<TestDatabase>;
}

export function testDatabaseUrls(env: NodeJS.ProcessEnv = process.env): TestDatabaseProvider[] {
  const providers: TestDatabaseProvider[] = [{ name: 'sqlite', create: withMigration(createSqliteDatabase) }];
  const adminUrl = env.TEST_POSTGRES_URL?.trim();
  if (adminUrl) providers.push({ name: 'postgresql', create: withMigration(() => createPostgresDatabase(adminUrl)) });
  return providers;
}

function withMigration(create: () => Promise<TestDatabase>): TestDatabaseProvider['create'] {
  return async ({ migrate = true } = {}) => {
    const database = await create();
    if (migrate) {
      try {
        await applyMigrations(database.url);
      } catch (error) {
        await database.drop();
        throw error;
      }
    }
    return database;
  };
}

function uniqueName(): string {
  return `portal_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-test-db-'));
  return {
    url: `file:${path.join(dir, `${uniqueName()}.db`)}`,
    drop: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

async function createPostgresDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = uniqueName();
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop() {
      dropped ??= withAdminClient(adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
      return dropped;
    },
  };
}

async function withAdminClient<T>(adminUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
