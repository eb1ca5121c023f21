import type { KeysWorkWithoutMfa } from '../compliance/compliance-types.ts';

/**
 * The identity checks of the CIS AWS Foundations Benchmark (v3.0 numbering) that concern MFA and
 * keys, as Prowler names and reports them, plus the portal's own. Each is computed from one
 * compliance snapshot: the credential report's rows, the MFA device listings and the simulation.
 */
export const CIS_CHECKS = [
  {
    id: 'root_mfa',
    reference: 'CIS 1.5',
    prowler: 'iam_root_mfa_enabled',
    title: 'MFA is enabled for the root user',
    scope: 'root',
  },
  {
    id: 'root_hardware_mfa',
    reference: 'CIS 1.6',
    prowler: 'iam_root_hardware_mfa_enabled',
    title: 'Hardware MFA is enabled for the root user',
    scope: 'root',
  },
  {
    id: 'root_access_keys',
    reference: 'CIS 1.4',
    prowler: 'iam_no_root_access_key',
    title: 'No root user access key exists',
    scope: 'root',
  },
  {
    id: 'console_user_mfa',
    reference: 'CIS 1.10',
    prowler: 'iam_user_mfa_enabled_console_access',
    title: 'MFA is enabled for every IAM user with a console password',
    scope: 'user',
  },
  {
    id: 'user_mfa',
    reference: 'Security Hub IAM.19',
    prowler: null,
    title: 'MFA is enabled for every IAM user',
    scope: 'user',
  },
  {
    id: 'credentials_unused_45_days',
    reference: 'CIS 1.12',
    prowler: 'iam_user_accesskey_unused, iam_user_console_access_unused',
    title: 'Credentials unused for 45 days or more are disabled',
    scope: 'user',
  },
  {
    id: 'one_active_access_key',
    reference: 'CIS 1.13',
    prowler: 'iam_user_two_active_access_key',
    title: 'No IAM user has more than one active access key',
    scope: 'user',
  },
  {
    id: 'access_keys_rotated_90_days',
    reference: 'CIS 1.14',
    prowler: 'iam_rotate_access_key_90_days',
    title: 'Access keys are rotated every 90 days or less',
    scope: 'user',
  },
  {
    id: 'keys_work_without_mfa',
    reference: 'Portal',
    prowler: null,
    title: 'No access key works without MFA',
    scope: 'user',
  },
  {
    id: 'mfa_not_enrolled',
    reference: 'Portal',
    prowler: null,
    title: 'Every user with MFA is enrolled in the portal',
    scope: 'user',
  },
  {
    id: 'fido_only_mfa',
    reference: 'Portal',
    prowler: null,
    title: 'No user has only FIDO security keys (they cannot get CLI credentials)',
    scope: 'user',
  },
] as const;

export type CisCheckId = (typeof CIS_CHECKS)[number]['id'];
export const CIS_CHECK_IDS = CIS_CHECKS.map((c) => c.id) as CisCheckId[];

/** Checks whose new failures make a scan a regression worth an alert. */
export const ALERT_CHECKS: ReadonlySet<CisCheckId> = new Set<CisCheckId>([
  'user_mfa',
  'console_user_mfa',
  'keys_work_without_mfa',
  'root_mfa',
]);

/** Checks an exemption applies to: a service identity's keys may work without MFA on purpose. */
export const EXEMPTABLE_CHECKS: ReadonlySet<CisCheckId> = new Set<CisCheckId>(['keys_work_without_mfa']);

/** The root user as one scan saw it (ComplianceScan.rootAccount). */
export interface RootAccountFacts {
  mfaActive: boolean;
  /** The root user's MFA device is a virtual one (`...:mfa/root-account-mfa-device` is assigned). */
  virtualMfa: boolean;
  activeKeyCount: number;
}

/** What the user checks read from a snapshot row (ComplianceUser). */
export interface CisUserFacts {
  userName: string;
  consoleAccess: boolean;
  mfaActive: boolean;
  mfaDeviceCount: number;
  fidoMfaCount: number;
  activeKeyCount: number;
  oldestKeyCreatedAt: Date | null;
  oldestCredentialUseAt: Date | null;
  keysWorkWithoutMfa: KeysWorkWithoutMfa | string;
  enrolled: boolean;
}

const DAY_MS = 86_400_000;
/** Whole days from `from` to `to`, as Prowler counts them (Python's timedelta.days). */
const wholeDays = (from: Date, to: Date): number => Math.floor((to.getTime() - from.getTime()) / DAY_MS);

/**
 * CIS 1.12's audit: a credential fails when its last use (or, never used, when it was set: the
 * password's last change, the key's creation) is 45 or more days ago. CIS 1.14: a key older than
 * 90 days fails.
 */
export const UNUSED_DAYS = 45;
export const ROTATION_DAYS = 90;

export function failsRootCheck(check: CisCheckId, root: RootAccountFacts): boolean {
  switch (check) {
    case 'root_mfa':
      return !root.mfaActive;
    case 'root_hardware_mfa':
      return !root.mfaActive || root.virtualMfa;
    case 'root_access_keys':
      return root.activeKeyCount > 0;
    default:
      return false;
  }
}

/** The user checks this user fails, as of `asOf` (the scan's time). */
export function failedUserChecks(user: CisUserFacts, asOf: Date): CisCheckId[] {
  const failed: CisCheckId[] = [];
  if (user.consoleAccess && !user.mfaActive) failed.push('console_user_mfa');
  if (!user.mfaActive) failed.push('user_mfa');
  if (user.oldestCredentialUseAt && wholeDays(user.oldestCredentialUseAt, asOf) >= UNUSED_DAYS)
    failed.push('credentials_unused_45_days');
  if (user.activeKeyCount > 1) failed.push('one_active_access_key');
  if (user.activeKeyCount > 0 && user.oldestKeyCreatedAt && wholeDays(user.oldestKeyCreatedAt, asOf) > ROTATION_DAYS)
    failed.push('access_keys_rotated_90_days');
  if (user.keysWorkWithoutMfa === 'yes') failed.push('keys_work_without_mfa');
  if (user.mfaActive && !user.enrolled) failed.push('mfa_not_enrolled');
  if (user.mfaActive && user.fidoMfaCount > 0 && user.fidoMfaCount >= user.mfaDeviceCount) failed.push('fido_only_mfa');
  return failed;
}

/**
 * The earliest "last activity" over a user's credentials, for CIS 1.12: the console password's
 * last use (or last change, if never used) and each active key's last use (or creation).
 */
export function oldestCredentialUse(user: {
  passwordEnabled: boolean;
  passwordLastUsedAt: Date | null;
  passwordLastChangedAt?: Date | null | undefined;
  userCreatedAt: Date | null;
  activeKeys: Array<{ createdAt: Date | null; lastUsedAt: Date | null }>;
}): Date | null {
  const times: Array<Date | null> = user.activeKeys.map((k) => k.lastUsedAt ?? k.createdAt);
  if (user.passwordEnabled) times.push(user.passwordLastUsedAt ?? user.passwordLastChangedAt ?? user.userCreatedAt);
  const known = times.filter((t): t is Date => t !== null).map((t) => t.getTime());
  return known.length > 0 ? new Date(Math.min(...known)) : null;
}

/** Whether an assigned virtual MFA device is the root user's (IAM names no user for it). */
export const isRootVirtualMfaSerial = (serial: string): boolean =>
  /^arn:aws[\w-]*:iam::\d{12}:mfa\/root-account-mfa-device$/.test(serial);

/**
 * The root facts from the credential report's root row and whether the virtual MFA device
 * listing showed root's device.
 */
export function rootAccountFacts(
  row: { mfaActive: boolean; activeKeyCount: number } | null,
  rootVirtualMfa: boolean,
): RootAccountFacts | null {
  if (!row) return null;
  return {
    mfaActive: row.mfaActive,
    virtualMfa: rootVirtualMfa,
    activeKeyCount: row.activeKeyCount,
  };
}
