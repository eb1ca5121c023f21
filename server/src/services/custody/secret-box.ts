import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of the secrets the portal holds (users' secret access keys, MFA session
 * credentials) under the master key, AES-256-GCM with a fresh 96-bit nonce per record. The
 * record's identity (e.g. "user-key:alice:AKIA...") is bound as additional authenticated data, so
 * a ciphertext copied onto another row does not decrypt. The sealed text names the key that
 * sealed it, which lets `rotate-master-key` find and re-encrypt records sealed under older keys.
 *
 * Format: `v1.<keyId>.<nonce b64url>.<ciphertext b64url>.<tag b64url>`.
 */
const VERSION = 'v1';
const NONCE_BYTES = 12;

export interface MasterKey {
  /** Short fingerprint of the key, stored with every record it seals. Not secret. */
  id: string;
  key: Buffer;
}

export interface KeyRing {
  /** Seals new records. */
  current: MasterKey;
  /** Every key that may open existing records, including `current`. */
  byId: ReadonlyMap<string, MasterKey>;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** Parses base64 of exactly 32 random bytes (e.g. `openssl rand -base64 32`). */
export function parseMasterKey(encoded: string): MasterKey {
  const trimmed = encoded.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new SecretBoxError('must be base64 of 32 random bytes');
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new SecretBoxError(`must be base64 of 32 random bytes (it decodes to ${key.length})`);
  return { id: masterKeyId(key), key };
}

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('aws-mfa-portal master key id').update(key).digest('base64url').slice(0, 12);
}

export function createKeyRing(current: MasterKey, previous: MasterKey[] = []): KeyRing {
  const byId = new Map<string, MasterKey>([[current.id, current]]);
  for (const key of previous) if (!byId.has(key.id)) byId.set(key.id, key);
  return { current, byId };
}

export function generateMasterKey(): string {
  return randomBytes(32).toString('base64');
}

export function seal(ring: KeyRing, plaintext: string, context: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    ring.current.id,
    nonce.toString('base64url'),
    ciphertext.toString('base64url'),
    tag.toString('base64url'),
  ].join('.');
}

export function open(ring: KeyRing, sealed: string, context: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('sealed secret has an unknown format');
  const [, keyId, nonce, ciphertext, tag] = parts as [string, string, string, string, string];
  const master = ring.byId.get(keyId);
  if (!master) throw new SecretBoxError(`sealed under master key ${keyId}, which is not configured`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', master.key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('sealed secret failed authentication (wrong key, wrong record, or tampered)');
  }
}
