/** Whether a user's active access keys work without MFA, as SimulatePrincipalPolicy tells. */
export type KeysWorkWithoutMfa = 'yes' | 'no' | 'unknown' | 'n/a';

/** One IAM user as a scan sees it (also the shape of a ComplianceUser row, less its ids). */
export interface ScannedUser {
  userName: string;
  userArn: string;
  userCreatedAt: Date | null;
  consoleAccess: boolean;
  passwordLastUsedAt: Date | null;
  mfaActive: boolean;
  mfaDeviceCount: number;
  virtualMfaCount: number;
  hardwareMfaCount: number;
  /** FIDO security keys: they protect console sign-in only (STS takes no codes from them). */
  fidoMfaCount: number;
  activeKeyCount: number;
  oldestKeyCreatedAt: Date | null;
  keysLastUsedAt: Date | null;
  keysWorkWithoutMfa: KeysWorkWithoutMfa;
  enrolled: boolean;
  lastPortalSignInAt: Date | null;
  /** CIS 1.12: the earliest last use (or setting) over the password and active keys. */
  oldestCredentialUseAt?: Date | null;
  /** The IAM groups GetAccountAuthorizationDetails listed for the user; null when it did not list the user. */
  iamGroups: string[] | null;
}

/** What may change on a snapshot row between scans (group memberships are only ever read from IAM). */
export type SnapshotRowChange = Partial<Omit<ScannedUser, 'iamGroups'>>;

/** The dashboard's figures; counts cover every IAM user of the account (not the root user). */
export interface ComplianceSummary {
  users: number;
  withMfa: number;
  withoutMfa: number;
  consoleWithoutMfa: number;
  /** Users whose active keys work without MFA (no force-MFA policy). */
  keysWorkWithoutMfa: number;
  /** Users with active keys whose simulation failed (counted in neither direction). */
  keysUnknown: number;
  hardwareMfa: number;
  /** Users whose only MFA devices are FIDO security keys: "MFA for the console only", no CLI credentials. */
  consoleOnlyMfa: number;
  enrolled: number;
  rootMfa: boolean | null;
}

/** The database's enums (ComplianceScan.status and .trigger): one list, in prisma/schema.prisma. */
export type { ScanStatus, ScanTrigger } from '../../generated/prisma-sqlite/enums.ts';

import type { ScanStatus, ScanTrigger } from '../../generated/prisma-sqlite/enums.ts';

export interface ScanProgress {
  id: string;
  status: ScanStatus;
  trigger: ScanTrigger;
  requestedBy: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  totalUsers: number;
  processedUsers: number;
  errorCode: string | null;
}

export const COMPLIANCE_FILTERS = [
  'no_mfa',
  'console_without_mfa',
  'keys_work_without_mfa',
  'hardware_mfa',
  'console_only_mfa',
  'not_enrolled',
] as const;
export type ComplianceFilter = (typeof COMPLIANCE_FILTERS)[number];

export const COMPLIANCE_SORTS = [
  'userName',
  '-userName',
  'passwordLastUsed',
  '-passwordLastUsed',
  'oldestKey',
  '-oldestKey',
] as const;
export type ComplianceSort = (typeof COMPLIANCE_SORTS)[number];
