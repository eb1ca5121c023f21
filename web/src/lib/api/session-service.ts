import type { SessionInfo, SignInRequest } from '../../../../server/src/routes/session-schemas.ts';
import { api, apiRequest } from './client.ts';

export type { PortalUser, SessionInfo } from '../../../../server/src/routes/session-schemas.ts';

/** Opens a session; from then on the API client sends its CSRF token with every change. */
export async function signIn(userName: string, code: string): Promise<SessionInfo> {
  const json: SignInRequest = { userName, code };
  const session = await apiRequest<SessionInfo>('/api/v1/session', { method: 'POST', json });
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
