/**
 * The emulator's state file: the JSON contract that tests, the demo and people use to describe
 * an AWS organisation. Documented in the README ("Emulator state file"). Times are ISO-8601 UTC.
 */
export interface StateFile {
  accounts: AccountSpec[];
  users: UserSpec[];
  groups?: GroupSpec[];
  policies?: ManagedPolicySpec[];
  roles?: RoleSpec[];
  /** Per-account root user settings; a root user exists implicitly for every account. */
  roots?: RootSpec[];
  /** Virtual MFA devices created (CreateVirtualMFADevice) but not yet enabled for a user. */
  unassignedMfaDevices?: UnassignedMfaDeviceSpec[];
}

export interface AccountSpec {
  id: string; // 12 digits
  alias?: string;
}

export interface RootSpec {
  account: string;
  mfa?: boolean;
  hardwareMfa?: boolean;
  passwordLastUsed?: string | null;
  /** Active root access keys (0..2), shown in the credential report's root row (CIS: there should be none). */
  activeAccessKeys?: number;
}

export interface UserSpec {
  account: string;
  name: string;
  path?: string; // default "/"
  id?: string; // AIDA..., generated when absent
  created?: string;
  groups?: string[];
  password?: { enabled: boolean; lastUsed?: string | null; lastChanged?: string | null };
  accessKeys?: AccessKeySpec[];
  mfaDevices?: MfaDeviceSpec[];
  inlinePolicies?: InlinePolicySpec[];
  attachedPolicies?: string[]; // managed policy ARNs
  /**
   * Managed policy ARN of the user's permissions boundary: the most its identity policies can
   * grant (an action must be allowed by both; a Deny in either wins). It grants nothing itself.
   */
  permissionsBoundary?: string;
  tags?: TagSpec[];
}

export interface AccessKeySpec {
  id: string; // AKIA...
  secret: string;
  status: 'Active' | 'Inactive';
  created?: string;
  lastUsed?: string | null;
  lastUsedService?: string | null;
  lastUsedRegion?: string | null;
}

/** A TOTP device (STS accepts its codes) or a FIDO security key (console sign-in only). */
export type MfaDeviceSpec = TotpDeviceSpec | FidoDeviceSpec;

export interface TotpDeviceSpec {
  serial: string; // arn:aws:iam::<acct>:mfa/<name> (virtual) or e.g. GAHT12345678 (hardware)
  type: 'virtual' | 'hardware';
  seed: string; // base32 TOTP secret
  enabledAt?: string;
}

/** A FIDO security key: no TOTP seed, so STS never accepts it as SerialNumber. */
export interface FidoDeviceSpec {
  serial: string; // arn:aws:iam::<acct>:u2f/user/<name>/<id>
  type: 'fido';
  enabledAt?: string;
}

export interface UnassignedMfaDeviceSpec {
  serial: string;
  seed: string;
  created?: string;
}

export interface InlinePolicySpec {
  name: string;
  document: PolicyDocument;
}

export interface GroupSpec {
  account: string;
  name: string;
  path?: string;
  inlinePolicies?: InlinePolicySpec[];
  attachedPolicies?: string[];
}

export interface ManagedPolicySpec {
  arn: string; // arn:aws:iam::<acct>:policy/<name> or arn:aws:iam::aws:policy/<name>
  document: PolicyDocument;
  description?: string;
  /** ANPA...; derived from the ARN when absent. Set by CreatePolicy, like `created`. */
  id?: string;
  created?: string;
}

export interface RoleSpec {
  account: string;
  name: string;
  path?: string;
  id?: string; // AROA...
  description?: string;
  maxSessionDuration?: number; // 3600..43200, default 3600
  trustPolicy: PolicyDocument;
  inlinePolicies?: InlinePolicySpec[];
  attachedPolicies?: string[];
  /** Managed policy ARN of the role's permissions boundary: caps its sessions like a user's. */
  permissionsBoundary?: string;
  tags?: TagSpec[];
  created?: string;
}

export interface TagSpec {
  Key: string;
  Value: string;
}

/** An IAM policy document as AWS accepts it: single values or arrays, Statement object or list. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement?: PolicyStatement | PolicyStatement[];
}

export type OneOrMany<T> = T | T[];

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: OneOrMany<string>;
  NotAction?: OneOrMany<string>;
  Resource?: OneOrMany<string>;
  NotResource?: OneOrMany<string>;
  Principal?: '*' | Record<string, OneOrMany<string>>;
  NotPrincipal?: Record<string, OneOrMany<string>>;
  Condition?: Record<string, Record<string, OneOrMany<string | number | boolean>>>;
}
