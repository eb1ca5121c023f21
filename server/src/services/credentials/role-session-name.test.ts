import { describe, expect, it } from 'vitest';
import { ROLE_SESSION_NAME_PATTERN, roleSessionNameFor } from './role-session-name.ts';

describe('roleSessionNameFor', () => {
  it('is the IAM user name when that is already valid', () => {
    expect(roleSessionNameFor('alice')).toBe('alice');
    expect(roleSessionNameFor('first.last@example.com')).toBe('first.last@example.com');
  });

  it('always satisfies AWS constraints', () => {
    for (const name of [
      'a',
      'x'.repeat(100),
      'name with spaces',
      'semi;colon',
      'new\nline',
      'ünïcode',
      '$(rm -rf /)',
    ]) {
      expect(roleSessionNameFor(name)).toMatch(ROLE_SESSION_NAME_PATTERN);
    }
    expect(roleSessionNameFor('a')).toBe('a-');
    expect(roleSessionNameFor('$(id)')).toBe('--id-');
  });
});
