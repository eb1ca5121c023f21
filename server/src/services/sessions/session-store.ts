import { createHash } from 'node:crypto';
import type { SessionStore } from '@fastify/session';
import type { DbClient } from '../../db/prisma-types.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';

/**
 * @fastify/session store in the database, so any portal instance behind a load balancer can
 * serve any request. Rows are keyed by a SHA-256 of the session id: someone who can read the
 * table still cannot present a live session. Session data never holds credentials (those live
 * sealed in MfaSession).
 */
export function createSessionStore(
  prisma: PrismaClient,
  defaultTtlMs: number,
  now: () => Date = () => new Date(),
): SessionStore {
  const key = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex');

  return {
    set(sessionId, session, callback) {
      const cookieExpires = session.cookie?.expires ? new Date(session.cookie.expires) : undefined;
      const expiresAt =
        cookieExpires && !Number.isNaN(cookieExpires.getTime())
          ? cookieExpires
          : new Date(now().getTime() + defaultTtlMs);
      const data = JSON.stringify(session);
      // Read without the plugin's Session augmentation: this module is also compiled on its own.
      const userName = (session as { userName?: string }).userName ?? null;
      prisma.webSession
        .upsert({
          where: { id: key(sessionId) },
          create: { id: key(sessionId), data, userName, expiresAt },
          update: { data, userName, expiresAt },
        })
        .then(() => callback(), callback);
    },

    get(sessionId, callback) {
      prisma.webSession
        .findUnique({ where: { id: key(sessionId) } })
        .then((row: { id: string; data: string; expiresAt: Date } | null) => {
          if (!row) return callback(null, null);
          if (row.expiresAt.getTime() <= now().getTime()) {
            return prisma.webSession.deleteMany({ where: { id: row.id } }).then(() => callback(null, null));
          }
          return callback(null, JSON.parse(row.data));
        })
        .catch((error: unknown) => callback(error));
    },

    destroy(sessionId, callback) {
      prisma.webSession.deleteMany({ where: { id: key(sessionId) } }).then(() => callback(), callback);
    },
  };
}

/** Removes sessions past their expiry (run periodically; expired rows are also ignored on read). */
export async function purgeExpiredSessions(prisma: PrismaClient, now: Date = new Date()): Promise<number> {
  const result = await prisma.webSession.deleteMany({ where: { expiresAt: { lte: now } } });
  return result.count;
}

/** Ends every browser session of a user (their next request is signed out); returns how many. */
export async function endSessionsOf(db: DbClient, userName: string): Promise<number> {
  return (await db.webSession.deleteMany({ where: { userName } })).count;
}
