import { type Static, Type } from 'typebox';
import { CIS_CHECK_IDS } from '../services/cis/cis-checks.ts';
import { KeysWorkWithoutMfa } from './admin-schemas.ts';
import { Cursor, DateTime, Nullable, UserName } from './schemas.ts';

/** The contract of the CIS checks, remediation, exemptions and alert routes. */

export const CisCheckId = Type.Enum(CIS_CHECK_IDS, { description: 'A check of CIS_CHECKS (cis-checks.ts)' });

export const CisCheck = Type.Object({
  id: CisCheckId,
  reference: Type.String({ description: 'CIS AWS Foundations Benchmark v3.0 section, or "Portal"' }),
  prowler: Nullable(Type.String({ description: 'The Prowler check(s) that report the same' })),
  title: Type.String(),
  scope: Type.Union([Type.Literal('root'), Type.Literal('user')]),
  status: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('unknown')]),
  failing: Type.Integer({ description: 'Subjects failing it (exempt users not counted)' }),
  exempt: Type.Integer({ description: 'Exempt users failing it, counted apart' }),
  since: Nullable(DateTime),
});
export type CisCheck = Static<typeof CisCheck>;

export const CisResults = Type.Object({
  scanId: Nullable(Type.String()),
  scannedAt: Nullable(DateTime),
  checks: Type.Array(CisCheck),
});
export type CisResults = Static<typeof CisResults>;

export const CisCheckParams = Type.Object({ check: Type.String({ minLength: 1, maxLength: 64 }) });

export const CisFailingQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

export const CisFailingUser = Type.Object({
  userName: Type.String({ description: "A user name, or '<root_account>'" }),
  since: DateTime,
  exempt: Type.Boolean(),
});

export const CisFailingPage = Type.Object({
  check: Type.String(),
  users: Type.Array(CisFailingUser),
  nextCursor: Nullable(Type.String()),
});
export type CisFailingPage = Static<typeof CisFailingPage>;

export const ForceMfaPolicy = Type.Object({
  policyArn: Type.String(),
  policyName: Type.String(),
  path: Type.String(),
  document: Type.Unknown({ description: 'The policy document, as it will be created' }),
});
export type ForceMfaPolicy = Static<typeof ForceMfaPolicy>;

export const RequireMfaRequest = Type.Object(
  {
    target: Type.Union([Type.Literal('user'), Type.Literal('group')], { default: 'user' }),
    groupName: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\w+=,.@-]+$' })),
  },
  { additionalProperties: false },
);
export type RequireMfaRequest = Static<typeof RequireMfaRequest>;

export const RequireMfaResult = Type.Object({
  userName: Type.String(),
  policyArn: Type.String(),
  attachedTo: Type.String({ description: 'user:<name> or group:<name>' }),
  keysWorkWithoutMfa: Type.Union([
    Type.Literal('yes'),
    Type.Literal('no'),
    Type.Literal('unknown'),
    Type.Literal('n/a'),
  ]),
});
export type RequireMfaResult = Static<typeof RequireMfaResult>;

export const ExemptionRequest = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'Why this identity may use its keys without MFA',
    }),
    expiresAt: Type.String({
      format: 'date-time',
      maxLength: 40,
      description: 'In the future, and at most ExemptionList.maxDays (366) days away',
    }),
  },
  { additionalProperties: false },
);
export type ExemptionRequest = Static<typeof ExemptionRequest>;

export const Exemption = Type.Object({
  userName: Type.String(),
  reason: Type.String(),
  expiresAt: DateTime,
  createdBy: Type.String({ description: 'The admin who granted it' }),
  createdAt: DateTime,
  active: Type.Boolean({ description: 'false once expiresAt has passed' }),
});
export type Exemption = Static<typeof Exemption>;

export const ListedExemption = Type.Object({
  ...Exemption.properties,
  keysWorkWithoutMfa: Type.Union([KeysWorkWithoutMfa, Type.Null()], {
    description: "What the latest complete scan says of the user's keys; null when the user is not in it",
  }),
});
export type ListedExemption = Static<typeof ListedExemption>;

export const ExemptionList = Type.Object({
  scanId: Nullable(Type.String({ description: 'The complete scan keysWorkWithoutMfa comes from' })),
  maxDays: Type.Integer({ description: 'The longest exemption the portal accepts, in days' }),
  exemptions: Type.Array(ListedExemption),
});
export type ExemptionList = Static<typeof ExemptionList>;

export const AlertDelivery = Type.Object({
  id: Type.String(),
  scanId: Type.String(),
  webhook: Type.String({ description: 'The label from ALERT_WEBHOOKS (never the URL)' }),
  format: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  createdAt: DateTime,
  deliveredAt: Nullable(DateTime),
});
export const AlertDeliveryList = Type.Object({ deliveries: Type.Array(AlertDelivery) });
export type AlertDeliveryList = Static<typeof AlertDeliveryList>;

export const RemediationUserParams = Type.Object({ userName: UserName });
