import { type Static, Type } from 'typebox';
import { OFFBOARDING_STEPS } from '../services/revocation/offboarding-service.ts';
import { EndedSessions } from './cli-token-schemas.ts';
import { DateTime, Flag, Nullable } from './schemas.ts';

/** The contract of revocation-routes.ts: revoking AWS sessions, offboarding, outstanding credentials. */

export const TargetResult = Type.Object({
  kind: Type.Union([Type.Literal('role'), Type.Literal('user')]),
  arn: Type.String(),
  accountId: Type.String(),
  status: Type.Union([Type.Literal('denied'), Type.Literal('cleared'), Type.Literal('failed')], {
    description: 'denied: the policy holds the revocations; cleared: none left, policy removed; failed: see error',
  }),
  error: Type.Optional(
    Type.String({ description: 'access_denied, no_identity (no REVOCATION_ROLE_NAME), policy_too_large, ...' }),
  ),
});
export type TargetResult = Static<typeof TargetResult>;

export const ApplyReport = Type.Object({
  complete: Type.Boolean({ description: 'False when any role or user could not be changed: see targets' }),
  targets: Type.Array(TargetResult),
});
export type ApplyReport = Static<typeof ApplyReport>;

export const RevocationBody = Type.Object({
  userName: Type.String(),
  sourceIdentity: Type.String(),
  revokedBefore: DateTime,
  expiresAt: DateTime,
  revokedBy: Type.String(),
});
export type RevocationBody = Static<typeof RevocationBody>;

export const RevokeResponse = Type.Object({
  revocation: RevocationBody,
  ended: EndedSessions,
  applied: ApplyReport,
});
export type RevokeResponse = Static<typeof RevokeResponse>;

export const RevocationList = Type.Object({ revocations: Type.Array(RevocationBody) });
export type RevocationList = Static<typeof RevocationList>;

export const OffboardRequest = Type.Union([
  Type.Object(
    {
      deactivateOtherKeys: Type.Optional(Flag),
      deactivateMfaDevices: Type.Optional(Flag),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export const OffboardResponse = Type.Object({
  userName: Type.String(),
  status: Type.Union([Type.Literal('done'), Type.Literal('incomplete')]),
  step: Type.Enum(OFFBOARDING_STEPS),
  applied: Type.Optional(ApplyReport),
});
export type OffboardResponse = Static<typeof OffboardResponse>;

export const OutstandingCredential = Type.Object({
  auditSeq: Type.Integer({
    description:
      'The audit event this entry was read from; unique in the list (two MFA sessions issued in the same second share every other field)',
  }),
  issuedAt: DateTime,
  expiresAt: DateTime,
  accessKeyId: Nullable(Type.String()),
  roleArn: Nullable(Type.String({ description: "null: the user's own MFA session (GetSessionToken)" })),
  roleAlias: Nullable(Type.String()),
  via: Type.String(),
  sourceIp: Nullable(Type.String()),
  revoked: Type.Boolean({ description: 'A revocation already denies these credentials' }),
});
export type OutstandingCredential = Static<typeof OutstandingCredential>;

export const OutstandingCredentials = Type.Object({ credentials: Type.Array(OutstandingCredential) });
export type OutstandingCredentials = Static<typeof OutstandingCredentials>;
