import { type APIRequestContext, expect } from '@playwright/test';
import type { DemoUser } from './demo-users.ts';
import { freshCode } from './totp.ts';

/**
 * The API contract as the tests see it (mirrors web/src/lib/api), and helpers that set up state
 * through the API rather than the UI, so each test drives only the screen it is about.
 */

export interface SessionInfo {
  user: { userName: string; accountId: string; isAdmin: boolean };
  csrfToken: string;
  expiresAt: string;
}

export interface PortalRole {
  alias: string;
  roleArn: string;
  roleName: string;
  accountId: string;
  accountAlias: string | null;
  description: string | null;
  maxDurationSeconds: number;
  defaultDurationSeconds: number;
  mfaMaxAgeSeconds: number | null;
  lastUsedAt: string | null;
}

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
  return ((await response.json()) as { roles: PortalRole[] }).roles;
}

/** The role the long flows use: the one allowing the longest sessions (ReadOnly in the demo). */
export function longestRole(roles: PortalRole[]): PortalRole {
  const role = [...roles].sort((a, b) => b.maxDurationSeconds - a.maxDurationSeconds)[0];
  if (role === undefined) throw new Error('The demo user has no roles in the catalog');
  return role;
}
