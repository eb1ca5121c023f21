import { createHash, hkdfSync } from 'node:crypto';
import type { MasterKey } from '../custody/secret-box.ts';

/**
 * The key that HMACs the audit chain. It is derived from the master key with HKDF-SHA-256 under
 * its own label (so it opens nothing and the master key cannot be recovered from it) and never
 * stored: someone who can write the database but does not hold the master key cannot forge a
 * row or re-link the chain after deleting one. Each row names its key by `id`, so rows keyed
 * under a retired master key verify as long as that key is in PORTAL_PREVIOUS_MASTER_KEYS.
 */
export interface AuditKey {
  /** Short fingerprint, stored in AuditEvent.keyId. Not secret. */
  id: string;
  key: Buffer;
}

export interface AuditKeys {
  /** Keys new rows and checkpoints; absent when the portal has no master key. */
  current: AuditKey | undefined;
  /** Every key that may verify existing rows, including `current`. */
  byId: ReadonlyMap<string, AuditKey>;
}

const LABEL = 'aws-mfa-portal audit chain v1';

export function deriveAuditKey(master: MasterKey): AuditKey {
  const key = Buffer.from(hkdfSync('sha256', master.key, Buffer.alloc(0), LABEL, 32));
  return {
    id: createHash('sha256').update('aws-mfa-portal audit key id').update(key).digest('base64url').slice(0, 12),
    key,
  };
}

export function auditKeysFrom(current: MasterKey | undefined, previous: MasterKey[] = []): AuditKeys {
  const keys = [...(current ? [current] : []), ...previous].map(deriveAuditKey);
  return { current: current ? keys[0] : undefined, byId: new Map(keys.map((k) => [k.id, k])) };
}
