import { type Static, Type } from 'typebox';
import { DateTime, RoleAlias } from './schemas.ts';

/** The contract of container-credential-routes.ts: the AWS SDKs' container credentials protocol. */

export const ContainerCredentialsParams = Type.Object({ role: RoleAlias }, { additionalProperties: false });

export const ContainerCredentialsQuery = Type.Object(
  {
    durationSeconds: Type.Optional(
      Type.Integer({ minimum: 900, maximum: 43200, description: 'Role session length (default: the role’s)' }),
    ),
  },
  { additionalProperties: false },
);

/** What the SDKs read: note `Token`, not `SessionToken`; `Expiration` in RFC 3339. */
export const ContainerCredentials = Type.Object({
  AccessKeyId: Type.String(),
  SecretAccessKey: Type.String(),
  Token: Type.String(),
  Expiration: DateTime,
  RoleArn: Type.String(),
});
export type ContainerCredentials = Static<typeof ContainerCredentials>;
