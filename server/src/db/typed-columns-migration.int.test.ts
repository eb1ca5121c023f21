import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabaseUrls } from '../../test/test-databases.ts';
import { openDatabase } from './database.ts';
import { defaultMigrationsDir } from './migration-files.ts';
import { applyMigrations } from './migrator.ts';

const TYPED_COLUMNS = '20261202020000_typed_columns';

/**
 * The migration that types JSON and enum columns keeps the rows a portal already has: JSON text
 * becomes Json values and the strings become enum values, on both providers.
 */
describe.each(testDatabaseUrls())('typed columns migration on $name', ({ name: provider, create }) => {
  let database: TestDatabase;
  let workDir: string;

  beforeEach(async () => {
    database = await create({ migrate: false });
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-typed-columns-'));
  });
  afterEach(async () => {
    await database.drop();
    await fs.rm(workDir, { recursive: true, force: true });
  });

  it('turns existing JSON text and strings into Json and enum values', async () => {
    const committed = defaultMigrationsDir(provider);
    const before = path.join(workDir, 'migrations');
    await fs.cp(committed, before, { recursive: true });
    // The database as it was just before the typed columns: that migration and every later one
    // are applied afterwards, in order, as on a real upgrade.
    const later = (await fs.readdir(before)).filter((name) => /^\d{14}_/.test(name) && name >= TYPED_COLUMNS).sort();
    for (const name of later) await fs.rm(path.join(before, name), { recursive: true });
    await applyMigrations(database.url, { migrationsDir: before });

    const db = await openDatabase(database.url);
    try {
      const now = 'CURRENT_TIMESTAMP';
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO "EnrolledUser" ("id", "userName", "userNameKey", "accountId", "userArn", "accessKeyId", "sealedSecret", "masterKeyId", "mfaSerial", "issuePath", "keyCreatedAt", "updatedAt")
         VALUES ('u1', 'Alice', 'alice', '111111111111', 'arn:aws:iam::111111111111:user/Alice', 'AKIAEXAMPLE1', 'sealed', 'k1', 'arn:aws:iam::111111111111:mfa/alice', 'mfa_session', ${now}, ${now})`,
      );
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO "CatalogRole" ("id", "alias", "roleArn", "accountId", "roleName", "maxDurationSeconds", "allowedGroups", "allowedUsers", "updatedAt")
         VALUES ('r1', 'readonly', 'arn:aws:iam::111111111111:role/ReadOnly', '111111111111', 'ReadOnly', 3600, '["developers"]', '["*"]', ${now})`,
      );
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO "ComplianceScan" ("id", "trigger", "status", "startedAt", "summary")
         VALUES ('s1', 'manual', 'complete', ${now}, '{"users":3,"rootMfa":true}'), ('s2', 'schedule', 'running', ${now}, NULL)`,
      );
    } finally {
      await db.close();
    }

    expect((await applyMigrations(database.url, { migrationsDir: committed })).applied).toEqual(later);
    expect(later[0]).toBe(TYPED_COLUMNS);
    const migrated = await openDatabase(database.url);
    try {
      expect(await migrated.prisma.enrolledUser.findUnique({ where: { userNameKey: 'alice' } })).toMatchObject({
        issuePath: 'mfa_session',
      });
      expect(await migrated.prisma.catalogRole.findUnique({ where: { alias: 'readonly' } })).toMatchObject({
        allowedGroups: ['developers'],
        allowedUsers: ['*'],
      });
      const scans = await migrated.prisma.complianceScan.findMany({ orderBy: { id: 'asc' } });
      expect(scans.map((s) => [s.trigger, s.status, s.summary])).toEqual([
        ['manual', 'complete', { users: 3, rootMfa: true }],
        ['schedule', 'running', null],
      ]);
    } finally {
      await migrated.close();
    }
  });
});
