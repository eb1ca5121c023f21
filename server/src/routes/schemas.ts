import { Type } from 'typebox';

/** Shared pieces of the route schemas. Every string has a maximum length. */
export const UserName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[\\w+=,.@-]+$',
  description: 'IAM user name',
});
export const MfaCode = Type.String({
  minLength: 6,
  maxLength: 16,
  description: '6-digit code from the MFA device (spaces tolerated)',
});
export const RoleAlias = Type.String({
  minLength: 1,
  maxLength: 64,
  description: "The role's alias in the portal's catalog",
});
export const DurationSeconds = Type.Integer({ minimum: 1, maximum: 129600, description: 'Session length in seconds' });
export const ProfileName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_.@+=,][A-Za-z0-9_.@+=,-]*$',
  description:
    'Profile name for the credentials/config formats: letters, digits and _ . @ + = , - (not starting with -)',
});
export const Format = Type.Union(
  [
    'credentials',
    'config',
    'env',
    'env-no-export',
    'fish',
    'powershell',
    'windows-cmd',
    'dotenv',
    'process',
    'json',
    'all',
  ].map((f) => Type.Literal(f)),
  { description: 'Output format; `all` returns JSON with every format rendered' },
);
export const Flag = Type.Union([Type.Boolean(), Type.Literal('1'), Type.Literal('0')]);

export const ErrorBody = Type.Object({
  error: Type.String({ description: 'Stable error code' }),
  message: Type.String(),
  requestId: Type.String(),
});

export const User = Type.Object({
  userName: Type.String(),
  accountId: Type.String(),
  isAdmin: Type.Boolean(),
});

export const SessionBody = Type.Object({
  user: User,
  csrfToken: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
};

export const isFlagSet = (value: boolean | '1' | '0' | undefined) => value === true || value === '1';
