import { AwsError, noSuchEntity } from '../protocol/aws-error.ts';
import type { Operation, OperationContext } from '../protocol/operation.ts';
import type { ManagedPolicySpec, UserSpec } from '../state/state-file.ts';
import { userArn } from '../state/store.ts';
import { noSuchUser, storeChanged } from './target.ts';
import { check, requiredChecked } from './validation.ts';

/**
 * Permissions boundaries of IAM users (IAM API reference: CreateUser's PermissionsBoundary,
 * PutUserPermissionsBoundary, DeleteUserPermissionsBoundary). A boundary is one managed policy
 * of the account (or an AWS managed one) that caps what the user's identity policies grant; the
 * evaluator applies it to the user's requests and to its GetSessionToken sessions.
 */

/** `iam:PermissionsBoundary`: the condition key delegation guards test on these operations. */
export const boundaryKeys = (arn: string): Record<string, string> => ({ 'iam:permissionsboundary': arn });

/** The policy a `PermissionsBoundary` parameter names, once the request is authorized. */
export function boundaryPolicy(ctx: OperationContext, arn: string): ManagedPolicySpec {
  check(arn, 'arn', 'permissionsBoundary');
  const owner = /^arn:aws:iam::(\d{12}|aws):policy\//.exec(arn)?.[1];
  if (owner === undefined) throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`);
  // Another account's policy cannot be a boundary here: it is "not attachable", like a missing one.
  const policy = owner === 'aws' || owner === ctx.caller.account ? ctx.store.findManagedPolicy(arn) : undefined;
  // AWS's wording (seen from CreateUser and PutUserPermissionsBoundary alike).
  if (!policy) throw noSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`);
  return policy;
}

/** The user named by `UserName`, authorized with the boundary ARN as `iam:PermissionsBoundary`. */
function boundaryTarget(ctx: OperationContext, keys: Record<string, string> = {}): UserSpec {
  const name = requiredChecked(ctx.params, 'UserName', 'userName');
  const user = ctx.store.findUser(ctx.caller.account, name);
  ctx.authorize(user ? userArn(user) : `arn:aws:iam::${ctx.caller.account}:user/${name}`, keys);
  if (!user) throw noSuchUser(name);
  return user;
}

/** Sets or replaces the user's boundary. */
export const putUserPermissionsBoundary: Operation = (ctx) => {
  const arn = ctx.params.required('PermissionsBoundary');
  check(arn, 'arn', 'permissionsBoundary');
  const user = boundaryTarget(ctx, boundaryKeys(arn));
  const policy = boundaryPolicy(ctx, arn);
  user.permissionsBoundary = policy.arn;
  storeChanged(ctx);
  return null;
};

/**
 * Removes the user's boundary (which may widen what the user can do). A user without one is left
 * as it is: the documented errors are NoSuchEntity for the user only.
 */
export const deleteUserPermissionsBoundary: Operation = (ctx) => {
  const user = boundaryTarget(ctx);
  if (user.permissionsBoundary !== undefined) {
    delete user.permissionsBoundary;
    storeChanged(ctx);
  }
  return null;
};

/** The `PermissionsBoundary` structure of GetUser and GetAccountAuthorizationDetails. */
export function attachedBoundary(user: { permissionsBoundary?: string }) {
  return user.permissionsBoundary === undefined
    ? undefined
    : { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: user.permissionsBoundary };
}

/** How many users of the account use each managed policy as their permissions boundary. */
export function boundaryUsageCounts(users: readonly UserSpec[], account: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const user of users) {
    if (user.account !== account || user.permissionsBoundary === undefined) continue;
    counts.set(user.permissionsBoundary, (counts.get(user.permissionsBoundary) ?? 0) + 1);
  }
  return counts;
}
