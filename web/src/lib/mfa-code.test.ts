import { describe, expect, it } from 'vitest';
import { mfaCodeProblem, normalizeMfaCode } from './mfa-code.ts';

describe('MFA codes as people type and paste them', () => {
  it('drops spaces and dashes', () => {
    expect(normalizeMfaCode(' 123 456\n')).toBe('123456');
    expect(normalizeMfaCode('123-456')).toBe('123456');
  });

  it('asks for six digits', () => {
    expect(mfaCodeProblem('123 456')).toBeNull();
    expect(mfaCodeProblem('')).toMatch(/Enter the 6-digit code/);
    expect(mfaCodeProblem('12345')).toMatch(/6 digits/);
    expect(mfaCodeProblem('12345a')).toMatch(/6 digits/);
  });
});
