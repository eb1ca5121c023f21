import { randomUUID } from 'node:crypto';
import { type DbClient, isUniqueViolation } from '../../db/prisma-types.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { auditHash, type ChainCheck, GENESIS_HASH, verifyChainSegment } from './audit-chain.ts';
import type { AuditEntry, AuditRecord } from './audit-events.ts';
import type { AuditQuery, AuditRepository } from './audit-repository.ts';

export interface AuditServiceDeps {
  prisma: PrismaClient;
  auditRepository: AuditRepository;
  now?: () => Date;
}

const MAX_APPEND_ATTEMPTS = 8;
const VERIFY_BATCH = 1000;

/** Clips free text that comes from requests (user agents) so one row cannot grow without bound. */
const clip = (text: string | undefined, max: number) => (text === undefined ? undefined : text.slice(0, max));

/**
 * The append-only, hash-chained audit log. `append` inside a caller's transaction writes the
 * row together with the change it records; on its own it opens one. Two writers that read the
 * same chain head collide on the unique `seq`, and the loser retries on the new head.
 */
export function createAuditService({ prisma, auditRepository, now = () => new Date() }: AuditServiceDeps) {
  async function appendWith(db: DbClient, entry: AuditEntry): Promise<AuditRecord> {
    const head = await auditRepository.head(db);
    const base = {
      ...entry,
      userAgent: clip(entry.userAgent, 256),
      sourceIp: clip(entry.sourceIp, 64),
      id: randomUUID(),
      seq: (head?.seq ?? 0) + 1,
      time: new Date(Math.floor(now().getTime())),
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    const record: AuditRecord = { ...base, hash: auditHash(base) };
    await auditRepository.insert(db, record);
    return record;
  }

  return {
    /**
     * Appends one event. Pass `tx` to write it in an open transaction (the caller then owns the
     * retry on a seq collision by retrying its transaction).
     */
    async append(entry: AuditEntry, tx?: DbClient): Promise<AuditRecord> {
      if (tx) return appendWith(tx, entry);
      for (let attempt = 1; ; attempt++) {
        try {
          return await prisma.$transaction((db) => appendWith(db, entry));
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= MAX_APPEND_ATTEMPTS) throw error;
          // Spread the losers out, or a crowd of writers keeps colliding on the same head.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
        }
      }
    },

    query(q: AuditQuery): Promise<AuditRecord[]> {
      return auditRepository.query(prisma, q);
    },

    /** When `actor` last got credentials for each role ARN. */
    lastIssuedByRole(actor: string): Promise<Map<string, Date>> {
      return auditRepository.lastIssuedByRole(prisma, actor);
    },

    /** Walks the whole chain in batches and reports the first row that does not verify. */
    async verifyChain(): Promise<ChainCheck> {
      let prevHash = GENESIS_HASH;
      let seq = 1;
      let checked = 0;
      for (;;) {
        const rows = await auditRepository.bySeqRange(prisma, seq, VERIFY_BATCH);
        const segment = verifyChainSegment(rows, prevHash, seq);
        checked += segment.checked;
        if (!segment.ok)
          return {
            ok: false,
            checked,
            ...(segment.brokenAtSeq !== undefined ? { brokenAtSeq: segment.brokenAtSeq } : {}),
          };
        if (rows.length < VERIFY_BATCH) return { ok: true, checked };
        prevHash = segment.lastHash;
        seq += rows.length;
      }
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
