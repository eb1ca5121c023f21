import { describe, expect, it } from 'vitest';
import { resolveDuration } from './duration.ts';

describe('resolveDuration', () => {
  it('defaults to one hour, or less when the role allows less', () => {
    expect(resolveDuration(43200, undefined, false)).toBe(3600);
    expect(resolveDuration(1800, undefined, false)).toBe(1800);
  });

  it("allows up to the role's maximum with a fresh code", () => {
    expect(resolveDuration(43200, 43200, false)).toBe(43200);
    expect(() => resolveDuration(3600, 7200, false)).toThrow(/from 900 to 3600 seconds/);
  });

  it('caps chained sessions at one hour and says how to get longer ones', () => {
    expect(resolveDuration(43200, 3600, true)).toBe(3600);
    expect(() => resolveDuration(43200, 7200, true)).toThrow(/role-chaining limit.*up to 43200 seconds/);
  });

  it('refuses durations below AWS minimum and non-integers', () => {
    expect(() => resolveDuration(3600, 899, false)).toThrow(/from 900/);
    expect(() => resolveDuration(3600, 1000.5, false)).toThrow(/from 900/);
  });
});
