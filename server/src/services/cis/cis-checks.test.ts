import { describe, expect, it } from 'vitest';
import {
  type CisUserFacts,
  failedUserChecks,
  failsRootCheck,
  isRootVirtualMfaSerial,
  oldestCredentialUse,
  rootAccountFacts,
} from './cis-checks.ts';

const AS_OF = new Date('2026-12-02T12:00:00Z');
const daysAgo = (days: number, hours = 0) => new Date(AS_OF.getTime() - days * 86_400_000 - hours * 3_600_000);

const user = (facts: Partial<CisUserFacts> = {}): CisUserFacts => ({
  userName: 'u',
  consoleAccess: false,
  mfaActive: true,
  mfaDeviceCount: 1,
  fidoMfaCount: 0,
  activeKeyCount: 0,
  oldestKeyCreatedAt: null,
  oldestCredentialUseAt: null,
  keysWorkWithoutMfa: 'n/a',
  enrolled: true,
  ...facts,
});

describe('CIS user checks', () => {
  it('passes a user with MFA, no keys, enrolled', () => {
    expect(failedUserChecks(user(), AS_OF)).toEqual([]);
  });

  it('console and every-user MFA', () => {
    expect(failedUserChecks(user({ consoleAccess: true, mfaActive: false, mfaDeviceCount: 0 }), AS_OF)).toEqual([
      'console_user_mfa',
      'user_mfa',
    ]);
    expect(failedUserChecks(user({ mfaActive: false, mfaDeviceCount: 0 }), AS_OF)).toEqual(['user_mfa']);
  });

  it('credentials unused 45 days or more (whole days, as Prowler counts)', () => {
    expect(failedUserChecks(user({ oldestCredentialUseAt: daysAgo(44, 23) }), AS_OF)).toEqual([]);
    expect(failedUserChecks(user({ oldestCredentialUseAt: daysAgo(45) }), AS_OF)).toEqual([
      'credentials_unused_45_days',
    ]);
  });

  it('more than one active key, and keys older than 90 days', () => {
    expect(failedUserChecks(user({ activeKeyCount: 2, oldestKeyCreatedAt: daysAgo(90, 23) }), AS_OF)).toEqual([
      'one_active_access_key',
    ]);
    expect(failedUserChecks(user({ activeKeyCount: 1, oldestKeyCreatedAt: daysAgo(91) }), AS_OF)).toEqual([
      'access_keys_rotated_90_days',
    ]);
  });

  it('the portal checks: keys without MFA, MFA not enrolled, FIDO only', () => {
    expect(
      failedUserChecks(user({ activeKeyCount: 1, keysWorkWithoutMfa: 'yes', oldestKeyCreatedAt: daysAgo(1) }), AS_OF),
    ).toEqual(['keys_work_without_mfa']);
    expect(failedUserChecks(user({ keysWorkWithoutMfa: 'unknown' }), AS_OF)).toEqual([]);
    expect(failedUserChecks(user({ enrolled: false }), AS_OF)).toEqual(['mfa_not_enrolled']);
    expect(failedUserChecks(user({ mfaDeviceCount: 2, fidoMfaCount: 2 }), AS_OF)).toEqual(['fido_only_mfa']);
    expect(failedUserChecks(user({ mfaDeviceCount: 2, fidoMfaCount: 1 }), AS_OF)).toEqual([]);
  });
});

describe('CIS root checks', () => {
  it('MFA, hardware MFA and access keys', () => {
    const virtual = { mfaActive: true, virtualMfa: true, activeKeyCount: 0 };
    expect(failsRootCheck('root_mfa', virtual)).toBe(false);
    expect(failsRootCheck('root_hardware_mfa', virtual)).toBe(true);
    expect(failsRootCheck('root_hardware_mfa', { ...virtual, virtualMfa: false })).toBe(false);
    expect(failsRootCheck('root_hardware_mfa', { ...virtual, mfaActive: false, virtualMfa: false })).toBe(true);
    expect(failsRootCheck('root_access_keys', { ...virtual, activeKeyCount: 1 })).toBe(true);
  });

  it('tells the root user’s virtual device by its serial, not a user who calls theirs "root"', () => {
    expect(isRootVirtualMfaSerial('arn:aws:iam::111111111111:mfa/root-account-mfa-device')).toBe(true);
    expect(isRootVirtualMfaSerial('arn:aws-us-gov:iam::111111111111:mfa/root-account-mfa-device')).toBe(true);
    expect(isRootVirtualMfaSerial('arn:aws:iam::111111111111:mfa/root')).toBe(false);
    expect(rootAccountFacts({ mfaActive: true, activeKeyCount: 0 }, true)?.virtualMfa).toBe(true);
    expect(rootAccountFacts(null, false)).toBeNull();
  });
});

describe('oldest credential use (CIS 1.12)', () => {
  it('takes a never-used key’s creation and a never-used password’s last change', () => {
    const at = oldestCredentialUse({
      passwordEnabled: true,
      passwordLastUsedAt: null,
      passwordLastChangedAt: daysAgo(10),
      userCreatedAt: daysAgo(400),
      activeKeys: [
        { createdAt: daysAgo(100), lastUsedAt: daysAgo(2) },
        { createdAt: daysAgo(50), lastUsedAt: null },
      ],
    });
    expect(at).toEqual(daysAgo(50));
    expect(
      oldestCredentialUse({
        passwordEnabled: false,
        passwordLastUsedAt: null,
        userCreatedAt: daysAgo(1),
        activeKeys: [],
      }),
    ).toBeNull();
  });
});
