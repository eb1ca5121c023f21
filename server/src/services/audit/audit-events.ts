/** Every kind of audited event. Stored as text in AuditEvent.action; keep the values stable. */
export const AuditAction = {
  SignIn: 'session.sign_in',
  SignOut: 'session.sign_out',
  SignOutEverywhere: 'session.sign_out_everywhere',
  SessionCredentials: 'session.credentials',
  IssueCredentials: 'credentials.issue',
  CliTokenCreate: 'cli_token.create',
  CliTokenRevoke: 'cli_token.revoke',
  ProcessCredentials: 'credentials.process',
  /** Role credentials fetched by an AWS SDK from the container credentials endpoint. */
  ContainerCredentials: 'credentials.container',
  /** Role credentials turned into an AWS console sign-in (federation endpoint). */
  ConsoleSignIn: 'credentials.console_sign_in',
  Enroll: 'custody.enroll',
  Unenroll: 'custody.unenroll',
  RotateKey: 'custody.rotate_key',
  RotateMasterKey: 'custody.rotate_master_key',
  RoleAdd: 'catalog.role_add',
  RoleRemove: 'catalog.role_remove',
  RoleUpdate: 'catalog.role_update',
  ComplianceScanStart: 'compliance.scan_start',
  MfaSetupLinkCreate: 'mfa_setup.link_create',
  MfaSetupOpen: 'mfa_setup.open',
  MfaSetupDeviceCreate: 'mfa_setup.device_create',
  MfaSetupComplete: 'mfa_setup.complete',
  LockoutLift: 'abuse.lockout_lift',
  AwsSessionsRevoke: 'aws_sessions.revoke',
  AwsSessionsApply: 'aws_sessions.apply',
  OffboardingStart: 'offboarding.start',
  OffboardingStep: 'offboarding.step',
  OffboardingComplete: 'offboarding.complete',
  // CIS checks, remediation and alerts (services/cis, services/remediation, services/alerts).
  ExemptionAdd: 'compliance.exemption_add',
  ExemptionRemove: 'compliance.exemption_remove',
  RequireMfa: 'remediation.require_mfa',
  AlertQueued: 'alert.queued',
  AlertDelivered: 'alert.delivered',
  AlertFailed: 'alert.failed',
} as const;

export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** Where a request came from; filled in by the route layer. */
export interface RequestOrigin {
  sourceIp?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
}

export interface AuditEntry extends RequestOrigin {
  actor: string;
  action: AuditAction;
  outcome: AuditOutcome;
  targetRoleArn?: string | undefined;
  roleSessionName?: string | undefined;
  errorCode?: string | undefined;
  /** Action-specific details. Never credentials, codes or tokens. */
  metadata?: Record<string, string | number | boolean | null> | undefined;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  seq: number;
  time: Date;
  prevHash: string;
  hash: string;
  /** The audit key that keyed `hash` (audit-key.ts); absent on rows from before keying. */
  keyId?: string | undefined;
}
