import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';

export interface AttemptLimits {
  /** Failed codes allowed per user name within one window. */
  perUser: number;
  /** Failed codes allowed per source address within one window: higher, as offices share one. */
  perAddress: number;
  windowSeconds: number;
}

export type LimitCheck = { blocked: false } | { blocked: true; retryAfterSeconds: number; key: string };

export interface AttemptLimiterDeps {
  prisma: PrismaClient;
  limits: AttemptLimits;
  now?: () => Date;
}

/**
 * Limits guesses of 6-digit codes: failures are counted per user name and per source address in
 * fixed windows kept in the database, so every portal instance enforces the same budget. A
 * million codes against five tries per quarter hour makes online guessing hopeless; the
 * per-address budget stops one client spraying guesses across many user names.
 */
export function createAttemptLimiter({ prisma, limits, now = () => new Date() }: AttemptLimiterDeps) {
  const windowMs = limits.windowSeconds * 1000;

  return {
    /** Is any of these keys out of attempts? Checked before AWS is asked anything. */
    async check(keys: string[]): Promise<LimitCheck> {
      const current = now().getTime();
      const counters = await prisma.attemptCounter.findMany({ where: { key: { in: keys } } });
      let worst: LimitCheck = { blocked: false };
      for (const counter of counters) {
        const windowEnds = counter.windowStart.getTime() + windowMs;
        const limit = counter.key.startsWith('ip:') ? limits.perAddress : limits.perUser;
        if (windowEnds <= current || counter.failures < limit) continue;
        const retryAfterSeconds = Math.max(1, Math.ceil((windowEnds - current) / 1000));
        if (!worst.blocked || retryAfterSeconds > worst.retryAfterSeconds)
          worst = { blocked: true, retryAfterSeconds, key: counter.key };
      }
      return worst;
    },

    /** Counts one failed attempt against every key. */
    async recordFailure(keys: string[]): Promise<void> {
      const at = now();
      const windowOpenedAfter = new Date(at.getTime() - windowMs);
      for (const key of keys) {
        // Increment inside the current window atomically; if there is none, open a new one.
        const bumped = await prisma.attemptCounter.updateMany({
          where: { key, windowStart: { gt: windowOpenedAfter } },
          data: { failures: { increment: 1 } },
        });
        if (bumped.count > 0) continue;
        await prisma.attemptCounter.upsert({
          where: { key },
          create: { key, windowStart: at, failures: 1 },
          update: { windowStart: at, failures: 1 },
        });
      }
    },

    /** A verified code clears the user's counter (not the address's: one person may share it). */
    async recordSuccess(key: string): Promise<void> {
      await prisma.attemptCounter.deleteMany({ where: { key } });
    },

    /** Housekeeping: windows that ended long ago carry no information. */
    async purgeExpired(): Promise<number> {
      const result = await prisma.attemptCounter.deleteMany({
        where: { windowStart: { lt: new Date(now().getTime() - windowMs) } },
      });
      return result.count;
    },
  };
}

export type AttemptLimiter = ReturnType<typeof createAttemptLimiter>;

export const userAttemptKey = (userName: string) => `user:${userName.toLowerCase()}`;
export const addressAttemptKey = (ip: string) => `ip:${ip}`;
