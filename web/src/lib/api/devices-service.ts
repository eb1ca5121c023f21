import type {
  CliTokenItem as CliToken,
  CliTokenList,
  EndedSessions,
} from '../../../../server/src/routes/cli-token-schemas.ts';
import { apiRequest } from './client.ts';

/**
 * CLI tokens and signing out everywhere (server/src/routes/device-routes.ts, the admin routes in
 * admin-user-routes.ts, shapes in cli-token-schemas.ts).
 */

export type { CliTokenItem as CliToken, EndedSessions } from '../../../../server/src/routes/cli-token-schemas.ts';

const user = (userName: string) => `/api/v1/admin/users/${encodeURIComponent(userName)}`;

export const listMyTokens = (): Promise<CliTokenList> => apiRequest('/api/v1/cli-tokens');

export const revokeMyToken = (id: string): Promise<CliToken> =>
  apiRequest(`/api/v1/cli-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const signOutEverywhere = (): Promise<EndedSessions> =>
  apiRequest('/api/v1/session/sign-out-everywhere', { method: 'POST' });

export const listUserTokens = (userName: string): Promise<CliTokenList> => apiRequest(`${user(userName)}/cli-tokens`);

export const revokeUserToken = (userName: string, id: string): Promise<CliToken> =>
  apiRequest(`${user(userName)}/cli-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const unenrollUser = (
  userName: string,
): Promise<{ userName: string; accessKeyId: string; ended: EndedSessions }> =>
  apiRequest(`${user(userName)}/enrollment`, { method: 'DELETE' });
