import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditKey, AuditKeys } from './audit-key.ts';

/**
 * A signed statement of the audit chain's head: "at <time> the chain ended at row <seq> with
 * hash <hash>", HMAC'd under the audit key. Kept outside the database (a ticket, a log
 * collector, a printout), it shows later that no row up to <seq> was deleted or rewritten, which
 * the chain alone cannot: deleting the newest rows leaves a shorter chain that still links.
 *
 * Format: `v1.<seq>.<hash hex>.<time, yyyymmddThhmmssZ>.<keyId>.<hmac b64url>`.
 */
export interface Checkpoint {
  seq: number;
  hash: string;
  time: Date;
  keyId: string;
}

const VERSION = 'v1';
const FORMAT = /^v1\.(\d{1,15})\.([0-9a-f]{64})\.(\d{8}T\d{6}Z)\.([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/;

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const compactTime = (time: Date) =>
  time
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
const parseCompactTime = (text: string) =>
  new Date(
    `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(9, 11)}:${text.slice(11, 13)}:${text.slice(13, 15)}Z`,
  );

function mac(key: AuditKey, body: string): string {
  return createHmac('sha256', key.key).update('aws-mfa-portal audit checkpoint\n').update(body).digest('base64url');
}

export function signCheckpoint(key: AuditKey, head: { seq: number; hash: string }, time: Date): string {
  const body = [VERSION, head.seq, head.hash, compactTime(time), key.id].join('.');
  return `${body}.${mac(key, body)}`;
}

/** Parses a checkpoint and checks its HMAC; throws CheckpointError saying what is wrong. */
export function openCheckpoint(keys: AuditKeys, text: string): Checkpoint {
  const match = FORMAT.exec(text.trim());
  if (!match) throw new CheckpointError('not an audit checkpoint (expected the line `audit checkpoint` printed)');
  const [, seq, hash, time, keyId, signature] = match as unknown as [string, string, string, string, string, string];
  const key = keys.byId.get(keyId);
  if (!key)
    throw new CheckpointError(
      `signed under audit key ${keyId}, which this portal does not hold (is its master key in PORTAL_PREVIOUS_MASTER_KEYS?)`,
    );
  const body = text.trim().slice(0, -signature.length - 1);
  const expected = Buffer.from(mac(key, body));
  if (expected.length !== signature.length || !timingSafeEqual(expected, Buffer.from(signature)))
    throw new CheckpointError('the signature does not match: the checkpoint was altered or is not from this portal');
  return { seq: Number(seq), hash, time: parseCompactTime(time), keyId };
}
