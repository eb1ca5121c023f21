import { type Static, Type } from 'typebox';
import { PROFILE_SOURCE_NAMES } from '../formats/index.ts';
import { Flag, Nullable } from './schemas.ts';

/** The contract of aws-config-routes.ts. */

export const AwsConfigQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Enum(['ini', 'json'], { description: '`ini` (default): the ~/.aws/config block; `json`: the profile list' }),
    ),
    source: Type.Optional(
      Type.Enum(PROFILE_SOURCE_NAMES, {
        description: 'How each profile gets credentials: `credential_process` (default) or `container` (the endpoint)',
      }),
    ),
    download: Type.Optional(Flag),
  },
  { additionalProperties: false },
);
export type AwsConfigQuery = Static<typeof AwsConfigQuery>;

export const AwsConfigProfileBody = Type.Object({
  profile: Type.String(),
  roleAlias: Type.String(),
  roleArn: Type.String(),
  accountId: Type.String(),
  accountAlias: Nullable(Type.String()),
  region: Type.String(),
  durationSeconds: Type.Integer(),
});

export const AwsConfigJson = Type.Object({
  userName: Type.String(),
  portalUrl: Type.String(),
  profiles: Type.Array(AwsConfigProfileBody),
});
export type AwsConfigJson = Static<typeof AwsConfigJson>;

export const awsConfigResponses = {
  200: {
    description: 'The profiles (never cached): the config block as text, or JSON with format=json',
    content: {
      'application/json': { schema: AwsConfigJson },
      'text/plain': { schema: Type.String({ description: 'The ~/.aws/config block between its markers' }) },
    },
  },
};
