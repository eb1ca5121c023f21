import { apiRequest } from './client.ts';

export interface PortalUser {
  userName: string;
  accountId: string;
  isAdmin: boolean;
}

/** The browser's MFA session, as POST and GET /api/v1/session return it. */
export interface SessionInfo {
  user: PortalUser;
  csrfToken: string;
  /** ISO 8601: when the MFA session (GetSessionToken) ends. */
  expiresAt: string;
}

export const signIn = (userName: string, code: string): Promise<SessionInfo> =>
  apiRequest<SessionInfo>('/api/v1/session', { method: 'POST', json: { userName, code } });

export const getSession = (): Promise<SessionInfo> => apiRequest<SessionInfo>('/api/v1/session');

export const signOut = (csrfToken: string | null): Promise<void> =>
  apiRequest<void>('/api/v1/session', { method: 'DELETE', csrfToken });
