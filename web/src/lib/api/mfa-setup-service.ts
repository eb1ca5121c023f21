import { apiRequest } from './client.ts';

/** The public MFA setup link API (server/src/routes/mfa-setup-routes.ts): the token is the credential. */

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

const path = (token: string) => `/api/v1/mfa-setup/${encodeURIComponent(token)}`;

export const openSetupLink = (token: string): Promise<SetupDevice> => apiRequest<SetupDevice>(path(token));

export const completeSetup = (
  token: string,
  code1: string,
  code2: string,
): Promise<{ userName: string; serialNumber: string; mfaEnabled: boolean }> =>
  apiRequest(path(token), { method: 'POST', json: { code1, code2 } });
