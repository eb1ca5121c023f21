import type {
  CompliancePage,
  Enrollment,
  History,
  ScanStarted,
  ScanState,
  SetupLink,
  UserQuery,
} from '../../../../server/src/routes/admin-schemas.ts';
import { apiRequest } from './client.ts';

/** The admin compliance API (server/src/routes/admin-compliance-routes.ts and admin-user-routes.ts). */

export type {
  ComplianceFilter,
  CompliancePage,
  ComplianceSort,
  ComplianceSummary,
  ComplianceUser,
  Enrollment,
  HistoryPoint,
  KeysWorkWithoutMfa,
  ScanProgress,
  SetupLink,
  UserQuery,
} from '../../../../server/src/routes/admin-schemas.ts';

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

export const getHistory = (): Promise<History> => apiRequest<History>(`${base}/compliance/history?limit=90`);

export const getScan = (): Promise<ScanState> => apiRequest<ScanState>(`${base}/compliance/scan`);

export const startScan = (): Promise<ScanStarted> =>
  apiRequest<ScanStarted>(`${base}/compliance/scan`, { method: 'POST' });

export const createSetupLink = (userName: string): Promise<SetupLink> =>
  apiRequest<SetupLink>(`${user(userName)}/mfa-setup-links`, { method: 'POST' });

export const enrollUser = (userName: string): Promise<Enrollment> =>
  apiRequest<Enrollment>(`${user(userName)}/enroll`, { method: 'POST', json: null });
