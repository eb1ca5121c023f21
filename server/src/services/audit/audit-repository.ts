import type { DbClient } from '../../db/prisma-types.ts';
import type { AuditEvent } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type AuditOutcome, type AuditRecord } from './audit-events.ts';

type Row = AuditEvent;

export interface AuditQuery {
  actor?: string;
  action?: string;
  targetRoleArn?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
  /** Rows with seq below this (cursor paging, newest first). */
  beforeSeq?: number;
  limit: number;
}

/** Any fixed 64-bit number, the same on every instance: the key of the chain's advisory lock. */
const CHAIN_LOCK_KEY = 7_305_145_011_203_061n;

function toRow(record: AuditRecord) {
  return {
    id: record.id,
    seq: record.seq,
    time: record.time,
    actor: record.actor,
    action: record.action,
    targetRoleArn: record.targetRoleArn ?? null,
    roleSessionName: record.roleSessionName ?? null,
    outcome: record.outcome,
    errorCode: record.errorCode ?? null,
    sourceIp: record.sourceIp ?? null,
    userAgent: record.userAgent ?? null,
    requestId: record.requestId ?? null,
    ...(record.metadata ? { metadata: record.metadata } : {}),
    prevHash: record.prevHash,
    hash: record.hash,
    keyId: record.keyId ?? null,
  };
}

export function createAuditRepository() {
  return {
    async head(db: DbClient): Promise<{ seq: number; hash: string; keyId: string | null } | null> {
      return db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true, keyId: true } });
    },

    /**
     * PostgreSQL only: the transaction-scoped advisory lock every chain writer takes before it
     * reads the head, so writers on any number of instances queue for the head instead of
     * colliding on `seq` and starting over. Released at commit or rollback.
     */
    async lockChain(db: DbClient): Promise<void> {
      await db.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK_KEY})`);
    },

    async insertMany(db: DbClient, records: AuditRecord[]): Promise<void> {
      await db.auditEvent.createMany({ data: records.map(toRow) });
    },

    async bySeqRange(db: DbClient, fromSeq: number, limit: number): Promise<AuditRecord[]> {
      const rows = await db.auditEvent.findMany({
        where: { seq: { gte: fromSeq } },
        orderBy: { seq: 'asc' },
        take: limit,
      });
      return rows.map(toRecord);
    },

    /** When `actor` last got credentials for each role (issued in the browser, by script or by CLI token). */
    async lastIssuedByRole(db: DbClient, actor: string): Promise<Map<string, Date>> {
      const usage = await db.auditEvent.groupBy({
        by: ['targetRoleArn'],
        where: {
          actor,
          action: {
            in: [
              AuditAction.IssueCredentials,
              AuditAction.ProcessCredentials,
              AuditAction.ContainerCredentials,
              AuditAction.ConsoleSignIn,
            ],
          },
          outcome: 'success',
        },
        _max: { time: true },
      });
      const lastIssued = new Map<string, Date>();
      for (const u of usage) if (u.targetRoleArn && u._max.time) lastIssued.set(u.targetRoleArn, u._max.time);
      return lastIssued;
    },

    async query(db: DbClient, q: AuditQuery): Promise<AuditRecord[]> {
      const rows = await db.auditEvent.findMany({
        where: {
          ...(q.actor ? { actor: q.actor } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(q.targetRoleArn ? { targetRoleArn: q.targetRoleArn } : {}),
          ...(q.outcome ? { outcome: q.outcome } : {}),
          ...(q.from || q.to ? { time: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
          ...(q.beforeSeq !== undefined ? { seq: { lt: q.beforeSeq } } : {}),
        },
        orderBy: { seq: 'desc' },
        take: q.limit,
      });
      return rows.map(toRecord);
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;

function toRecord(row: Row): AuditRecord {
  return {
    id: row.id,
    seq: row.seq,
    time: row.time,
    actor: row.actor,
    action: row.action as AuditAction,
    outcome: row.outcome as AuditOutcome,
    targetRoleArn: row.targetRoleArn ?? undefined,
    roleSessionName: row.roleSessionName ?? undefined,
    errorCode: row.errorCode ?? undefined,
    sourceIp: row.sourceIp ?? undefined,
    userAgent: row.userAgent ?? undefined,
    requestId: row.requestId ?? undefined,
    metadata: metadataOf(row.metadata),
    prevHash: row.prevHash,
    hash: row.hash,
    keyId: row.keyId ?? undefined,
  };
}

/** The stored JSON back as the flat object it was written as (audit-events.ts AuditEntry.metadata). */
function metadataOf(value: Row['metadata']): AuditRecord['metadata'] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as AuditRecord['metadata'];
}
