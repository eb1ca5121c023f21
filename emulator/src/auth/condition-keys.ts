import type { Caller } from '../protocol/operation.ts';

export type ConditionKeys = Record<string, string | string[]>;

/**
 * The global condition keys AWS puts in the request context for a caller. Absent keys matter:
 * `aws:MultiFactorAuthPresent` is missing (not "false") for long-term keys, which is why the
 * force-MFA pattern uses BoolIfExists.
 */
export function callerConditionKeys(caller: Caller, now: Date): ConditionKeys {
  const keys: ConditionKeys = {
    'aws:CurrentTime': isoSeconds(now),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:PrincipalAccount': caller.account,
  };
  switch (caller.kind) {
    case 'user':
      Object.assign(keys, {
        'aws:PrincipalArn': caller.arn,
        'aws:PrincipalType': 'User',
        'aws:username': caller.userName,
        'aws:userid': caller.userId,
      });
      break;
    case 'user-session':
      Object.assign(keys, {
        'aws:PrincipalArn': caller.arn,
        'aws:PrincipalType': 'User',
        'aws:username': caller.userName,
        'aws:userid': caller.userId,
        'aws:TokenIssueTime': isoSeconds(caller.issuedAt),
        ...mfaKeys(caller.mfaAuthenticatedAt, now),
      });
      break;
    case 'role-session':
      Object.assign(keys, {
        // For role sessions AWS reports the role's ARN, not the assumed-role session ARN.
        'aws:PrincipalArn': caller.roleArn,
        'aws:PrincipalType': 'AssumedRole',
        'aws:userid': `${caller.roleId}:${caller.sessionName}`,
        ...(caller.sourceIdentity === null ? {} : { 'aws:SourceIdentity': caller.sourceIdentity }),
        'aws:TokenIssueTime': isoSeconds(caller.issuedAt),
        ...mfaKeys(caller.mfaAuthenticatedAt, now),
      });
      break;
  }
  return keys;
}

/** MFA keys of temporary credentials: present ("true"/"false") for every session, age only after MFA. */
export function mfaKeys(mfaAuthenticatedAt: Date | null, now: Date): ConditionKeys {
  if (mfaAuthenticatedAt === null) return { 'aws:MultiFactorAuthPresent': 'false' };
  const age = Math.max(0, Math.floor((now.getTime() - mfaAuthenticatedAt.getTime()) / 1000));
  return { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': String(age) };
}

/** ISO 8601 in whole seconds, as AWS writes date keys (`2026-12-02T06:00:00Z`). */
const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
