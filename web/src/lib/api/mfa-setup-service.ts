import { apiRequest } from './client.ts';

/**
 * The public MFA setup link API (server/src/routes/mfa-setup-routes.ts): the token is the
 * credential, so it goes in the request body, never in a path that proxies log. The first open
 * binds the link to this browser with an HttpOnly cookie the browser sends back by itself.
 */

export interface SetupDevice {
  userName: string;
  accountId: string;
  expiresAt: string;
  serialNumber: string;
  /** base32 secret, for typing into an authenticator app. */
  secret: string;
  /** data:image/png;base64,... of the otpauth:// URI. */
  qrCodePng: string;
}

export const openSetupLink = (token: string): Promise<SetupDevice> =>
  apiRequest<SetupDevice>('/api/v1/mfa-setup/open', { method: 'POST', json: { token } });

export const completeSetup = (
  token: string,
  code1: string,
  code2: string,
): Promise<{ userName: string; serialNumber: string; mfaEnabled: boolean }> =>
  apiRequest('/api/v1/mfa-setup/complete', { method: 'POST', json: { token, code1, code2 } });
