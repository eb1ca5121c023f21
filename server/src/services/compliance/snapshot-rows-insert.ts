import { randomUUID } from 'node:crypto';
import type { DatabaseProvider } from '../../db/database-url.ts';
import { insertRows } from '../../db/multi-row-insert.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import type { ScannedUser } from './compliance-types.ts';

/** Columns of ComplianceUser in insertion order. */
const COLUMNS = [
  'id',
  'scanId',
  'userNameKey',
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
  'iamGroups',
] as const satisfies ReadonlyArray<keyof ScannedUser | 'id' | 'scanId' | 'userNameKey'>;

/** Writes a snapshot's rows with multi-row INSERTs (db/multi-row-insert.ts says why). */
export async function insertSnapshotRows(
  db: DbClient,
  provider: DatabaseProvider,
  scanId: string,
  users: ScannedUser[],
): Promise<void> {
  const rows = users.map((user) => ({
    ...user,
    id: randomUUID(),
    scanId,
    userNameKey: user.userName.toLowerCase(),
    // A Json column: its text, which both databases parse (PostgreSQL casts the parameter to jsonb).
    iamGroups: user.iamGroups === null ? null : JSON.stringify(user.iamGroups),
  }));
  await insertRows(db, provider, 'ComplianceUser', COLUMNS, rows);
}
