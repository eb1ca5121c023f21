import { type Static, Type } from 'typebox';
import { DateTime } from './schemas.ts';

/** The contract of mfa-setup-routes.ts: the public side of MFA setup links. */

const Token = Type.String({ minLength: 1, maxLength: 64, description: 'The token from the setup link (after #)' });
const Code = Type.String({ minLength: 6, maxLength: 16, description: '6-digit code (spaces tolerated)' });

/** The token travels in the body, never in a path or query that proxies log. */
export const OpenSetupLink = Type.Object({ token: Token }, { additionalProperties: false });
export type OpenSetupLink = Static<typeof OpenSetupLink>;

export const SetupCodes = Type.Object({ token: Token, code1: Code, code2: Code }, { additionalProperties: false });
export type SetupCodes = Static<typeof SetupCodes>;

/** An opened setup link: who it is for, and the new virtual MFA device. */
export const SetupDevice = Type.Object({
  userName: Type.String(),
  accountId: Type.String(),
  expiresAt: DateTime,
  serialNumber: Type.String(),
  secret: Type.String({ description: 'base32 secret for typing into an authenticator app' }),
  qrCodePng: Type.String({ description: 'data:image/png;base64,... of the otpauth:// URI' }),
});
export type SetupDevice = Static<typeof SetupDevice>;

export const SetupDone = Type.Object({
  userName: Type.String(),
  serialNumber: Type.String(),
  mfaEnabled: Type.Boolean(),
});
export type SetupDone = Static<typeof SetupDone>;
