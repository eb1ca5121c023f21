import { api, apiRequest } from './client.ts';

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

/** Opens a session; from then on the API client sends its CSRF token with every change. */
export async function signIn(userName: string, code: string): Promise<SessionInfo> {
  const session = await apiRequest<SessionInfo>('/api/v1/session', { method: 'POST', json: { userName, code } });
  api.useSession(session.csrfToken);
  return session;
}

/** The session the cookie holds (on page load); 401 when there is none. */
export async function getSession(): Promise<SessionInfo> {
  const session = await apiRequest<SessionInfo>('/api/v1/session');
  api.useSession(session.csrfToken);
  return session;
}

/** Signs out on the server; the page stops sending the session's token at once, not when the answer comes. */
export function signOut(): Promise<void> {
  const request = apiRequest<void>('/api/v1/session', { method: 'DELETE' });
  api.forgetSession();
  return request;
}
