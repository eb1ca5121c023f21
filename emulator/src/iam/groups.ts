import { AwsError, noSuchEntity } from '../protocol/aws-error.ts';
import type { Operation, OperationContext } from '../protocol/operation.ts';
import type { GroupSpec, UserSpec } from '../state/state-file.ts';
import { groupArn } from '../state/store.ts';
import { pageFields, paginate } from './pagination.ts';
import { groupSummary, userSummary } from './shapes.ts';
import { ANY_RESOURCE, noSuchUser, storeChanged } from './target.ts';
import { optionalChecked, requiredChecked } from './validation.ts';

/** IAM quota: groups an IAM user can be a member of. */
export const GROUPS_PER_USER = 10;

const byName = <T extends { name: string }>(a: T, b: T): number => a.name.localeCompare(b.name, 'en');
const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export const noSuchGroup = (name: string): AwsError => noSuchEntity(`The group with name ${name} cannot be found.`);

/**
 * The group an operation acts on: authorizes `iam:<Action>` on its ARN (the path-less ARN when it
 * does not exist) before revealing whether it exists, like the user operations.
 */
function authorizedGroup(ctx: OperationContext): GroupSpec {
  const name = requiredChecked(ctx.params, 'GroupName', 'groupName');
  const group = ctx.store.findGroup(ctx.caller.account, name);
  ctx.authorize(group ? groupArn(group) : `arn:aws:iam::${ctx.caller.account}:group/${name}`);
  if (!group) throw noSuchGroup(name);
  return group;
}

/** Group and user of a membership change; the user name is checked before anything is revealed. */
function membership(ctx: OperationContext): { group: GroupSpec; user: UserSpec } {
  const userName = requiredChecked(ctx.params, 'UserName', 'userName');
  const group = authorizedGroup(ctx);
  const user = ctx.store.findUser(ctx.caller.account, userName);
  if (!user) throw noSuchUser(userName);
  return { group, user };
}

export const listGroups: Operation = (ctx) => {
  const prefix = optionalChecked(ctx.params, 'PathPrefix', 'pathPrefix') ?? '/';
  ctx.authorize(ANY_RESOURCE);
  const groups = ctx.store.state.groups
    .filter((g) => g.account === ctx.caller.account && (g.path ?? '/').startsWith(prefix))
    .sort(byName);
  const page = paginate(groups, ctx.params);
  return { Groups: page.items.map(groupSummary), ...pageFields(page) };
};

/** GetGroup: the group and its members, the members paginated. */
export const getGroup: Operation = (ctx) => {
  const group = authorizedGroup(ctx);
  const members = ctx.store
    .usersOf(ctx.caller.account)
    .filter((u) => (u.groups ?? []).some((g) => sameName(g, group.name)))
    .sort(byName);
  const page = paginate(members, ctx.params);
  return { Group: groupSummary(group), Users: page.items.map(userSummary), ...pageFields(page) };
};

/** AddUserToGroup: adding a member again changes nothing and succeeds, as in AWS. */
export const addUserToGroup: Operation = (ctx) => {
  const { group, user } = membership(ctx);
  const groups = user.groups ?? [];
  if (groups.some((g) => sameName(g, group.name))) return null;
  if (groups.length >= GROUPS_PER_USER) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for GroupsPerUser: ${GROUPS_PER_USER}`, 409);
  }
  user.groups = [...groups, group.name];
  storeChanged(ctx);
  return null;
};

/**
 * RemoveUserFromGroup. For a user who exists but is not a member AWS answers NoSuchEntity; its
 * exact wording for that case is unconfirmed, so the emulator sends the user-not-found message.
 */
export const removeUserFromGroup: Operation = (ctx) => {
  const { group, user } = membership(ctx);
  const groups = user.groups ?? [];
  if (!groups.some((g) => sameName(g, group.name))) throw noSuchUser(user.name);
  const remaining = groups.filter((g) => !sameName(g, group.name));
  if (remaining.length > 0) user.groups = remaining;
  else delete user.groups;
  storeChanged(ctx);
  return null;
};
