import { type Static, type TOptional, Type } from 'typebox';
import { CREDENTIAL_FORMATS, type CredentialFormat, REQUESTED_FORMATS } from '../formats/credential-formats.ts';
import { CredentialsJson, ProcessCredentialsJson, RenderedCredentials } from '../formats/output-schemas.ts';
import { DateTime, DurationSeconds, Flag, MfaCode, Nullable, ProfileName, RoleAlias, UserName } from './schemas.ts';

/** The contract of credential-routes.ts (and the credential part of session-routes.ts). */

export const Format = Type.Enum(REQUESTED_FORMATS, {
  description: 'Output format; `all` returns JSON with every format rendered',
});
export type { RequestedFormat } from '../formats/credential-formats.ts';

export const CredentialRequest = Type.Object(
  {
    userName: Type.Optional(UserName),
    code: Type.Optional(MfaCode),
    role: RoleAlias,
    durationSeconds: Type.Optional(DurationSeconds),
    format: Type.Optional(Format),
    profile: Type.Optional(ProfileName),
    download: Type.Optional(Flag),
  },
  { additionalProperties: false },
);
export type CredentialRequest = Static<typeof CredentialRequest>;

export const ProcessQuery = Type.Object(
  { role: RoleAlias, durationSeconds: Type.Optional(DurationSeconds) },
  { additionalProperties: false },
);

export const CliTokenRequest = Type.Object({ userName: UserName, code: MfaCode }, { additionalProperties: false });

export const CliToken = Type.Object({ token: Type.String(), expiresAt: DateTime });
export type CliToken = Static<typeof CliToken>;

const Formats = Type.Object(
  Object.fromEntries(CREDENTIAL_FORMATS.map((f) => [f, Type.Optional(RenderedCredentials)])) as {
    [F in CredentialFormat]: TOptional<typeof RenderedCredentials>;
  },
  { description: 'Every format rendered (`config` only for role credentials)' },
);

/** `format=all`: temporary credentials with every rendering, what the web UI shows. */
export const CredentialBundle = Type.Object({
  accessKeyId: Type.String(),
  secretAccessKey: Type.String(),
  sessionToken: Type.String(),
  expiration: DateTime,
  accountId: Type.String(),
  roleArn: Nullable(Type.String()),
  roleName: Nullable(Type.String()),
  roleAlias: Nullable(Type.String()),
  assumedRoleArn: Nullable(Type.String()),
  roleSessionName: Nullable(Type.String()),
  sourceIdentity: Nullable(Type.String()),
  userName: Type.String(),
  region: Nullable(Type.String()),
  profile: Type.String(),
  formats: Formats,
});
export type CredentialBundle = Static<typeof CredentialBundle>;

/**
 * The 200 answer of a credentials route, one schema per media type: JSON for `all`, `json` and
 * `process`, the file body as text for the other formats.
 */
export const credentialResponses = {
  200: {
    description: 'The credentials in the requested format (never cached)',
    content: {
      'application/json': {
        schema: Type.Union([CredentialBundle, CredentialsJson, ProcessCredentialsJson], {
          description: 'format=all: CredentialBundle; format=json: CredentialsJson; format=process: credential_process',
        }),
      },
      'text/plain': {
        schema: Type.String({ description: 'The file or snippet (credentials, config, env, fish, ...)' }),
      },
    },
  },
};
