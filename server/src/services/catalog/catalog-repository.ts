import type { DbClient } from '../../db/prisma-types.ts';
import type { CatalogRole as CatalogRoleRow, Prisma } from '../../generated/prisma-sqlite/client.ts';

export interface CatalogRole {
  alias: string;
  roleArn: string;
  accountId: string;
  roleName: string;
  description: string | null;
  maxDurationSeconds: number;
  mfaMaxAgeSeconds: number | null;
  externalId: string | null;
  allowedGroups: string[];
  allowedUsers: string[];
  trustRequiresMfa: boolean | null;
}

/** The stored row of a role (what `add` and `update` write). */
export type CatalogRoleData = CatalogRole;

/** What may change on a stored role. */
export type CatalogRoleChange = Partial<
  Pick<
    CatalogRole,
    | 'allowedGroups'
    | 'allowedUsers'
    | 'maxDurationSeconds'
    | 'externalId'
    | 'description'
    | 'mfaMaxAgeSeconds'
    | 'trustRequiresMfa'
  >
>;

/** The CatalogRole table. Aliases are stored lower-cased; every method takes the client or an open transaction. */
export function createCatalogRepository() {
  return {
    async find(db: DbClient, alias: string): Promise<CatalogRole | null> {
      const row = await db.catalogRole.findUnique({ where: { alias: alias.toLowerCase() } });
      return row ? toCatalogRole(row) : null;
    },

    async all(db: DbClient): Promise<CatalogRole[]> {
      const rows = await db.catalogRole.findMany({ orderBy: { alias: 'asc' } });
      return rows.map(toCatalogRole);
    },

    async create(db: DbClient, role: CatalogRoleData): Promise<CatalogRole> {
      return toCatalogRole(await db.catalogRole.create({ data: role }));
    },

    async update(db: DbClient, alias: string, change: CatalogRoleChange): Promise<CatalogRole> {
      return toCatalogRole(await db.catalogRole.update({ where: { alias: alias.toLowerCase() }, data: change }));
    },

    async remove(db: DbClient, alias: string): Promise<void> {
      await db.catalogRole.delete({ where: { alias: alias.toLowerCase() } });
    },
  };
}

export type CatalogRepository = ReturnType<typeof createCatalogRepository>;

function toCatalogRole(row: CatalogRoleRow): CatalogRole {
  return {
    alias: row.alias,
    roleArn: row.roleArn,
    accountId: row.accountId,
    roleName: row.roleName,
    description: row.description,
    maxDurationSeconds: row.maxDurationSeconds,
    mfaMaxAgeSeconds: row.mfaMaxAgeSeconds,
    trustRequiresMfa: row.trustRequiresMfa,
    externalId: row.externalId,
    allowedGroups: names(row.allowedGroups),
    allowedUsers: names(row.allowedUsers),
  };
}

/** A JSON array of names, as this repository writes it; anything else in the column is a broken row. */
function names(value: Prisma.JsonValue): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new Error('CatalogRole holds allowed groups or users that are not a JSON array of names');
  return value as string[];
}
