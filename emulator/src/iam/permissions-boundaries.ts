import { AwsError, noSuchEntity } from '../protocol/aws-error.ts';
import type { Operation, OperationContext } from '../protocol/operation.ts';
import type { ManagedPolicySpec, RoleSpec, UserSpec } from '../state/state-file.ts';
import { roleArn, userArn } from '../state/store.ts';
import { noSuchUser, storeChanged } from './target.ts';
import { check, requiredChecked } from './validation.ts';

/**
 * Permissions boundaries of IAM users and roles (IAM API reference: CreateUser's
 * PermissionsBoundary, Put/DeleteUserPermissionsBoundary, Put/DeleteRolePermissionsBoundary). A
 * boundary is one managed policy of the account (or an AWS managed one) that caps what the
 * entity's identity policies grant; the evaluator applies it to a user's requests and its
 * GetSessionToken sessions, and to a role's sessions.
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

type Target = (ctx: OperationContext, keys?: Record<string, string>) => UserSpec | RoleSpec;

/** The user named by `UserName`, authorized (with the boundary as `iam:PermissionsBoundary`) first. */
const userTarget: Target = (ctx, keys = {}) => {
  const name = requiredChecked(ctx.params, 'UserName', 'userName');
  const user = ctx.store.findUser(ctx.caller.account, name);
  ctx.authorize(user ? userArn(user) : `arn:aws:iam::${ctx.caller.account}:user/${name}`, keys);
  if (!user) throw noSuchUser(name);
  return user;
};

const roleTarget: Target = (ctx, keys = {}) => {
  const name = requiredChecked(ctx.params, 'RoleName', 'roleName');
  const role = ctx.store.findRole(ctx.caller.account, name);
  ctx.authorize(role ? roleArn(role) : `arn:aws:iam::${ctx.caller.account}:role/${name}`, keys);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
};

/** Sets or replaces the target's boundary. */
const putBoundary =
  (target: Target): Operation =>
  (ctx) => {
    const arn = ctx.params.required('PermissionsBoundary');
    check(arn, 'arn', 'permissionsBoundary');
    const entity = target(ctx, boundaryKeys(arn));
    entity.permissionsBoundary = boundaryPolicy(ctx, arn).arn;
    storeChanged(ctx);
    return null;
  };

/**
 * Removes the target's boundary (which may widen what it can do). One without a boundary is left
 * as it is: the documented errors are NoSuchEntity for the user or role only.
 */
const deleteBoundary =
  (target: Target): Operation =>
  (ctx) => {
    const entity = target(ctx);
    if (entity.permissionsBoundary !== undefined) {
      delete entity.permissionsBoundary;
      storeChanged(ctx);
    }
    return null;
  };

export const putUserPermissionsBoundary = putBoundary(userTarget);
export const deleteUserPermissionsBoundary = deleteBoundary(userTarget);
export const putRolePermissionsBoundary = putBoundary(roleTarget);
export const deleteRolePermissionsBoundary = deleteBoundary(roleTarget);

/** The `PermissionsBoundary` structure of GetUser, GetRole and GetAccountAuthorizationDetails. */
export function attachedBoundary(user: { permissionsBoundary?: string }) {
  return user.permissionsBoundary === undefined
    ? undefined
    : { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: user.permissionsBoundary };
}

/** How many users and roles of the account use each managed policy as their permissions boundary. */
export function boundaryUsageCounts(
  entities: ReadonlyArray<UserSpec | RoleSpec>,
  account: string,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entity of entities) {
    if (entity.account !== account || entity.permissionsBoundary === undefined) continue;
    counts.set(entity.permissionsBoundary, (counts.get(entity.permissionsBoundary) ?? 0) + 1);
  }
  return counts;
}
