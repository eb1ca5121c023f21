import { isUniqueViolation } from '../../db/prisma-types.ts';
import type { AuditEntry, AuditRecord } from './audit-events.ts';

/** The newest row of the chain: what the next row links to. */
export interface ChainHead {
  seq: number;
  hash: string;
  keyId?: string | null | undefined;
}

export interface AuditAppenderOptions {
  /** Inserts `entries` chained onto `head` in one atomic statement; fails on `seq` if the head moved. */
  writeOnHead: (head: ChainHead, entries: AuditEntry[]) => Promise<AuditRecord[]>;
  /** Reads the head and inserts `entries` onto it in one transaction (under the chain lock where there is one). */
  writeLocked: (entries: AuditEntry[]) => Promise<AuditRecord[]>;
  /** Rows per statement at most (a crowd larger than this is written in several). */
  maxBatch?: number;
  /** Attempts for a locked write that still collides on `seq` (SQLite, which has no such lock). */
  maxAttempts?: number;
}

interface Waiter {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

// 64 rows x 16 columns keeps one INSERT well inside every driver's parameter limit.
const DEFAULT_MAX_BATCH = 64;
const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * Group commit for the audit chain. The chain has one head, so transactions appending at once
 * collide on `seq` and all but one start over; with 32 issuances at once most of the work was
 * retries. Here appends that arrive while a write is in flight wait for it and are then written
 * together, chained in arrival order, in one multi-row INSERT.
 *
 * The appender remembers the head it wrote last. While no one else writes (one instance, or
 * the others idle), a group costs one statement: no transaction, no head read. If another
 * writer moved the head, that INSERT fails on the unique `seq` and writes nothing; the group is
 * then written the careful way (head read and insert in one transaction, queued behind the
 * chain's advisory lock on PostgreSQL), which also refreshes the remembered head.
 *
 * Fail-closed as before: an append's promise resolves only after the statement holding its row
 * has committed, and rejects when it did not (so its caller issues nothing). A single append
 * waits for nobody: with no write in flight it is written at once. A group that fails for a
 * reason other than a `seq` collision is retried one row at a time, so one bad row does not
 * take its neighbours down with it.
 */
export function createAuditAppender({
  writeOnHead,
  writeLocked,
  maxBatch = DEFAULT_MAX_BATCH,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
}: AuditAppenderOptions) {
  const queue: Waiter[] = [];
  let writing = false;
  let knownHead: ChainHead | undefined;

  async function commit(entries: AuditEntry[]): Promise<AuditRecord[]> {
    if (knownHead) {
      try {
        return remember(await writeOnHead(knownHead, entries));
      } catch (error) {
        knownHead = undefined;
        if (!isUniqueViolation(error)) throw error;
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return remember(await writeLocked(entries));
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= maxAttempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  function remember(records: AuditRecord[]): AuditRecord[] {
    const last = records[records.length - 1];
    if (last) knownHead = { seq: last.seq, hash: last.hash, keyId: last.keyId };
    return records;
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
