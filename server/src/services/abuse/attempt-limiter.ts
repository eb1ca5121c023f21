import { type DbClient, isUniqueViolation } from '../../db/prisma-types.ts';
import type { AttemptCounter, PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import {
  type AttemptBudgets,
  type AttemptScope,
  BUDGET_KEY_PREFIX,
  BUDGET_NAMES,
  type BudgetKey,
  type BudgetKeyParts,
  type BudgetName,
  budgetKeysFor,
  limitOf,
  parseBudgetKey,
  secondsUntilWindowEnds,
} from './attempt-budgets.ts';

/** One attempt taken from one counter's window; a refund gives it back to that window only. */
interface Slot {
  key: string;
  windowStart: Date;
}

/** Attempts taken from every budget of one request, to be given back if the code was right. */
export interface Reservation {
  readonly slots: readonly Slot[];
}

export type ReserveResult =
  | { granted: true; reservation: Reservation }
  | {
      granted: false;
      retryAfterSeconds: number;
      /** The budget that is spent. */
      budget: BudgetName;
      /** This is the first refusal of the window: audit it; later ones are only counted. */
      blockStarted: boolean;
    };

/** A budget spent in its current window, for the admin console. */
export interface Lockout extends BudgetKeyParts {
  key: string;
  failures: number;
  limit: number;
  refusals: number;
  windowStart: Date;
  endsAt: Date;
  blockedAt: Date | null;
}

export interface AttemptLimiterDeps {
  prisma: PrismaClient;
  budgets: AttemptBudgets;
  now?: () => Date;
}

/** Refused: the slot names the spent window, where the refusal is counted. */
type SlotResult = { granted: true; slot: Slot } | { granted: false; slot: Slot };

/** Rounds of compare-and-set before a reservation gives up and refuses (only under odd races). */
const MAX_ROUNDS = 8;

/**
 * Limits guesses of 6-digit codes. An attempt is reserved from every budget before AWS sees the
 * code, with conditional writes that succeed only while the window has room, so no number of
 * parallel requests on any number of portal instances (they share the database) gets more codes
 * to AWS than the budget allows. A right code is refunded; a wrong one stays spent. Refusals are
 * counted on the counter row, not written one by one anywhere, so a flood costs a few updates.
 */
export function createAttemptLimiter({ prisma, budgets, now = () => new Date() }: AttemptLimiterDeps) {
  const windowMs = budgets.windowSeconds * 1000;

  /** Takes one attempt from `key`'s current window, opening a new window when the last ended. */
  async function reserveSlot({ key, limit }: BudgetKey, at: Date): Promise<SlotResult> {
    const windowEndedBy = new Date(at.getTime() - windowMs);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // Each write is one conditional UPDATE: under concurrent writers (a row lock on PostgreSQL,
      // the write lock on SQLite) its condition is checked against the row as it is then.
      const [taken] = await prisma.attemptCounter.updateManyAndReturn({
        where: { key, windowStart: { gt: windowEndedBy }, failures: { lt: limit } },
        data: { failures: { increment: 1 } },
      });
      if (taken) return { granted: true, slot: { key, windowStart: taken.windowStart } };
      const [renewed] = await prisma.attemptCounter.updateManyAndReturn({
        where: { key, windowStart: { lte: windowEndedBy } },
        data: { windowStart: at, failures: 1, refusals: 0, blockedAt: null },
      });
      if (renewed) return { granted: true, slot: { key, windowStart: renewed.windowStart } };
      const row = await prisma.attemptCounter.findUnique({ where: { key } });
      if (row && row.windowStart > windowEndedBy && row.failures >= limit)
        return { granted: false, slot: { key, windowStart: row.windowStart } };
      if (!row) {
        try {
          await prisma.attemptCounter.create({ data: { key, windowStart: at, failures: 1 } });
          return { granted: true, slot: { key, windowStart: at } };
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
        }
      }
      // Another request opened, refunded or renewed the window in between: look again.
    }
    // Only when the window keeps changing under us round after round; refusing is the safe way out.
    const row = await prisma.attemptCounter.findUnique({ where: { key } });
    return { granted: false, slot: { key, windowStart: row?.windowStart ?? at } };
  }

  async function refundSlots(slots: readonly Slot[]): Promise<void> {
    for (const { key, windowStart } of slots) {
      // Only into the window the attempt came from: a new window starts from zero anyway.
      await prisma.attemptCounter.updateMany({
        where: { key, windowStart, failures: { gt: 0 } },
        data: { failures: { decrement: 1 } },
      });
    }
  }

  /** Counts a refusal; true for the first one of the window, the start of the block. */
  async function countRefusal({ key, windowStart }: Slot, at: Date): Promise<boolean> {
    const started = await prisma.attemptCounter.updateMany({
      where: { key, windowStart, blockedAt: null },
      data: { blockedAt: at, refusals: { increment: 1 } },
    });
    if (started.count > 0) return true;
    await prisma.attemptCounter.updateMany({
      where: { key, windowStart },
      data: { refusals: { increment: 1 } },
    });
    return false;
  }

  /** The longest wait among the scope's spent budgets, so a retry after it is not refused again. */
  async function longestWait(keys: BudgetKey[], at: Date): Promise<number> {
    const rows = await prisma.attemptCounter.findMany({ where: { key: { in: keys.map((k) => k.key) } } });
    const limits = new Map(keys.map((k) => [k.key, k.limit]));
    let wait = 1;
    for (const row of rows) {
      const spent = row.failures >= (limits.get(row.key) ?? Number.POSITIVE_INFINITY);
      const open = row.windowStart.getTime() + windowMs > at.getTime();
      if (spent && open) wait = Math.max(wait, secondsUntilWindowEnds(row.windowStart, budgets.windowSeconds, at));
    }
    return wait;
  }

  function toLockout(row: AttemptCounter): Lockout | null {
    const parts = parseBudgetKey(row.key);
    if (!parts) return null;
    const limit = limitOf(parts.budget, budgets);
    if (row.failures < limit) return null;
    return {
      key: row.key,
      ...parts,
      failures: row.failures,
      limit,
      refusals: row.refusals,
      windowStart: row.windowStart,
      endsAt: new Date(row.windowStart.getTime() + windowMs),
      blockedAt: row.blockedAt,
    };
  }

  return {
    /**
     * Takes one attempt from each budget of `scope`, or none: when one budget is spent, the
     * attempts already taken are given back and the request is refused with the wait.
     */
    async reserve(scope: AttemptScope): Promise<ReserveResult> {
      const at = now();
      const keys = budgetKeysFor(scope, budgets);
      const slots: Slot[] = [];
      for (const budgetKey of keys) {
        const result = await reserveSlot(budgetKey, at);
        if (result.granted) {
          slots.push(result.slot);
          continue;
        }
        await refundSlots(slots);
        const blockStarted = await countRefusal(result.slot, at);
        return {
          granted: false,
          retryAfterSeconds: await longestWait(keys, at),
          budget: budgetKey.budget,
          blockStarted,
        };
      }
      return { granted: true, reservation: { slots } };
    },

    /** Gives a reservation back: the code was right, or AWS never judged it (outage, bad duration). */
    async refund(reservation: Reservation): Promise<void> {
      await refundSlots(reservation.slots);
    },

    /** Budgets spent in their current window, newest first. */
    async lockouts(limit = 200): Promise<Lockout[]> {
      const rows = await prisma.attemptCounter.findMany({
        where: {
          windowStart: { gt: new Date(now().getTime() - windowMs) },
          OR: BUDGET_NAMES.map((budget) => ({
            key: { startsWith: BUDGET_KEY_PREFIX[budget] },
            failures: { gte: limitOf(budget, budgets) },
          })),
        },
        orderBy: [{ windowStart: 'desc' }, { key: 'asc' }],
        take: limit,
      });
      return rows.map(toLockout).filter((lockout) => lockout !== null);
    },

    /** Lifts a lockout (an administrator): removes the counter if its budget is spent now; the lockout, or null. */
    async lift(key: string, db: DbClient = prisma): Promise<Lockout | null> {
      const row = await db.attemptCounter.findUnique({ where: { key } });
      const lockout = row ? toLockout(row) : null;
      if (!lockout || lockout.endsAt.getTime() <= now().getTime()) return null;
      const removed = await db.attemptCounter.deleteMany({
        where: { key, windowStart: lockout.windowStart, failures: { gte: lockout.limit } },
      });
      return removed.count > 0 ? lockout : null;
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
