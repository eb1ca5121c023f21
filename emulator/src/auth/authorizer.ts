import { UnsupportedPolicyError } from '../policy/errors.ts';
import type { EvaluationResult } from '../policy/evaluate.ts';
import { evaluateTrustPolicy, evaluateWithinBoundary } from '../policy/evaluate.ts';
import { accessDenied, notAuthorized } from '../protocol/aws-error.ts';
import type { Caller } from '../protocol/operation.ts';
import type { PolicyDocument } from '../state/state-file.ts';
import type { Store } from '../state/store.ts';
import { type ConditionKeys, callerConditionKeys } from './condition-keys.ts';

/** The identity policies that apply to a caller: the user's (with groups) or the role's. */
export function identityPoliciesOf(store: Store, caller: Caller): PolicyDocument[] {
  if (caller.kind === 'role-session') {
    const role = store.findRoleByArn(caller.roleArn);
    return role ? store.policiesForRole(role) : [];
  }
  const user = store.findUser(caller.account, caller.userName);
  return user ? store.policiesForUser(user) : [];
}

/**
 * The permissions boundary over a caller: the IAM user's, for its long-term keys and for its
 * GetSessionToken sessions alike (those are governed by the user's policies); the role's for a
 * role session.
 */
export function permissionsBoundaryOf(store: Store, caller: Caller): PolicyDocument | undefined {
  if (caller.kind === 'role-session') {
    const role = store.findRoleByArn(caller.roleArn);
    return role ? store.boundaryOf(role) : undefined;
  }
  const user = store.findUser(caller.account, caller.userName);
  return user ? store.boundaryOf(user) : undefined;
}

/**
 * Decides whether `caller` may perform `action` ("sts:AssumeRole") on `resource`, throwing AWS's
 * AccessDenied otherwise. A policy the evaluator cannot interpret denies, with the reason in the
 * message so the person who wrote the state file can fix it.
 */
export function authorizeIdentity(
  store: Store,
  caller: Caller,
  action: string,
  resource: string,
  now: Date,
  extraKeys: ConditionKeys = {},
): void {
  const keys = { ...callerConditionKeys(caller, now), ...extraKeys };
  let result: EvaluationResult;
  try {
    result = evaluateWithinBoundary(identityPoliciesOf(store, caller), permissionsBoundaryOf(store, caller), {
      action,
      resource,
      keys,
    });
  } catch (error) {
    if (!(error instanceof UnsupportedPolicyError)) throw error;
    throw accessDenied(
      `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} because the emulator cannot evaluate an identity policy: ${error.message}`,
    );
  }
  if (result.decision === 'Allow') return;
  if (!result.deniedByBoundary) throw notAuthorized(caller.arn, action, resource);
  // AWS names the policy type that refused ("Troubleshoot access denied error messages").
  throw notAuthorized(
    caller.arn,
    action,
    resource,
    result.decision === 'ExplicitDeny'
      ? 'with an explicit deny in a permissions boundary'
      : `because no permissions boundary allows the ${action} action`,
  );
}

/**
 * Limits AWS places on temporary credentials before any policy is consulted: GetSessionToken
 * credentials reach STS only for AssumeRole and GetCallerIdentity, and IAM only when MFA was
 * used to create them. (AWS's exact error for the IAM case is unconfirmed; AccessDenied is the
 * strict choice.)
 */
export function checkSessionLimits(caller: Caller, service: 'sts' | 'iam', action: string): void {
  if (caller.kind !== 'user-session') return;
  if (service === 'sts' && action !== 'AssumeRole' && action !== 'GetCallerIdentity') {
    throw accessDenied(`Cannot call ${action} with session credentials`);
  }
  if (service === 'iam' && caller.mfaAuthenticatedAt === null) {
    throw accessDenied(
      `User: ${caller.arn} is not authorized to perform: iam:${action} because session credentials from GetSessionToken can call IAM only when they were created with MFA`,
    );
  }
}

/**
 * A role's trust policy must allow the caller to assume it. The caller is named by its user ARN,
 * or by its role's ARN for a role session (AWS matches role ARNs in Principal against sessions).
 */
export function authorizeTrust(
  caller: Caller,
  trustPolicy: PolicyDocument,
  roleArn: string,
  keys: ConditionKeys,
): void {
  const principal = { arn: caller.kind === 'role-session' ? caller.roleArn : caller.arn, account: caller.account };
  let decision: string;
  try {
    decision = evaluateTrustPolicy(trustPolicy, {
      action: 'sts:AssumeRole',
      resource: roleArn,
      principal,
      keys,
    }).decision;
  } catch (error) {
    if (!(error instanceof UnsupportedPolicyError)) throw error;
    throw accessDenied(
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn} because the emulator cannot evaluate the role's trust policy: ${error.message}`,
    );
  }
  if (decision !== 'Allow') throw notAuthorized(caller.arn, 'sts:AssumeRole', roleArn);
}
