import { type APIRequestContext, expect } from '@playwright/test';
import type { MeResponse, PortalRole, SessionInfo } from '../../server/src/routes/session-schemas.ts';
import type { DemoUser } from './demo-users.ts';
import { freshCode } from './totp.ts';

export type { PortalRole, SessionInfo } from '../../server/src/routes/session-schemas.ts';

/**
 * Helpers that set up state through the API rather than the UI, so each test drives only the
 * screen it is about. The response types are the route schemas' (server/src/routes).
 */

/** Signs in through the API; the cookie lands in the request context's (the page's) cookie jar. */
export async function signInThroughApi(request: APIRequestContext, user: DemoUser): Promise<SessionInfo> {
  const response = await request.post('/api/v1/session', {
    data: { userName: user.userName, code: await freshCode(user) },
  });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as SessionInfo;
}

export async function myRoles(request: APIRequestContext): Promise<PortalRole[]> {
  const response = await request.get('/api/v1/me');
  expect(response.status()).toBe(200);
  return ((await response.json()) as MeResponse).roles;
}

/** The role the long flows use: the one allowing the longest sessions (ReadOnly in the demo). */
export function longestRole(roles: PortalRole[]): PortalRole {
  const role = [...roles].sort((a, b) => b.maxDurationSeconds - a.maxDurationSeconds)[0];
  if (role === undefined) throw new Error('The demo user has no roles in the catalog');
  return role;
}
