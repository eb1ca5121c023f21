import { apiRequest } from './client.ts';

/** The admin compliance API (server/src/routes/admin-compliance-routes.ts and admin-user-routes.ts). */

export type ComplianceFilter =
  | 'no_mfa'
  | 'console_without_mfa'
  | 'keys_work_without_mfa'
  | 'hardware_mfa'
  | 'not_enrolled';
export type ComplianceSort =
  | 'userName'
  | '-userName'
  | 'passwordLastUsed'
  | '-passwordLastUsed'
  | 'oldestKey'
  | '-oldestKey';
export type KeysWorkWithoutMfa = 'yes' | 'no' | 'unknown' | 'n/a';

export interface ComplianceSummary {
  users: number;
  withMfa: number;
  withoutMfa: number;
  consoleWithoutMfa: number;
  keysWorkWithoutMfa: number;
  keysUnknown: number;
  hardwareMfa: number;
  enrolled: number;
  rootMfa: boolean | null;
}

export interface ComplianceUser {
  userName: string;
  userArn: string;
  userCreatedAt: string | null;
  consoleAccess: boolean;
  passwordLastUsedAt: string | null;
  mfaActive: boolean;
  mfaDeviceCount: number;
  virtualMfaCount: number;
  hardwareMfaCount: number;
  activeKeyCount: number;
  oldestKeyCreatedAt: string | null;
  oldestKeyAgeDays: number | null;
  keysLastUsedAt: string | null;
  keysWorkWithoutMfa: KeysWorkWithoutMfa;
  enrolled: boolean;
  lastPortalSignInAt: string | null;
}

export interface CompliancePage {
  scanId: string | null;
  scannedAt: string | null;
  reportGeneratedAt: string | null;
  summary: ComplianceSummary | null;
  users: ComplianceUser[];
  nextCursor: string | null;
}

export interface ScanProgress {
  id: string;
  status: 'running' | 'complete' | 'failed';
  trigger: 'startup' | 'schedule' | 'manual';
  requestedBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  totalUsers: number;
  processedUsers: number;
  errorCode: string | null;
}

export interface HistoryPoint {
  scanId: string;
  scannedAt: string;
  summary: ComplianceSummary;
}

export interface UserQuery {
  filter?: ComplianceFilter | undefined;
  q?: string | undefined;
  sort?: ComplianceSort | undefined;
}

export interface SetupLink {
  url: string;
  expiresAt: string;
}

export interface Enrollment {
  userName: string;
  mfaSerial: string;
  enrolledAt: string;
}

/** Query string without empty values, e.g. `?filter=no_mfa&q=bo`. */
export function queryString(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

const base = '/api/v1/admin';
const user = (userName: string) => `${base}/users/${encodeURIComponent(userName)}`;

export const getCompliance = (
  query: UserQuery & { limit?: number; cursor?: string | undefined },
): Promise<CompliancePage> => apiRequest<CompliancePage>(`${base}/compliance${queryString({ ...query })}`);

/** The CSV export of every row matching the same filters (a plain link: the browser downloads it). */
export const complianceCsvUrl = (query: UserQuery): string => `${base}/compliance.csv${queryString({ ...query })}`;

export const getHistory = (): Promise<{ points: HistoryPoint[] }> => apiRequest(`${base}/compliance/history?limit=90`);

export const getScan = (): Promise<{ scan: ScanProgress | null }> => apiRequest(`${base}/compliance/scan`);

export const startScan = (csrfToken: string | null): Promise<{ started: boolean; scan: ScanProgress | null }> =>
  apiRequest(`${base}/compliance/scan`, { method: 'POST', csrfToken });

export const createSetupLink = (userName: string, csrfToken: string | null): Promise<SetupLink> =>
  apiRequest<SetupLink>(`${user(userName)}/mfa-setup-links`, { method: 'POST', csrfToken });

export const enrollUser = (userName: string, csrfToken: string | null): Promise<Enrollment> =>
  apiRequest<Enrollment>(`${user(userName)}/enroll`, { method: 'POST', csrfToken, json: null });
