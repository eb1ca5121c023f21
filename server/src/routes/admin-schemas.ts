import { type Static, Type } from 'typebox';
import { COMPLIANCE_FILTERS, COMPLIANCE_SORTS } from '../services/compliance/compliance-types.ts';
import { Cursor, DateTime, Nullable, RoleAlias, UserName } from './schemas.ts';

/** The contract of the admin routes (compliance, users, audit, roles). Every string has a maximum length. */

// --- compliance ---

export const ComplianceFilter = Type.Enum(COMPLIANCE_FILTERS, {
  description:
    'no_mfa: no MFA device; console_without_mfa: password but no MFA; keys_work_without_mfa: active keys that work without MFA; hardware_mfa; console_only_mfa: only FIDO security keys (MFA for the console only, no CLI credentials); not_enrolled',
});
export type ComplianceFilter = Static<typeof ComplianceFilter>;

export const ComplianceSort = Type.Enum(COMPLIANCE_SORTS, { description: 'Sort key; a leading - sorts descending' });
export type ComplianceSort = Static<typeof ComplianceSort>;

export const UserQuery = Type.Object(
  {
    filter: Type.Optional(ComplianceFilter),
    q: Type.Optional(Type.String({ maxLength: 64, description: 'Part of a user name (case-insensitive)' })),
    sort: Type.Optional(ComplianceSort),
  },
  { additionalProperties: false },
);
export type UserQuery = Static<typeof UserQuery>;

export const CompliancePageQuery = Type.Object(
  {
    ...UserQuery.properties,
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const ComplianceSummary = Type.Object({
  users: Type.Integer(),
  withMfa: Type.Integer(),
  withoutMfa: Type.Integer(),
  consoleWithoutMfa: Type.Integer(),
  keysWorkWithoutMfa: Type.Integer({ description: 'Users whose active access keys work without MFA' }),
  keysUnknown: Type.Integer(),
  hardwareMfa: Type.Integer(),
  consoleOnlyMfa: Type.Integer({
    description: 'Users whose only MFA devices are FIDO security keys: MFA for the console only',
  }),
  enrolled: Type.Integer(),
  rootMfa: Nullable(Type.Boolean()),
});
export type ComplianceSummary = Static<typeof ComplianceSummary>;

export const KeysWorkWithoutMfa = Type.Union([
  Type.Literal('yes'),
  Type.Literal('no'),
  Type.Literal('unknown'),
  Type.Literal('n/a'),
]);
export type KeysWorkWithoutMfa = Static<typeof KeysWorkWithoutMfa>;

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
  fidoMfaCount: Type.Integer({
    description: 'FIDO security keys (console sign-in only; STS takes no codes from them)',
  }),
  activeKeyCount: Type.Integer(),
  oldestKeyCreatedAt: Nullable(DateTime),
  oldestKeyAgeDays: Nullable(Type.Integer()),
  keysLastUsedAt: Nullable(DateTime),
  keysWorkWithoutMfa: KeysWorkWithoutMfa,
  enrolled: Type.Boolean({ description: 'The portal holds a key for this user (they can sign in)' }),
  lastPortalSignInAt: Nullable(DateTime),
});
export type ComplianceUser = Static<typeof ComplianceUser>;

export const CompliancePage = Type.Object({
  scanId: Nullable(Type.String()),
  scannedAt: Nullable(DateTime),
  reportGeneratedAt: Nullable(DateTime),
  summary: Nullable(ComplianceSummary),
  users: Type.Array(ComplianceUser),
  nextCursor: Nullable(Type.String()),
});
export type CompliancePage = Static<typeof CompliancePage>;

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
export type ScanProgress = Static<typeof ScanProgress>;

export const ScanState = Type.Object({ scan: Nullable(ScanProgress) });
export type ScanState = Static<typeof ScanState>;

export const ScanStarted = Type.Object({ started: Type.Boolean(), scan: Nullable(ScanProgress) });
export type ScanStarted = Static<typeof ScanStarted>;

export const HistoryQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 90 }),
    since: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const HistoryPoint = Type.Object({ scanId: Type.String(), scannedAt: DateTime, summary: ComplianceSummary });
export type HistoryPoint = Static<typeof HistoryPoint>;

export const History = Type.Object({ points: Type.Array(HistoryPoint) });
export type History = Static<typeof History>;

// --- users (remediation) ---

export const UserParams = Type.Object({ userName: UserName });

export const SetupLink = Type.Object({ url: Type.String(), expiresAt: DateTime });
export type SetupLink = Static<typeof SetupLink>;

// A body is optional: without one (null) the user's first TOTP device is tried first and any other
// TOTP device of theirs also signs them in; `mfaSerial` pins the one device accepted.
export const EnrollRequest = Nullable(
  Type.Object(
    { mfaSerial: Type.Optional(Type.String({ minLength: 9, maxLength: 256, pattern: '^[\\w+=/:,.@-]+$' })) },
    { additionalProperties: false },
  ),
);

export const Enrollment = Type.Object({
  userName: Type.String(),
  accountId: Type.String(),
  mfaSerial: Type.String(),
  mfaSerialPinned: Type.Boolean({
    description: "Only mfaSerial's codes are accepted (else every TOTP device of the user's)",
  }),
  issuePath: Type.Union([Type.Literal('assume_role'), Type.Literal('mfa_session')]),
  keysWorkWithoutMfa: Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('unknown')], {
    description: "Whether the user's keys work without MFA (policy simulation); 'yes' deserves a warning",
  }),
  enrolledAt: DateTime,
  lastSignInAt: Nullable(DateTime),
});
export type Enrollment = Static<typeof Enrollment>;

// --- audit ---

export const AuditOutcome = Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]);
export type AuditOutcome = Static<typeof AuditOutcome>;

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
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditFilters = Type.Object(
  {
    actor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'IAM user name (or "system") who acted' }),
    ),
    roleArn: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z_.]+$' })),
    outcome: Type.Optional(AuditOutcome),
    from: Type.Optional(
      Type.String({ format: 'date-time', maxLength: 40, description: 'Events at or after this time' }),
    ),
    to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Events before this time' })),
  },
  { additionalProperties: false },
);
export type AuditFilters = Static<typeof AuditFilters>;

export const AuditPageQuery = Type.Object(
  {
    ...AuditFilters.properties,
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const AuditPage = Type.Object({ events: Type.Array(AuditEvent), nextCursor: Nullable(Type.String()) });
export type AuditPage = Static<typeof AuditPage>;

export const ChainCheck = Type.Object({
  ok: Type.Boolean(),
  /** Rows known to verify: those read now plus, for `new_rows`, the prefix an earlier walk verified. */
  checked: Type.Integer(),
  brokenAtSeq: Nullable(Type.Integer()),
  verifiedAt: DateTime,
  /** `full`: every row was read now; `new_rows`: only rows after the last verified head. */
  scope: Type.Union([Type.Literal('full'), Type.Literal('new_rows')]),
  /** When the oldest rows of this answer were last read (the last full walk). */
  fullCheckAt: DateTime,
});

export const ChainCheckQuery = Type.Object({
  full: Type.Optional(
    Type.Boolean({ description: 'Read every row now instead of only the rows since the last check.' }),
  ),
});
export type ChainCheck = Static<typeof ChainCheck>;

/** The 200 answer of the JSON export: a file download. */
export const auditJsonDownload = {
  200: {
    description: 'Matching audit events (a file download)',
    content: { 'application/json': { schema: Type.Array(AuditEvent) } },
  },
};

/** The 200 answer of a CSV export: a file download. */
export const csvDownload = (description: string) => ({
  200: { description, content: { 'text/csv': { schema: Type.String() } } },
});

// --- role catalog ---

export const CatalogRole = Type.Object({
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
export type CatalogRole = Static<typeof CatalogRole>;

export const CatalogRoles = Type.Object({ roles: Type.Array(CatalogRole) });
export type CatalogRoles = Static<typeof CatalogRoles>;

export const ImportableRole = Type.Object({
  roleArn: Type.String(),
  roleName: Type.String(),
  description: Nullable(Type.String()),
  maxSessionDuration: Type.Integer(),
  trustRequiresMfa: Type.Boolean(),
  mfaMaxAgeSeconds: Nullable(Type.Integer()),
  catalogAliases: Type.Array(Type.String()),
});
export type ImportableRole = Static<typeof ImportableRole>;

export const ImportableRoles = Type.Object({ roles: Type.Array(ImportableRole) });
export type ImportableRoles = Static<typeof ImportableRoles>;

const PrincipalNames = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 100 });
const RoleAudience = { groups: Type.Optional(PrincipalNames), users: Type.Optional(PrincipalNames) };
const Description = Type.String({ maxLength: 500 });
const ExternalId = Type.String({ minLength: 2, maxLength: 1224 });
export const MaxDuration = Type.Integer({ minimum: 900, maximum: 43200 });

export const AliasParams = Type.Object({ alias: RoleAlias });

export const NewCatalogRole = Type.Object(
  {
    alias: RoleAlias,
    roleArn: Type.String({ minLength: 20, maxLength: 2048 }),
    ...RoleAudience,
    maxDurationSeconds: Type.Optional(MaxDuration),
    externalId: Type.Optional(ExternalId),
    description: Type.Optional(Description),
  },
  { additionalProperties: false },
);
export type NewCatalogRole = Static<typeof NewCatalogRole>;

export const CatalogRoleChanges = Type.Object(
  {
    ...RoleAudience,
    maxDurationSeconds: Type.Optional(MaxDuration),
    externalId: Type.Optional(Nullable(ExternalId)),
    description: Type.Optional(Nullable(Description)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CatalogRoleChanges = Static<typeof CatalogRoleChanges>;
