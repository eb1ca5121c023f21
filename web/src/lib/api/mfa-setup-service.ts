import type { SetupCodes, SetupDevice, SetupDone } from '../../../../server/src/routes/mfa-setup-schemas.ts';
import { apiRequest } from './client.ts';

/** The public MFA setup link API (server/src/routes/mfa-setup-routes.ts): the token is the credential. */

export type { SetupDevice } from '../../../../server/src/routes/mfa-setup-schemas.ts';

const path = (token: string) => `/api/v1/mfa-setup/${encodeURIComponent(token)}`;

export const openSetupLink = (token: string): Promise<SetupDevice> => apiRequest<SetupDevice>(path(token));

export function completeSetup(token: string, code1: string, code2: string): Promise<SetupDone> {
  const json: SetupCodes = { code1, code2 };
  return apiRequest<SetupDone>(path(token), { method: 'POST', json });
}
