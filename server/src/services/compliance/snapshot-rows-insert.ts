import { randomUUID } from 'node:crypto';
import type { DatabaseProvider } from '../../db/database-url.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import type { ScannedUser } from './compliance-types.ts';

/** Columns of ComplianceUser in insertion order (id, scanId and userNameKey are added here). */
const COLUMNS = [
  'userName',
  'userArn',
  'userCreatedAt',
  'consoleAccess',
  'passwordLastUsedAt',
  'mfaActive',
  'mfaDeviceCount',
  'virtualMfaCount',
  'hardwareMfaCount',
  'fidoMfaCount',
  'activeKeyCount',
  'oldestKeyCreatedAt',
  'keysLastUsedAt',
  'keysWorkWithoutMfa',
  'enrolled',
  'lastPortalSignInAt',
  'oldestCredentialUseAt',
] as const satisfies ReadonlyArray<keyof ScannedUser>;

/** Rows per statement: 20 parameters each, well inside SQLite's 32,766 and PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 1000;

/**
 * The one value form each provider's Prisma adapter stores: SQLite keeps DateTime as ISO text
 * with `+00:00` and Boolean as 0/1; PostgreSQL takes Dates and booleans as they are.
 */
function encode(provider: DatabaseProvider, value: unknown): unknown {
  if (provider === 'postgresql' || value === null) return value;
  if (value instanceof Date) return value.toISOString().replace(/Z$/, '+00:00');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/**
 * Writes a snapshot's rows with multi-row INSERTs. Prisma's createMany costs close to a
 * millisecond of CPU per row here (the query compiler serialises every row), which made storing
 * a 10,000-user scan take longer than reading it from AWS. Values travel as bound parameters.
 */
export async function insertSnapshotRows(
  db: DbClient,
  provider: DatabaseProvider,
  scanId: string,
  users: ScannedUser[],
): Promise<void> {
  const names = ['id', 'scanId', 'userNameKey', ...COLUMNS].map((c) => `"${c}"`).join(', ');
  const width = COLUMNS.length + 3;
  for (let start = 0; start < users.length; start += ROWS_PER_STATEMENT) {
    const batch = users.slice(start, start + ROWS_PER_STATEMENT);
    const values: unknown[] = [];
    const tuples = batch.map((user, row) => {
      values.push(randomUUID(), scanId, user.userName.toLowerCase());
      for (const column of COLUMNS) values.push(encode(provider, user[column] ?? null));
      const slots = Array.from({ length: width }, (_, i) =>
        provider === 'postgresql' ? `$${row * width + i + 1}` : '?',
      );
      return `(${slots.join(', ')})`;
    });
    await db.$executeRawUnsafe(`INSERT INTO "ComplianceUser" (${names}) VALUES ${tuples.join(', ')}`, ...values);
  }
}
