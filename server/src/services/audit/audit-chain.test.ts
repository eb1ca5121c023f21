import { describe, expect, it } from 'vitest';
import { generateMasterKey, parseMasterKey } from '../custody/secret-box.ts';
import { auditHash, GENESIS_HASH, type SegmentState, verifyChainSegment } from './audit-chain.ts';
import { CheckpointError, openCheckpoint, signCheckpoint } from './audit-checkpoint.ts';
import type { AuditRecord } from './audit-events.ts';
import { auditKeysFrom } from './audit-key.ts';

const keys = auditKeysFrom(parseMasterKey(generateMasterKey()));
const key = keys.current!;

/** A chain of `n` rows, the first `unkeyed` of them from before keying. */
function chain(n: number, unkeyed = 0): AuditRecord[] {
  const rows: AuditRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const base = {
      id: `row-${seq}`,
      seq,
      time: new Date(Date.UTC(2026, 11, 1, 0, 0, seq)),
      actor: 'alice',
      action: 'session.sign_in' as const,
      outcome: 'success' as const,
      metadata: { b: seq, a: 'x' },
      prevHash,
      ...(seq > unkeyed ? { keyId: key.id } : {}),
    };
    const row = { ...base, hash: auditHash(base, seq > unkeyed ? key : undefined) };
    rows.push(row);
    prevHash = row.hash;
  }
  return rows;
}

const verify = (rows: AuditRecord[], withKeys = keys) => {
  const state: SegmentState = { prevHash: GENESIS_HASH, seq: 1, keyedFromSeq: undefined };
  return { ...verifyChainSegment(rows, withKeys, state), state };
};

describe('keyed audit chain', () => {
  it('verifies an unkeyed prefix followed by keyed rows', () => {
    const result = verify(chain(5, 2));
    expect(result.failure).toBeUndefined();
    expect(result.state.keyedFromSeq).toBe(3);
  });

  it('hashes the same metadata the same whatever the key order', () => {
    const [row] = chain(1);
    const { hash, ...rest } = row!;
    expect(auditHash({ ...rest, metadata: { a: 'x', b: 1 } }, key)).toBe(hash);
  });

  it('refuses an unkeyed row after keyed ones, and a row keyed under another key', () => {
    const rows = chain(3);
    const forged = { ...rows[2]!, keyId: undefined };
    forged.hash = auditHash(forged);
    expect(verify([rows[0]!, rows[1]!, forged]).failure).toMatchObject({
      brokenAtSeq: 3,
      problem: 'unkeyed_after_keyed',
    });
    const other = auditKeysFrom(parseMasterKey(generateMasterKey()));
    expect(verify(rows, other).failure).toMatchObject({ brokenAtSeq: 1, problem: 'unknown_key', missingKeyId: key.id });
    const relabelled = { ...rows[1]!, keyId: other.current!.id };
    expect(
      verify([rows[0]!, relabelled], { current: key, byId: new Map([...keys.byId, ...other.byId]) }).failure,
    ).toMatchObject({ brokenAtSeq: 2, problem: 'mismatch' });
  });
});

describe('audit checkpoints', () => {
  const head = { seq: 42, hash: 'a'.repeat(64) };
  const time = new Date('2026-12-02T03:04:05.678Z');

  it('round-trips seq, hash, time (to the second) and key id', () => {
    const text = signCheckpoint(key, head, time);
    expect(text).toMatch(/^v1\.42\.a{64}\.20261202T030405Z\.[\w-]{12}\.[\w-]{43}$/);
    expect(openCheckpoint(keys, `  ${text}\n`)).toEqual({
      seq: 42,
      hash: head.hash,
      time: new Date('2026-12-02T03:04:05Z'),
      keyId: key.id,
    });
  });

  it('rejects an altered checkpoint, one from another portal and anything else', () => {
    const text = signCheckpoint(key, head, time);
    expect(() => openCheckpoint(keys, text.replace('.42.', '.41.'))).toThrow(/signature does not match/);
    expect(() => openCheckpoint(auditKeysFrom(parseMasterKey(generateMasterKey())), text)).toThrow(/does not hold/);
    expect(() => openCheckpoint(keys, 'v1.42')).toThrow(CheckpointError);
  });
});
