import type { SessionInfo, SignInRequest } from '../../../../server/src/routes/session-schemas.ts';
import { apiRequest } from './client.ts';

export type { PortalUser, SessionInfo } from '../../../../server/src/routes/session-schemas.ts';

export function signIn(userName: string, code: string): Promise<SessionInfo> {
  const json: SignInRequest = { userName, code };
  return apiRequest<SessionInfo>('/api/v1/session', { method: 'POST', json });
}

export const getSession = (): Promise<SessionInfo> => apiRequest<SessionInfo>('/api/v1/session');

export const signOut = (csrfToken: string | null): Promise<void> =>
  apiRequest<void>('/api/v1/session', { method: 'DELETE', csrfToken });
