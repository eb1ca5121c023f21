import type { DbClient } from '../../db/prisma-types.ts';
import type { CliToken } from '../../generated/prisma-sqlite/client.ts';

/** A token's last use is written at most this often: credential_process may run many times a minute. */
export const LAST_USE_RESOLUTION_MS = 60_000;

/** The CliToken table. Every method takes the client or an open transaction. */
export function createCliTokenRepository(now: () => Date = () => new Date()) {
  return {
    async create(
      db: DbClient,
      input: {
        tokenHash: string;
        userName: string;
        mfaSessionId: string;
        expiresAt: Date;
        sourceIp: string | null;
        userAgent: string | null;
      },
    ): Promise<CliToken> {
      return db.cliToken.create({ data: input });
    },

    async findByHash(db: DbClient, tokenHash: string): Promise<CliToken | null> {
      return db.cliToken.findUnique({ where: { tokenHash } });
    },

    /** Records a use unless one was recorded within LAST_USE_RESOLUTION_MS (no write then). */
    async recordUse(db: DbClient, token: Pick<CliToken, 'id' | 'lastUsedAt'>): Promise<void> {
      const at = now();
      if (token.lastUsedAt && at.getTime() - token.lastUsedAt.getTime() < LAST_USE_RESOLUTION_MS) return;
      await db.cliToken.update({ where: { id: token.id }, data: { lastUsedAt: at } });
    },

    /** The user's tokens, newest first (expired ones go when their MFA session is purged). */
    async listOf(db: DbClient, userName: string): Promise<CliToken[]> {
      return db.cliToken.findMany({ where: { userName }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    },

    async findOf(db: DbClient, userName: string, id: string): Promise<CliToken | null> {
      return db.cliToken.findFirst({ where: { id, userName } });
    },

    /** Marks one token revoked; false when it already was. */
    async revoke(db: DbClient, id: string): Promise<boolean> {
      return (await db.cliToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now() } })).count > 0;
    },

    /** Revokes every live token of a user; returns how many. */
    async revokeAllOf(db: DbClient, userName: string): Promise<number> {
      const result = await db.cliToken.updateMany({
        where: { userName, revokedAt: null, expiresAt: { gt: now() } },
        data: { revokedAt: now() },
      });
      return result.count;
    },
  };
}

export type CliTokenRepository = ReturnType<typeof createCliTokenRepository>;
