import { type DbClient, isUniqueViolation } from '../../db/prisma-types.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import type { AuditEntry, AuditRecord } from './audit-events.ts';

/** Writes consecutive rows on the chain's current head inside `db`'s transaction, returning them. */
export type ChainWriter = (db: DbClient, entries: AuditEntry[]) => Promise<AuditRecord[]>;

export interface AuditAppenderOptions {
  prisma: PrismaClient;
  write: ChainWriter;
  /** Rows per transaction at most; a crowd larger than this is written in several. */
  maxBatch?: number;
  /** Attempts for a batch that collides with another writer on the chain's head (`seq`). */
  maxAttempts?: number;
}

interface Waiter {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

const DEFAULT_MAX_BATCH = 256;
const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * Group commit for the audit chain. The chain has one head, so two transactions appending at
 * once collide on `seq` and one must start over; with 32 issuances at once most of the work is
 * retries. Instead, appends that arrive while a transaction is writing wait for it and are then
 * written together: one transaction, one head read, one multi-row insert, one commit for the
 * whole group, the rows chained in arrival order.
 *
 * Fail-closed as before: an append's promise resolves only after the transaction holding its row
 * has committed, and rejects when it did not (so its caller issues nothing). A single append
 * waits for nobody: with no transaction in flight it is written at once. A group that fails for
 * a reason other than a `seq` collision is retried one row per transaction, so one bad row does
 * not take its neighbours down with it.
 */
export function createAuditAppender({
  prisma,
  write,
  maxBatch = DEFAULT_MAX_BATCH,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
}: AuditAppenderOptions) {
  const queue: Waiter[] = [];
  let writing = false;

  async function commit(entries: AuditEntry[]): Promise<AuditRecord[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await prisma.$transaction((db) => write(db, entries));
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= maxAttempts) throw error;
        // Another writer (an instance, or a change audited in its own transaction) took the head.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  async function settle(group: Waiter[]): Promise<void> {
    try {
      const records = await commit(group.map((w) => w.entry));
      for (const [i, w] of group.entries()) w.resolve(records[i]!);
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      for (const w of group) await settle([w]);
    }
  }

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (queue.length > 0) await settle(queue.splice(0, maxBatch));
    } finally {
      writing = false;
    }
  }

  return {
    /** Resolves with the committed row; rejects when it was not committed. */
    append(entry: AuditEntry): Promise<AuditRecord> {
      return new Promise((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        if (!writing) void drain();
      });
    },
  };
}

export type AuditAppender = ReturnType<typeof createAuditAppender>;
