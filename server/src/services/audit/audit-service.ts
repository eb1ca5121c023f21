import { randomUUID } from 'node:crypto';
import type { DatabaseProvider } from '../../db/database-url.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import { serviceUnavailable } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { type ChainHead, createAuditAppender } from './audit-appender.ts';
import { auditHash, type ChainCheck, GENESIS_HASH, type SegmentState, verifyChainSegment } from './audit-chain.ts';
import { type Checkpoint, openCheckpoint, signCheckpoint } from './audit-checkpoint.ts';
import type { AuditEntry, AuditRecord } from './audit-events.ts';
import type { AuditKeys } from './audit-key.ts';
import type { AuditQuery, AuditRepository } from './audit-repository.ts';

export interface AuditServiceDeps {
  prisma: PrismaClient;
  auditRepository: AuditRepository;
  /** Derived from the master keys (audit-key.ts); without a current key rows are unkeyed. */
  keys: AuditKeys;
  /** On PostgreSQL every chain writer takes one advisory lock, so instances queue instead of colliding. */
  provider?: DatabaseProvider;
  now?: () => Date;
}

/** What an earlier walk verified: the chain up to `head` (`checked` rows) was intact. */
export interface VerifiedPrefix {
  head: { seq: number; hash: string };
  checked: number;
  keyedFromSeq: number | undefined;
}

/** The chain checked against a checkpoint: does it still reach, and agree with, that head? */
export interface CheckpointCheck extends ChainCheck {
  checkpoint: Checkpoint;
  /** `shorter`: rows up to the checkpoint's seq are gone; `differs`: the row there changed. */
  checkpointProblem?: 'shorter' | 'differs';
}

const VERIFY_BATCH = 1000;

/** Clips free text that comes from requests (user agents) so one row cannot grow without bound. */
const clip = (text: string | undefined, max: number) => (text === undefined ? undefined : text.slice(0, max));

/**
 * The append-only, hash-chained audit log. `append` inside a caller's transaction writes the
 * row together with the change it records; on its own it goes through the group-commit appender
 * (audit-appender.ts): the appends that arrive together become one INSERT on the head it wrote
 * last. Writers that chain onto a stale head collide on the unique `seq` and retry on the new
 * one; the careful path (head read + insert in one transaction) takes one advisory lock on
 * PostgreSQL, so those retries queue rather than collide again. Rows are HMAC'd under the audit
 * key (audit-key.ts), and `checkpoint` exports the head so that deleting the newest rows, which
 * leaves a chain that still links, is detected too.
 */
export function createAuditService({
  prisma,
  auditRepository,
  keys,
  provider = 'sqlite',
  now = () => new Date(),
}: AuditServiceDeps) {
  /** Chains `entries` onto `head`, in order: the rows to insert. */
  function chainOnto(head: ChainHead | null, entries: AuditEntry[]): AuditRecord[] {
    // An unkeyed row after keyed ones would not verify: refuse rather than break the chain.
    if (head?.keyId && !keys.current)
      throw serviceUnavailable(
        'portal_not_configured',
        'The audit log is keyed under PORTAL_MASTER_KEY, which is not set. An administrator must set it.',
      );
    let seq = head?.seq ?? 0;
    let prevHash = head?.hash ?? GENESIS_HASH;
    return entries.map((entry): AuditRecord => {
      const base = {
        ...entry,
        userAgent: clip(entry.userAgent, 256),
        sourceIp: clip(entry.sourceIp, 64),
        id: randomUUID(),
        seq: ++seq,
        time: new Date(Math.floor(now().getTime())),
        prevHash,
        keyId: keys.current?.id,
      };
      const record = { ...base, hash: auditHash(base, keys.current) };
      prevHash = record.hash;
      return record;
    });
  }

  /** Reads the head (under the chain lock on PostgreSQL) and inserts the rows in `db`'s transaction. */
  async function writeChain(db: DbClient, entries: AuditEntry[]): Promise<AuditRecord[]> {
    if (provider === 'postgresql') await auditRepository.lockChain(db);
    const records = chainOnto(await auditRepository.head(db), entries);
    await auditRepository.insertMany(db, records);
    return records;
  }

  const appender = createAuditAppender({
    // One multi-row INSERT: atomic on its own, and it fails on `seq` if the head moved meanwhile.
    writeOnHead: async (head, entries) => {
      const records = chainOnto(head, entries);
      await auditRepository.insertMany(prisma, records);
      return records;
    },
    writeLocked: (entries) => prisma.$transaction((db) => writeChain(db, entries)),
  });

  /**
   * Walks the chain in batches from the genesis, or from `after` (a head an earlier walk verified:
   * the rows up to it are not read again, only the head row is confirmed unchanged), and reports
   * the first row that does not verify. `checked` counts the verified prefix too.
   */
  async function verifyChain(after?: VerifiedPrefix): Promise<ChainCheck> {
    const state: SegmentState = after
      ? { prevHash: after.head.hash, seq: after.head.seq + 1, keyedFromSeq: after.keyedFromSeq }
      : { prevHash: GENESIS_HASH, seq: 1, keyedFromSeq: undefined };
    let checked = after?.checked ?? 0;
    if (after) {
      const [row] = await auditRepository.bySeqRange(prisma, after.head.seq, 1);
      if (row?.seq !== after.head.seq || row.hash !== after.head.hash)
        return { ok: false, checked: after.checked - 1, brokenAtSeq: after.head.seq, problem: 'mismatch' };
    }
    for (;;) {
      const rows = await auditRepository.bySeqRange(prisma, state.seq, VERIFY_BATCH);
      const segment = verifyChainSegment(rows, keys, state);
      checked += segment.checked;
      const reached = {
        ...(state.seq > 1 ? { head: { seq: state.seq - 1, hash: state.prevHash } } : {}),
        ...(state.keyedFromSeq !== undefined ? { keyedFromSeq: state.keyedFromSeq } : {}),
      };
      if (segment.failure) return { ok: false, checked, ...segment.failure, ...reached };
      if (rows.length < VERIFY_BATCH) return { ok: true, checked, ...reached };
    }
  }

  return {
    /**
     * Appends one event. Pass `tx` to write it in an open transaction (the caller then owns the
     * retry on a seq collision by retrying its transaction).
     */
    async append(entry: AuditEntry, tx?: DbClient): Promise<AuditRecord> {
      if (tx) return (await writeChain(tx, [entry]))[0]!;
      return appender.append(entry);
    },

    query(q: AuditQuery): Promise<AuditRecord[]> {
      return auditRepository.query(prisma, q);
    },

    /** When `actor` last got credentials for each role ARN. */
    lastIssuedByRole(actor: string): Promise<Map<string, Date>> {
      return auditRepository.lastIssuedByRole(prisma, actor);
    },

    verifyChain,

    /** A signed checkpoint of the chain's head, for the operator to keep outside the database. */
    async checkpoint(): Promise<{ checkpoint: string; seq: number; hash: string; time: Date }> {
      if (!keys.current)
        throw serviceUnavailable('portal_not_configured', 'A checkpoint is signed with PORTAL_MASTER_KEY; set it.');
      const head = (await auditRepository.head(prisma)) ?? { seq: 0, hash: GENESIS_HASH };
      const time = new Date(Math.floor(now().getTime() / 1000) * 1000);
      return { checkpoint: signCheckpoint(keys.current, head, time), seq: head.seq, hash: head.hash, time };
    },

    /**
     * Verifies the chain and that it still holds the checkpoint's head: a chain that ends before
     * the checkpoint's seq lost its newest rows; one whose row there has another hash was rewritten.
     * Throws CheckpointError when the checkpoint itself is malformed or not signed by this portal.
     */
    async verifyCheckpoint(text: string): Promise<CheckpointCheck> {
      const checkpoint = openCheckpoint(keys, text);
      const check = await verifyChain();
      if (checkpoint.seq === 0) return { ...check, checkpoint };
      const [row] = await auditRepository.bySeqRange(prisma, checkpoint.seq, 1);
      if (!row || row.seq !== checkpoint.seq) return { ...check, ok: false, checkpoint, checkpointProblem: 'shorter' };
      if (row.hash !== checkpoint.hash) return { ...check, ok: false, checkpoint, checkpointProblem: 'differs' };
      return { ...check, checkpoint };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
