import type {
  OpenSetupLink,
  SetupCodes,
  SetupDevice,
  SetupDone,
} from '../../../../server/src/routes/mfa-setup-schemas.ts';
import { apiRequest } from './client.ts';

/**
 * The public MFA setup link API (server/src/routes/mfa-setup-routes.ts): the token is the
 * credential, so it goes in the request body, never in a path that proxies log. The first open
 * binds the link to this browser with an HttpOnly cookie the browser sends back by itself.
 */

export type { SetupDevice } from '../../../../server/src/routes/mfa-setup-schemas.ts';

export function openSetupLink(token: string): Promise<SetupDevice> {
  const json: OpenSetupLink = { token };
  return apiRequest<SetupDevice>('/api/v1/mfa-setup/open', { method: 'POST', json });
}

export function completeSetup(token: string, code1: string, code2: string): Promise<SetupDone> {
  const json: SetupCodes = { token, code1, code2 };
  return apiRequest<SetupDone>('/api/v1/mfa-setup/complete', { method: 'POST', json });
}
