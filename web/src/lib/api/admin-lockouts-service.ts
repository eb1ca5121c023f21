import type { LockoutList } from '../../../../server/src/routes/admin-lockout-schemas.ts';
import { apiRequest } from './client.ts';

/** The admin lockouts API (server/src/routes/admin-lockout-routes.ts). */

export type { LockoutBody as Lockout } from '../../../../server/src/routes/admin-lockout-schemas.ts';

const base = '/api/v1/admin/lockouts';

export const listLockouts = (): Promise<LockoutList> => apiRequest(base);

export const liftLockout = (key: string): Promise<void> =>
  apiRequest<void>(`${base}/${encodeURIComponent(key)}`, { method: 'DELETE' });
