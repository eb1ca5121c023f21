import { AwsError } from '../protocol/aws-error.ts';
import type { Operation, OperationContext } from '../protocol/operation.ts';
import { randomUniqueId } from '../state/identity-ids.ts';
import type { TagSpec, UserSpec } from '../state/state-file.ts';
import { TAG_KEY, TAG_VALUE, ValidationCollector } from '../sts/sts-validation.ts';
import { boundaryKeys, boundaryPolicy } from './permissions-boundaries.ts';
import { userDetail } from './shapes.ts';
import { authorizedUser, storeChanged } from './target.ts';
import { optionalChecked, requiredChecked } from './validation.ts';

/** IAM quotas (IAM User Guide, "IAM and AWS STS quotas"). */
export const USERS_PER_ACCOUNT = 5000;
const TAGS_PER_USER = 50;

function requestTags(ctx: OperationContext): TagSpec[] {
  const errors = new ValidationCollector();
  const tags = ctx.params.structList('Tags').map((entry, i) => {
    const Key = entry.required('Key');
    const Value = entry.required('Value');
    errors.string(Key, `tags.${i + 1}.member.key`, TAG_KEY);
    errors.string(Value, `tags.${i + 1}.member.value`, TAG_VALUE);
    return { Key, Value };
  });
  if (tags.length > TAGS_PER_USER)
    errors.violation(`${tags.length} tags`, 'tags', `Member must have length less than or equal to ${TAGS_PER_USER}`);
  errors.throwIfAny();
  const keys = new Set(tags.map((t) => t.Key.toLowerCase()));
  if (keys.size !== tags.length) {
    throw new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
  }
  return tags;
}

function freshUserId(ctx: OperationContext): string {
  const taken = new Set(ctx.store.state.users.map((u) => u.id));
  for (;;) {
    const id = randomUniqueId('AIDA');
    if (!taken.has(id)) return id;
  }
}

/**
 * CreateUser: authorized on the new user's ARN, with the request's tags as `aws:RequestTag/*` and
 * `aws:TagKeys` and its PermissionsBoundary as `iam:PermissionsBoundary` (which must name an
 * existing managed policy). (AWS also requires iam:TagUser to create a user with tags; the emulator checks
 * CreateUser only.) The user gets a fresh random id, so a re-created name is a different user.
 */
export const createUser: Operation = (ctx) => {
  const name = requiredChecked(ctx.params, 'UserName', 'newUserName');
  const path = optionalChecked(ctx.params, 'Path', 'path') ?? '/';
  const boundary = optionalChecked(ctx.params, 'PermissionsBoundary', 'arn');
  const tags = requestTags(ctx);
  const account = ctx.caller.account;
  const tagKeys: Record<string, string | string[]> = {};
  if (tags.length > 0) tagKeys['aws:TagKeys'] = tags.map((t) => t.Key);
  for (const tag of tags) tagKeys[`aws:RequestTag/${tag.Key}`] = tag.Value;
  ctx.authorize(`arn:aws:iam::${account}:user${path}${name}`, {
    ...tagKeys,
    ...(boundary === undefined ? {} : boundaryKeys(boundary)),
  });
  const boundaryArn = boundary === undefined ? undefined : boundaryPolicy(ctx, boundary).arn;
  if (ctx.store.findUser(account, name))
    throw new AwsError('EntityAlreadyExists', `User with name ${name} already exists.`, 409);
  if (ctx.store.usersOf(account).length >= USERS_PER_ACCOUNT) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for UsersPerAccount: ${USERS_PER_ACCOUNT}`, 409);
  }
  const user: UserSpec = {
    account,
    name,
    path,
    id: freshUserId(ctx),
    created: ctx.now.toISOString(),
    ...(boundaryArn === undefined ? {} : { permissionsBoundary: boundaryArn }),
    ...(tags.length > 0 ? { tags } : {}),
  };
  ctx.store.state.users.push(user);
  storeChanged(ctx);
  return { User: userDetail(user) };
};

/**
 * What still hangs off a user and blocks DeleteUser, in the order the emulator reports it, with
 * AWS's DeleteConflict wording. Signing certificates, SSH keys and service-specific credentials are
 * not modelled by the emulator, so they never block.
 */
function deleteConflict(user: UserSpec): string | undefined {
  if (user.password?.enabled) return 'Cannot delete entity, must delete login profile first.';
  if (user.accessKeys?.length) return 'Cannot delete entity, must delete access keys first.';
  if (user.mfaDevices?.length) return 'Cannot delete entity, must delete MFA device first.';
  if (user.groups?.length) return 'Cannot delete entity, must remove users from group first.';
  if (user.attachedPolicies?.length) return 'Cannot delete entity, must detach all policies first.';
  if (user.inlinePolicies?.length) return 'Cannot delete entity, must delete policies first.';
  return undefined;
}

/** DeleteUser: only a user with nothing attached, as the IAM API (unlike the console) requires. */
export const deleteUser: Operation = (ctx) => {
  const user = authorizedUser(ctx, { defaultToCaller: false });
  const conflict = deleteConflict(user);
  if (conflict) throw new AwsError('DeleteConflict', conflict, 409);
  ctx.store.state.users.splice(ctx.store.state.users.indexOf(user), 1);
  // GetSessionToken sessions are governed by the user's policies; with the user gone they must not
  // pass to a later user of the same name (AWS tells them apart by the unique id).
  for (const [id, session] of ctx.store.sessions) {
    if (session.caller.kind === 'user-session' && session.caller.userId === user.id) ctx.store.sessions.delete(id);
  }
  storeChanged(ctx);
  return null;
};
