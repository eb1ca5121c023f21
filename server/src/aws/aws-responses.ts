import { classifyAwsError } from './aws-errors.ts';
import type { CallerIdentity, RoleDetails, TemporaryCredentials } from './aws-gateway.ts';

/** Reading AWS SDK responses into the gateway's types; a missing field is a malformed answer. */

export function required<T>(value: T | undefined | null, operation: string, field: string): T {
  if (value === undefined || value === null)
    throw classifyAwsError(
      { name: 'MalformedResponse', $fault: 'server', message: `${operation} response lacks ${field}` },
      operation,
    );
  return value;
}

export function temporaryCredentials(
  credentials: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined,
  operation: string,
): TemporaryCredentials {
  return {
    accessKeyId: required(credentials?.AccessKeyId, operation, 'Credentials.AccessKeyId'),
    secretAccessKey: required(credentials?.SecretAccessKey, operation, 'Credentials.SecretAccessKey'),
    sessionToken: required(credentials?.SessionToken, operation, 'Credentials.SessionToken'),
    expiration: required(credentials?.Expiration, operation, 'Credentials.Expiration'),
  };
}

export function callerIdentity(out: { Account?: string; Arn?: string; UserId?: string }): CallerIdentity {
  return {
    account: required(out.Account, 'GetCallerIdentity', 'Account'),
    arn: required(out.Arn, 'GetCallerIdentity', 'Arn'),
    userId: required(out.UserId, 'GetCallerIdentity', 'UserId'),
  };
}

export function roleDetails(
  role:
    | {
        Arn?: string;
        RoleName?: string;
        MaxSessionDuration?: number;
        AssumeRolePolicyDocument?: string;
        Description?: string;
      }
    | undefined,
): RoleDetails {
  const arn = required(role?.Arn, 'GetRole', 'Role.Arn');
  return {
    arn,
    name: required(role?.RoleName, 'GetRole', 'Role.RoleName'),
    accountId: arn.split(':')[4] ?? '',
    maxSessionDuration: role?.MaxSessionDuration ?? 3600,
    trustPolicy: parsePolicyDocument(role?.AssumeRolePolicyDocument),
    description: role?.Description,
  };
}

/** IAM returns policy documents URL-encoded. */
function parsePolicyDocument(encoded: string | undefined): unknown {
  if (!encoded) return null;
  try {
    return JSON.parse(decodeURIComponent(encoded));
  } catch {
    try {
      return JSON.parse(encoded);
    } catch {
      return null;
    }
  }
}
