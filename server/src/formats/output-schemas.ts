import { type Static, Type } from 'typebox';

/** The shapes of what the renderers produce, as the credentials route documents them. */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** `2030-01-02T03:04:05+00:00`, as `aws configure export-credentials` prints it. */
const Expiration = Type.String({ format: 'date-time' });

export const RenderedCredentials = Type.Object({
  body: Type.String(),
  contentType: Type.String(),
  filename: Type.String(),
});
export type RenderedCredentials = Static<typeof RenderedCredentials>;

/** The `process` format: credential_process output (Version 1). */
export const ProcessCredentialsJson = Type.Object({
  Version: Type.Literal(1),
  AccessKeyId: Type.String(),
  SecretAccessKey: Type.String(),
  SessionToken: Type.String(),
  Expiration,
});
export type ProcessCredentialsJson = Static<typeof ProcessCredentialsJson>;

/** The `json` format: everything about the credentials, for scripts (`jq`); null when not applicable. */
export const CredentialsJson = Type.Object({
  profile: Type.String(),
  accessKeyId: Type.String(),
  secretAccessKey: Type.String(),
  sessionToken: Type.String(),
  expiration: Expiration,
  accountId: Type.String(),
  userName: Type.String(),
  roleArn: Nullable(Type.String()),
  roleName: Nullable(Type.String()),
  assumedRoleArn: Nullable(Type.String()),
  roleSessionName: Nullable(Type.String()),
  sourceIdentity: Nullable(Type.String()),
  region: Nullable(Type.String()),
});
export type CredentialsJson = Static<typeof CredentialsJson>;
