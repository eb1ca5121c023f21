import { csvRecords } from '../export/csv.ts';

/** One row of the IAM credential report, in the portal's terms. */
export interface CredentialReportUser {
  userName: string;
  userArn: string;
  userCreatedAt: Date | null;
  passwordEnabled: boolean;
  passwordLastUsedAt: Date | null;
  mfaActive: boolean;
  /** Active access keys (of at most two) with when each was created and last used. */
  activeKeys: Array<{ createdAt: Date | null; lastUsedAt: Date | null }>;
  /** When the console password was last set (null without one, or when the report has no such column). */
  passwordLastChangedAt?: Date | null;
}

/** The credential report's `<root_account>` row, for the CIS root checks. */
export interface RootReportRow {
  mfaActive: boolean;
  activeKeyCount: number;
}

/** What the report says of the account beside its users (each handed over as it is read). */
export interface CredentialReportAccount {
  rootMfa: boolean | null;
  /** Null when the report has no root row. */
  root: RootReportRow | null;
}

const REQUIRED_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
] as const;

export class CredentialReportFormatError extends Error {}

/** 'N/A', 'no_information', 'not_supported' and empty cells mean "no time". */
function time(value: string | undefined): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/**
 * A copy of a cell that does not pin the report: V8 keeps a slice of a string (13 characters or
 * more) as a view of the whole text, so a user name kept for the snapshot would hold on to the
 * entire CSV. Concatenating and slicing again makes a string of its own.
 */
const ownCopy = (text: string): string => ` ${text}`.slice(1);

/**
 * Reads the credential report's CSV (22 columns; the `<root_account>` row first) row by row,
 * handing each user to `onUser` as it is read, so a caller that keeps only a compact record per
 * user never holds the parsed rows of the whole report. Columns are found by header name, so a
 * report with extra or reordered columns still reads correctly.
 */
export function readCredentialReport(
  csv: string,
  onUser: (user: CredentialReportUser) => void,
): CredentialReportAccount {
  const rows = csvRecords(csv.replace(/^\uFEFF/, ''));
  const isBlank = (r: string[]) => r.length <= 1 && (r[0] ?? '') === '';
  // Read by hand: leaving a for-of early would close the generator before the users.
  let header: string[] | undefined;
  for (let next = rows.next(); !next.done; next = rows.next()) {
    if (isBlank(next.value)) continue;
    header = next.value;
    break;
  }
  if (!header) throw new CredentialReportFormatError('the credential report is empty');
  const index = new Map(header.map((name, i) => [name.trim(), i]));
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0)
    throw new CredentialReportFormatError(`the credential report lacks columns: ${missing.join(', ')}`);
  const cell = (row: string[], column: (typeof REQUIRED_COLUMNS)[number]) => (row[index.get(column)!] ?? '').trim();

  let rootMfa: boolean | null = null;
  let root: RootReportRow | null = null;
  const optionalCell = (row: string[], column: string) => {
    const at = index.get(column);
    return at === undefined ? '' : (row[at] ?? '').trim();
  };
  for (const row of rows) {
    if (isBlank(row)) continue;
    const userName = cell(row, 'user');
    if (userName === '<root_account>') {
      rootMfa = cell(row, 'mfa_active') === 'true';
      root = {
        mfaActive: rootMfa,
        activeKeyCount: ([1, 2] as const).filter((n) => cell(row, `access_key_${n}_active`) === 'true').length,
      };
      continue;
    }
    if (!userName) continue;
    const activeKeys = ([1, 2] as const)
      .filter((n) => cell(row, `access_key_${n}_active`) === 'true')
      .map((n) => ({
        createdAt: time(cell(row, `access_key_${n}_last_rotated`)),
        lastUsedAt: time(cell(row, `access_key_${n}_last_used_date`)),
      }));
    const passwordEnabled = cell(row, 'password_enabled') === 'true';
    onUser({
      userName: ownCopy(userName),
      userArn: ownCopy(cell(row, 'arn')),
      userCreatedAt: time(cell(row, 'user_creation_time')),
      passwordEnabled,
      passwordLastUsedAt: passwordEnabled ? time(cell(row, 'password_last_used')) : null,
      mfaActive: cell(row, 'mfa_active') === 'true',
      activeKeys,
      passwordLastChangedAt: passwordEnabled ? time(optionalCell(row, 'password_last_changed')) : null,
    });
  }
  return { rootMfa, root };
}
