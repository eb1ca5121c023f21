import { Type } from 'typebox';
import { USER_FILTERS, USER_SORTS } from '../services/compliance/compliance-types.ts';

/** Schemas shared by the admin routes. Every string has a maximum length. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
export const DateTime = Type.String({ format: 'date-time' });
export const Cursor = Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor from the previous page' });

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

export const ComplianceFilter = Type.Union(
  USER_FILTERS.map((f) => Type.Literal(f)),
  {
    description:
      'no_mfa: no MFA device; console_without_mfa: password but no MFA; keys_without_mfa: active keys that work without MFA; hardware_mfa; not_enrolled',
  },
);
export const ComplianceSort = Type.Union(
  USER_SORTS.map((s) => Type.Literal(s)),
  { description: 'Sort key; a leading - sorts descending' },
);

export const ComplianceSummary = Type.Object({
  users: Type.Integer(),
  withMfa: Type.Integer(),
  withoutMfa: Type.Integer(),
  consoleWithoutMfa: Type.Integer(),
  keysWithoutMfaEnforcement: Type.Integer(),
  keysUnknown: Type.Integer(),
  hardwareMfa: Type.Integer(),
  enrolled: Type.Integer(),
  rootMfa: Nullable(Type.Boolean()),
});

export const KeysWorkWithoutMfa = Type.Union([
  Type.Literal('yes'),
  Type.Literal('no'),
  Type.Literal('unknown'),
  Type.Literal('n/a'),
]);

export const ComplianceUser = Type.Object({
  userName: Type.String(),
  userArn: Type.String(),
  userCreatedAt: Nullable(DateTime),
  consoleAccess: Type.Boolean({ description: 'The user has a console password' }),
  passwordLastUsedAt: Nullable(DateTime),
  mfaActive: Type.Boolean(),
  mfaDeviceCount: Type.Integer(),
  virtualMfaCount: Type.Integer(),
  hardwareMfaCount: Type.Integer(),
  activeKeyCount: Type.Integer(),
  oldestKeyCreatedAt: Nullable(DateTime),
  oldestKeyAgeDays: Nullable(Type.Integer()),
  keysLastUsedAt: Nullable(DateTime),
  keysWorkWithoutMfa: KeysWorkWithoutMfa,
  enrolled: Type.Boolean({ description: 'The portal holds a key for this user (they can sign in)' }),
  lastPortalSignInAt: Nullable(DateTime),
});

export const ScanProgress = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('complete'), Type.Literal('failed')]),
  trigger: Type.Union([Type.Literal('startup'), Type.Literal('schedule'), Type.Literal('manual')]),
  requestedBy: Nullable(Type.String()),
  startedAt: DateTime,
  finishedAt: Nullable(DateTime),
  totalUsers: Type.Integer(),
  processedUsers: Type.Integer(),
  errorCode: Nullable(Type.String()),
});

export const AuditEvent = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  time: DateTime,
  actor: Type.String(),
  action: Type.String(),
  outcome: Type.String(),
  targetRoleArn: Nullable(Type.String()),
  roleSessionName: Nullable(Type.String()),
  errorCode: Nullable(Type.String()),
  sourceIp: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  metadata: Nullable(
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
  ),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const AuditFilters = Type.Object(
  {
    actor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'IAM user name (or "system") who acted' }),
    ),
    roleArn: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z_.]+$' })),
    outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')])),
    from: Type.Optional(
      Type.String({ format: 'date-time', maxLength: 40, description: 'Events at or after this time' }),
    ),
    to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Events before this time' })),
  },
  { additionalProperties: false },
);

export const CatalogRoleBody = Type.Object({
  alias: Type.String(),
  roleArn: Type.String(),
  accountId: Type.String(),
  roleName: Type.String(),
  description: Nullable(Type.String()),
  maxDurationSeconds: Type.Integer(),
  mfaMaxAgeSeconds: Nullable(Type.Integer()),
  externalId: Nullable(Type.String()),
  allowedGroups: Type.Array(Type.String()),
  allowedUsers: Type.Array(Type.String()),
  trustRequiresMfa: Nullable(
    Type.Boolean({ description: 'null: the role is in another account and could not be read' }),
  ),
  warning: Nullable(
    Type.Union([Type.Literal('trust_does_not_require_mfa'), Type.Literal('trust_not_readable')], {
      description: 'Why an admin should look at this role, or null',
    }),
  ),
});

const PrincipalNames = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 100 });
export const RoleAudience = { groups: Type.Optional(PrincipalNames), users: Type.Optional(PrincipalNames) };
export const Description = Type.String({ maxLength: 500 });
export const ExternalId = Type.String({ minLength: 2, maxLength: 1224 });
export const MaxDuration = Type.Integer({ minimum: 900, maximum: 43200 });
