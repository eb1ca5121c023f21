import { type Static, Type } from 'typebox';
import { Format } from './credential-schemas.ts';
import { DateTime, Flag, MfaCode, Nullable, ProfileName, UserName } from './schemas.ts';

/** The contract of session-routes.ts: browser sign-in, the signed-in user and their roles. */

export const SignInRequest = Type.Object({ userName: UserName, code: MfaCode }, { additionalProperties: false });
export type SignInRequest = Static<typeof SignInRequest>;

export const PortalUser = Type.Object({
  userName: Type.String(),
  accountId: Type.String(),
  isAdmin: Type.Boolean(),
});
export type PortalUser = Static<typeof PortalUser>;

/** The browser's MFA session, as POST and GET /api/v1/session return it. */
export const SessionInfo = Type.Object({
  user: PortalUser,
  csrfToken: Type.String(),
  expiresAt: DateTime,
});
export type SessionInfo = Static<typeof SessionInfo>;

/** A catalog role the signed-in user may assume. */
export const PortalRole = Type.Object({
  alias: Type.String(),
  roleArn: Type.String(),
  roleName: Type.String(),
  accountId: Type.String(),
  accountAlias: Nullable(Type.String()),
  description: Nullable(Type.String()),
  maxDurationSeconds: Type.Integer(),
  defaultDurationSeconds: Type.Integer(),
  mfaMaxAgeSeconds: Nullable(
    Type.Integer({ description: 'The trust policy demands an MFA sign-in younger than this many seconds' }),
  ),
  lastUsedAt: Nullable(DateTime),
  consoleMaxSecondsWithCode: Type.Integer({
    description:
      'Longest console session "with a new code" (the role maximum and 12 h; 1 h when the user can only reach roles through an MFA session)',
  }),
});
export type PortalRole = Static<typeof PortalRole>;

export const MeResponse = Type.Object({
  user: PortalUser,
  session: Type.Object({ expiresAt: DateTime }),
  roles: Type.Array(PortalRole),
});
export type MeResponse = Static<typeof MeResponse>;

export const SessionCredentialsRequest = Type.Object(
  { format: Type.Optional(Format), profile: Type.Optional(ProfileName), download: Type.Optional(Flag) },
  { additionalProperties: false },
);
export type SessionCredentialsRequest = Static<typeof SessionCredentialsRequest>;
