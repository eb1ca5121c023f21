import { beforeAll, describe, expect, it } from 'vitest';
import { loadAdminMessages } from '../i18n/i18n.ts';
import { describeLockout } from './lockout-text.ts';

describe('describeLockout', () => {
  // Admin text loads with the admin screens, as it does in the app.
  beforeAll(() => loadAdminMessages());

  it('names who each budget holds back', () => {
    expect(describeLockout({ budget: 'user_address', userName: 'alice', sourceIp: '192.0.2.7' })).toBe(
      'alice from 192.0.2.7',
    );
    expect(describeLockout({ budget: 'user', userName: 'alice', sourceIp: null })).toBe('alice from every address');
    expect(describeLockout({ budget: 'address', userName: null, sourceIp: '2001:db8::1' })).toBe(
      'every user from 2001:db8::1',
    );
  });
});
