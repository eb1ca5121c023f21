import { describe, expect, it } from 'vitest';
import { codeAtStep, currentCode, timeStepAt, verifyAndConsumeCode } from './totp.ts';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const RFC_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const SERIAL = 'arn:aws:iam::111111111111:mfa/alice';

describe('currentCode', () => {
  it('matches the RFC 6238 SHA-1 test vectors (last 6 digits)', () => {
    expect(currentCode(RFC_SEED, new Date(59_000))).toBe('287082');
    expect(currentCode(RFC_SEED, new Date(1_111_111_109_000))).toBe('081804');
    expect(currentCode(RFC_SEED, new Date(1_234_567_890_000))).toBe('005924');
    expect(currentCode(RFC_SEED, new Date(2_000_000_000_000))).toBe('279037');
  });

  it('accepts lower-case and spaced seeds like authenticator apps do', () => {
    expect(currentCode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq', new Date(59_000))).toBe('287082');
  });
});

describe('verifyAndConsumeCode', () => {
  const now = new Date('2026-11-22T10:00:10Z');
  const step = timeStepAt(now);

  it('accepts the current code once and refuses its replay', () => {
    const accepted = new Map<string, number>();
    const code = currentCode(RFC_SEED, now);
    expect(verifyAndConsumeCode(accepted, SERIAL, RFC_SEED, code, now)).toBe(true);
    expect(accepted.get(SERIAL)).toBe(step);
    expect(verifyAndConsumeCode(accepted, SERIAL, RFC_SEED, code, now)).toBe(false);
  });

  it('allows one step of skew either way, not two', () => {
    const fresh = () => new Map<string, number>();
    expect(verifyAndConsumeCode(fresh(), SERIAL, RFC_SEED, codeAtStep(RFC_SEED, step - 1), now)).toBe(true);
    expect(verifyAndConsumeCode(fresh(), SERIAL, RFC_SEED, codeAtStep(RFC_SEED, step + 1), now)).toBe(true);
    expect(verifyAndConsumeCode(fresh(), SERIAL, RFC_SEED, codeAtStep(RFC_SEED, step - 2), now)).toBe(false);
    expect(verifyAndConsumeCode(fresh(), SERIAL, RFC_SEED, codeAtStep(RFC_SEED, step + 2), now)).toBe(false);
  });

  it('refuses an earlier step once a later one was accepted', () => {
    const accepted = new Map<string, number>();
    expect(verifyAndConsumeCode(accepted, SERIAL, RFC_SEED, codeAtStep(RFC_SEED, step), now)).toBe(true);
    expect(verifyAndConsumeCode(accepted, SERIAL, RFC_SEED, codeAtStep(RFC_SEED, step - 1), now)).toBe(false);
    expect(verifyAndConsumeCode(accepted, SERIAL, RFC_SEED, codeAtStep(RFC_SEED, step + 1), now)).toBe(true);
  });

  it('tracks devices separately and refuses malformed codes without throwing', () => {
    const accepted = new Map<string, number>();
    const code = currentCode(RFC_SEED, now);
    expect(verifyAndConsumeCode(accepted, SERIAL, RFC_SEED, code, now)).toBe(true);
    expect(verifyAndConsumeCode(accepted, 'GAHT12345678', RFC_SEED, code, now)).toBe(true);
    expect(verifyAndConsumeCode(accepted, 'x', RFC_SEED, '12345', now)).toBe(false);
    expect(verifyAndConsumeCode(accepted, 'x', RFC_SEED, 'abcdef', now)).toBe(false);
  });

  it('does not throw when the clock moved back behind the last accepted step', () => {
    const accepted = new Map([[SERIAL, step + 5]]);
    expect(verifyAndConsumeCode(accepted, SERIAL, RFC_SEED, currentCode(RFC_SEED, now), now)).toBe(false);
  });
});
