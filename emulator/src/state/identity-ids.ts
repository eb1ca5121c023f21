import { createHash, randomBytes } from 'node:crypto';

/**
 * AWS-shaped identifiers. Unique ids (AIDA users, AROA roles, AGPA groups, ANPA policies) are
 * derived from the entity's account and name when the state file leaves them out, so the same
 * state file always yields the same ids (tests and docs can quote them).
 */

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function toBase32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

export type UniqueIdPrefix = 'AIDA' | 'AROA' | 'AGPA' | 'ANPA';

/** `AIDA` + 17 characters, like AWS, stable for the same prefix, account and name. */
export function stableUniqueId(prefix: UniqueIdPrefix, account: string, name: string): string {
  const digest = createHash('sha256').update(`${prefix}\0${account}\0${name.toLowerCase()}`).digest();
  return prefix + toBase32(digest, 17);
}

/** A fresh unique id for an entity created through the API: a re-created name gets a new id, as in AWS. */
export function randomUniqueId(prefix: UniqueIdPrefix): string {
  return prefix + toBase32(randomBytes(11), 17);
}

/** A random id such as a temporary access key id: `ASIA` + 16 characters. */
export function randomAccessKeyId(prefix: 'ASIA' | 'AKIA'): string {
  return prefix + toBase32(randomBytes(10), 16);
}

/** 40 characters from the base64 alphabet, as AWS secret access keys are. */
export function randomSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}
