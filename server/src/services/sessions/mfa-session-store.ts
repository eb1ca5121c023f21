import type { TemporaryCredentials } from '../../aws/aws-gateway.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { type KeyRing, open, seal } from '../custody/secret-box.ts';

export interface MfaSession {
  id: string;
  userName: string;
  accountId: string;
  mfaSerial: string;
  authenticatedAt: Date;
  expiresAt: Date;
  credentials: TemporaryCredentials;
}

const context = (id: string) => `mfa-session:${id}`;

/**
 * MFA session credentials (GetSessionToken with a verified code), sealed at rest. A browser
 * session or CLI token refers to one by id; the credentials never leave the server except when
 * their owner downloads them.
 */
export function createMfaSessionStore(
  prisma: PrismaClient,
  keyRing: () => KeyRing,
  now: () => Date = () => new Date(),
) {
  return {
    async create(
      db: DbClient,
      input: {
        id: string;
        userName: string;
        accountId: string;
        mfaSerial: string;
        authenticatedAt: Date;
        credentials: TemporaryCredentials;
      },
    ): Promise<void> {
      const ring = keyRing();
      const payload = JSON.stringify({
        accessKeyId: input.credentials.accessKeyId,
        secretAccessKey: input.credentials.secretAccessKey,
        sessionToken: input.credentials.sessionToken,
      });
      await db.mfaSession.create({
        data: {
          id: input.id,
          userName: input.userName,
          accountId: input.accountId,
          mfaSerial: input.mfaSerial,
          authenticatedAt: input.authenticatedAt,
          expiresAt: input.credentials.expiration,
          sealedCredentials: seal(ring, payload, context(input.id)),
          masterKeyId: ring.current.id,
        },
      });
    },

    /** The live session with this id, opened; null when unknown, revoked or expired. */
    async find(id: string): Promise<MfaSession | null> {
      const row = await prisma.mfaSession.findUnique({ where: { id } });
      if (!row || row.revokedAt || row.expiresAt.getTime() <= now().getTime()) return null;
      const credentials = JSON.parse(open(keyRing(), row.sealedCredentials, context(row.id))) as Omit<
        TemporaryCredentials,
        'expiration'
      >;
      return {
        id: row.id,
        userName: row.userName,
        accountId: row.accountId,
        mfaSerial: row.mfaSerial,
        authenticatedAt: row.authenticatedAt,
        expiresAt: row.expiresAt,
        credentials: { ...credentials, expiration: row.expiresAt },
      };
    },

    async revoke(id: string, db: DbClient = prisma): Promise<void> {
      await db.mfaSession.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now() } });
    },

    /** Revokes every live MFA session of a user (browser sign-ins and CLI tokens alike); returns how many. */
    async revokeAllOf(db: DbClient, userName: string): Promise<number> {
      const result = await db.mfaSession.updateMany({
        where: { userName, revokedAt: null, expiresAt: { gt: now() } },
        data: { revokedAt: now() },
      });
      return result.count;
    },

    /** Expired rows hold useless (expired) credentials; drop them. */
    async purgeExpired(): Promise<number> {
      return (await prisma.mfaSession.deleteMany({ where: { expiresAt: { lte: now() } } })).count;
    },
  };
}

export type MfaSessionStore = ReturnType<typeof createMfaSessionStore>;
