import { apiRequest } from './client.ts';

/** The admin lockouts API (server/src/routes/admin-lockout-routes.ts). */

export type LockoutBudget = 'user_address' | 'user' | 'address';

export interface Lockout {
  key: string;
  budget: LockoutBudget;
  userName: string | null;
  sourceIp: string | null;
  failures: number;
  limit: number;
  refusals: number;
  windowStart: string;
  endsAt: string;
  blockedAt: string | null;
}

const base = '/api/v1/admin/lockouts';

export const listLockouts = (): Promise<{ lockouts: Lockout[] }> => apiRequest(base);

export const liftLockout = (key: string, csrfToken: string | null): Promise<void> =>
  apiRequest<void>(`${base}/${encodeURIComponent(key)}`, { method: 'DELETE', csrfToken });
