import { describe, expect, it } from 'vitest';
import { createKeyRing, generateMasterKey, open, parseMasterKey, SecretBoxError, seal } from './secret-box.ts';

const ring = createKeyRing(parseMasterKey(generateMasterKey()));

describe('secret box', () => {
  it('round-trips a secret bound to its record', () => {
    const sealed = seal(ring, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'user-key:alice:AKIAEXAMPLE');
    expect(sealed).not.toContain('wJalr');
    expect(open(ring, sealed, 'user-key:alice:AKIAEXAMPLE')).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
  });

  it('uses a fresh nonce for every record', () => {
    expect(seal(ring, 'same', 'ctx')).not.toBe(seal(ring, 'same', 'ctx'));
  });

  it('refuses a ciphertext moved to another record', () => {
    const sealed = seal(ring, 'secret', 'user-key:alice:AKIA1');
    expect(() => open(ring, sealed, 'user-key:mallory:AKIA1')).toThrow(SecretBoxError);
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = seal(ring, 'secret', 'ctx');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => open(ring, parts.join('.'), 'ctx')).toThrow(/failed authentication/);
  });

  it('opens records sealed under a previous key and names unknown keys', () => {
    const old = parseMasterKey(generateMasterKey());
    const sealedOld = seal(createKeyRing(old), 'secret', 'ctx');
    const rotated = createKeyRing(parseMasterKey(generateMasterKey()), [old]);
    expect(open(rotated, sealedOld, 'ctx')).toBe('secret');
    expect(sealedOld.split('.')[1]).toBe(old.id); // the sealing key is named in the record
    expect(() => open(ring, sealedOld, 'ctx')).toThrow(`master key ${old.id}`);
  });

  it('accepts only 32-byte base64 master keys', () => {
    expect(() => parseMasterKey('c2hvcnQ=')).toThrow(/decodes to 5/);
    expect(() => parseMasterKey('not base64!')).toThrow(SecretBoxError);
  });
});
