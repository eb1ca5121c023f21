import type {
  ApplyReport,
  OffboardResponse,
  OutstandingCredentials,
  RevokeResponse,
} from '../../../../server/src/routes/revocation-schemas.ts';
import { apiRequest } from './client.ts';

/** Revoking AWS sessions and offboarding (server/src/routes/revocation-routes.ts, shapes in revocation-schemas.ts). */

export type {
  ApplyReport,
  OffboardResponse,
  OutstandingCredential,
  RevokeResponse,
  TargetResult,
} from '../../../../server/src/routes/revocation-schemas.ts';

const user = (userName: string) => `/api/v1/admin/users/${encodeURIComponent(userName)}`;

export const revokeUserAwsSessions = (userName: string): Promise<RevokeResponse> =>
  apiRequest(`${user(userName)}/aws-sessions/revoke`, { method: 'POST' });

export const offboardUser = (
  userName: string,
  options: { deactivateOtherKeys: boolean; deactivateMfaDevices: boolean },
): Promise<OffboardResponse> => apiRequest(`${user(userName)}/offboard`, { method: 'POST', json: options });

export const applyRevocations = (): Promise<ApplyReport> =>
  apiRequest('/api/v1/admin/aws-revocations/apply', { method: 'POST' });

export const listMyCredentials = (): Promise<OutstandingCredentials> => apiRequest('/api/v1/me/credentials');

export const revokeMyAwsSessions = (): Promise<RevokeResponse> =>
  apiRequest('/api/v1/me/aws-sessions/revoke', { method: 'POST' });
