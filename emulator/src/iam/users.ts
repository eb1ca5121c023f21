import { noSuchEntity } from '../protocol/aws-error.ts';
import type { Operation, OperationContext } from '../protocol/operation.ts';
import type { GroupSpec } from '../state/state-file.ts';
import { pageFields, paginate } from './pagination.ts';
import { createdAt, groupSummary, toDate, userDetail, userSummary } from './shapes.ts';
import { ANY_RESOURCE, authorizedUser } from './target.ts';
import { optionalChecked } from './validation.ts';

const byName = <T extends { name: string }>(a: T, b: T): number => a.name.localeCompare(b.name, 'en');

export const listUsers: Operation = (ctx) => {
  const prefix = optionalChecked(ctx.params, 'PathPrefix', 'pathPrefix') ?? '/';
  ctx.authorize(ANY_RESOURCE);
  const users = ctx.store
    .usersOf(ctx.caller.account)
    .filter((u) => (u.path ?? '/').startsWith(prefix))
    .sort(byName);
  const page = paginate(users, ctx.params);
  return { Users: page.items.map(userSummary), ...pageFields(page) };
};

export const getUser: Operation = (ctx) => ({ User: userDetail(authorizedUser(ctx, { defaultToCaller: true })) });

export const listGroupsForUser: Operation = (ctx) => {
  const user = authorizedUser(ctx, { defaultToCaller: false });
  const groups = (user.groups ?? [])
    .map((name) => ctx.store.findGroup(user.account, name))
    .filter((g): g is GroupSpec => g !== undefined);
  const page = paginate(groups, ctx.params);
  return { Groups: page.items.map(groupSummary), ...pageFields(page) };
};

export const listAttachedUserPolicies: Operation = (ctx) => {
  const prefix = optionalChecked(ctx.params, 'PathPrefix', 'pathPrefix') ?? '/';
  const user = authorizedUser(ctx, { defaultToCaller: false });
  const attached = (user.attachedPolicies ?? [])
    .map((arn) => ({ arn, ...splitPolicyArn(arn) }))
    .filter((p) => p.path.startsWith(prefix));
  const page = paginate(attached, ctx.params);
  return { AttachedPolicies: page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })), ...pageFields(page) };
};

export const listUserPolicies: Operation = (ctx) => {
  const user = authorizedUser(ctx, { defaultToCaller: false });
  const page = paginate(
    (user.inlinePolicies ?? []).map((p) => p.name),
    ctx.params,
  );
  return { PolicyNames: page.items, ...pageFields(page) };
};

export const getLoginProfile: Operation = (ctx) => {
  const user = authorizedUser(ctx, { defaultToCaller: true });
  if (!user.password?.enabled) throw noSuchEntity(`Login Profile for User ${user.name} cannot be found.`);
  return {
    LoginProfile: {
      UserName: user.name,
      CreateDate: toDate(user.password.lastChanged) ?? createdAt(user),
      PasswordResetRequired: false,
    },
  };
};

export const listAccountAliases: Operation = (ctx: OperationContext) => {
  ctx.authorize(ANY_RESOURCE);
  const alias = ctx.store.state.accounts.find((a) => a.id === ctx.caller.account)?.alias;
  const page = paginate(alias ? [alias] : [], ctx.params);
  return { AccountAliases: page.items, ...pageFields(page) };
};

/** `arn:aws:iam::<acct|aws>:policy<path><name>` -> path and name. */
export function splitPolicyArn(arn: string): { path: string; name: string } {
  const resource = arn.slice(arn.indexOf(':policy') + ':policy'.length);
  const slash = resource.lastIndexOf('/');
  return { path: resource.slice(0, slash + 1) || '/', name: resource.slice(slash + 1) };
}
