import type { AccessKeySpec, RootSpec, UserSpec } from '../state/state-file.ts';
import type { Store } from '../state/store.ts';
import { userArn } from '../state/store.ts';
import { DEFAULT_CREATED } from './shapes.ts';

/** The 22 columns of the IAM credential report, in AWS's order. */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

const NA = 'N/A';
const NO_INFORMATION = 'no_information';
const NOT_SUPPORTED = 'not_supported';
/** The emulator models no signing certificates. */
const NO_CERTIFICATES = ['false', NA, 'false', NA];
const NO_KEY = ['false', NA, NA, NA, NA];

/** AWS writes report times as `2026-01-01T09:00:00+00:00` (seconds, explicit UTC offset). */
export const reportTime = (iso: string | Date): string => new Date(iso).toISOString().replace(/\.\d{3}Z$/, '+00:00');

const orDefault = (iso: string | null | undefined, fallback: string): string => (iso ? reportTime(iso) : fallback);

function keyColumns(key: AccessKeySpec | undefined): string[] {
  if (!key) return NO_KEY;
  const used = Boolean(key.lastUsed);
  return [
    String(key.status === 'Active'),
    reportTime(key.created ?? DEFAULT_CREATED),
    orDefault(key.lastUsed, NA),
    used ? (key.lastUsedRegion ?? NA) : NA,
    used ? (key.lastUsedService ?? NA) : NA,
  ];
}

function userRow(user: UserSpec): string[] {
  const password = user.password?.enabled ? user.password : undefined;
  const keys = [...(user.accessKeys ?? [])].sort((a, b) =>
    (a.created ?? DEFAULT_CREATED).localeCompare(b.created ?? DEFAULT_CREATED),
  );
  const created = user.created ?? DEFAULT_CREATED;
  return [
    user.name,
    userArn(user),
    reportTime(created),
    String(password !== undefined),
    password ? orDefault(password.lastUsed, NO_INFORMATION) : NA,
    password ? reportTime(password.lastChanged ?? created) : NA,
    NA, // no account password policy with expiry is modelled
    String((user.mfaDevices ?? []).length > 0),
    ...keyColumns(keys[0]),
    ...keyColumns(keys[1]),
    ...NO_CERTIFICATES,
  ];
}

const ROOT_KEY: AccessKeySpec = { id: 'root', secret: '', status: 'Active', lastUsed: null };

function rootRow(account: string, root: RootSpec | undefined, accountCreated: string): string[] {
  return [
    '<root_account>',
    `arn:aws:iam::${account}:root`,
    reportTime(accountCreated),
    NOT_SUPPORTED,
    orDefault(root?.passwordLastUsed, NO_INFORMATION),
    NOT_SUPPORTED,
    NOT_SUPPORTED,
    String(Boolean(root?.mfa || root?.hardwareMfa)),
    // Root access keys are modelled only as a count (CIS: there should be none).
    ...keyColumns((root?.activeAccessKeys ?? 0) >= 1 ? { ...ROOT_KEY, created: accountCreated } : undefined),
    ...keyColumns((root?.activeAccessKeys ?? 0) >= 2 ? { ...ROOT_KEY, created: accountCreated } : undefined),
    ...NO_CERTIFICATES,
  ];
}

/** The credential report of one account as AWS renders it: header, root row, then users by name. */
export function buildCredentialReportCsv(store: Store, account: string): string {
  const users = store.usersOf(account).sort((a, b) => a.name.localeCompare(b.name, 'en'));
  // The account predates its users; without a recorded creation time use the earliest we know.
  const accountCreated = [DEFAULT_CREATED, ...users.map((u) => u.created ?? DEFAULT_CREATED)].sort()[0]!;
  const root = store.state.roots.find((r) => r.account === account);
  const rows = [[...CREDENTIAL_REPORT_COLUMNS], rootRow(account, root, accountCreated), ...users.map(userRow)];
  return rows.map((row) => row.map(csvField).join(',')).join('\n');
}

/**
 * IAM user names may contain commas (`[\w+=,.@-]`). How AWS writes such a row is not documented
 * (unconfirmed); quoting per RFC 4180 keeps the report parseable, as CSV readers expect.
 */
function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
