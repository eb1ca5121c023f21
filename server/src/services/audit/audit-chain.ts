import { createHash, createHmac } from 'node:crypto';
import type { AuditRecord } from './audit-events.ts';
import type { AuditKey, AuditKeys } from './audit-key.ts';

export const GENESIS_HASH = '0'.repeat(64);

type Hashed = Omit<AuditRecord, 'hash'>;

/**
 * The hash of an audit row over the previous row's hash and this row's content in a fixed field
 * order, so editing, reordering or deleting any row breaks every later link. A keyed row
 * (`keyId` set) is an HMAC-SHA-256 under that audit key, which covers the key id too; an unkeyed
 * row (from before the chain was keyed) is a plain SHA-256, as it was then.
 */
export function auditHash(row: Hashed, key?: AuditKey): string {
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
  if (!row.keyId) {
    return createHash('sha256').update(row.prevHash).update('\n').update(JSON.stringify(content)).digest('hex');
  }
  if (!key || key.id !== row.keyId) throw new Error(`audit row ${row.seq} needs audit key ${row.keyId}`);
  return createHmac('sha256', key.key)
    .update(row.prevHash)
    .update('\n')
    .update(JSON.stringify([row.keyId, ...content]))
    .digest('hex');
}

/** JSON with object keys sorted, so the same metadata always hashes the same. */
export function canonicalJson(value: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/**
 * Why a chain does not verify: a row's link or content differs (`mismatch`); an unkeyed row
 * follows a keyed one (only rows from before keying may be unkeyed, so a forger cannot fall
 * back to plain SHA-256); a row names an audit key this portal does not hold (`unknown_key`:
 * not proof of tampering, but not verifiable either).
 */
export type ChainProblem = 'mismatch' | 'unkeyed_after_keyed' | 'unknown_key';

export interface ChainCheck {
  ok: boolean;
  checked: number;
  /** The first row whose link or content does not verify. */
  brokenAtSeq?: number;
  problem?: ChainProblem;
  /** With `unknown_key`: the key the row names. */
  missingKeyId?: string;
  /** The last verified row (the chain's head when ok). */
  head?: { seq: number; hash: string };
  /** The first keyed row; rows before it are unkeyed. */
  keyedFromSeq?: number;
}

export interface SegmentState {
  prevHash: string;
  seq: number;
  keyedFromSeq: number | undefined;
}

/** Verifies consecutive rows (ordered by seq) continuing from `state`, which it advances. */
export function verifyChainSegment(
  rows: AuditRecord[],
  keys: AuditKeys,
  state: SegmentState,
): { checked: number; failure?: Pick<ChainCheck, 'brokenAtSeq' | 'problem' | 'missingKeyId'> } {
  for (const [index, row] of rows.entries()) {
    const fail = (problem: ChainProblem, extra: Partial<ChainCheck> = {}) => ({
      checked: index,
      failure: { brokenAtSeq: row.seq !== state.seq ? state.seq : row.seq, problem, ...extra },
    });
    if (row.seq !== state.seq || row.prevHash !== state.prevHash) return fail('mismatch');
    if (!row.keyId && state.keyedFromSeq !== undefined) return fail('unkeyed_after_keyed');
    const key = row.keyId ? keys.byId.get(row.keyId) : undefined;
    if (row.keyId && !key) return fail('unknown_key', { missingKeyId: row.keyId });
    if (auditHash(row, key) !== row.hash) return fail('mismatch');
    if (row.keyId && state.keyedFromSeq === undefined) state.keyedFromSeq = row.seq;
    state.prevHash = row.hash;
    state.seq += 1;
  }
  return { checked: rows.length };
}
