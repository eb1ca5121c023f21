import { createHash } from 'node:crypto';
import type { AuditRecord } from './audit-events.ts';

export const GENESIS_HASH = '0'.repeat(64);

type Hashed = Omit<AuditRecord, 'hash'>;

/**
 * The hash of an audit row: SHA-256 over the previous row's hash and this row's content in a
 * fixed field order, so editing, reordering or deleting any row breaks every later link.
 */
export function auditHash(row: Hashed): string {
  const content = [
    row.seq,
    row.id,
    row.time.toISOString(),
    row.actor,
    row.action,
    row.outcome,
    row.targetRoleArn ?? null,
    row.roleSessionName ?? null,
    row.errorCode ?? null,
    row.sourceIp ?? null,
    row.userAgent ?? null,
    row.requestId ?? null,
    row.metadata ? canonicalJson(row.metadata) : null,
  ];
  return createHash('sha256').update(row.prevHash).update('\n').update(JSON.stringify(content)).digest('hex');
}

/** JSON with object keys sorted, so the same metadata always hashes the same. */
export function canonicalJson(value: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  /** The first row whose link or content does not verify. */
  brokenAtSeq?: number;
}

/** Verifies consecutive rows (ordered by seq) continuing from `prevHash` at `expectedSeq`. */
export function verifyChainSegment(
  rows: AuditRecord[],
  prevHash: string,
  expectedSeq: number,
): ChainCheck & { lastHash: string } {
  let previous = prevHash;
  let seq = expectedSeq;
  for (const [index, row] of rows.entries()) {
    if (row.seq !== seq || row.prevHash !== previous || auditHash(row) !== row.hash) {
      return { ok: false, checked: index, brokenAtSeq: row.seq !== seq ? seq : row.seq, lastHash: previous };
    }
    previous = row.hash;
    seq += 1;
  }
  return { ok: true, checked: rows.length, lastHash: previous };
}
