import { noSuchEntity } from '../protocol/aws-error.ts';
import type { Operation } from '../protocol/operation.ts';
import { roleArn } from '../state/store.ts';
import { pageFields, paginate } from './pagination.ts';
import { roleDetail, roleSummary } from './shapes.ts';
import { ANY_RESOURCE } from './target.ts';
import { optionalChecked, requiredChecked } from './validation.ts';

export const getRole: Operation = (ctx) => {
  const name = requiredChecked(ctx.params, 'RoleName', 'roleName');
  const role = ctx.store.findRole(ctx.caller.account, name);
  ctx.authorize(role ? roleArn(role) : `arn:aws:iam::${ctx.caller.account}:role/${name}`);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return { Role: roleDetail(role) };
};

export const listRoles: Operation = (ctx) => {
  const prefix = optionalChecked(ctx.params, 'PathPrefix', 'pathPrefix') ?? '/';
  ctx.authorize(ANY_RESOURCE);
  const roles = ctx.store.state.roles
    .filter((r) => r.account === ctx.caller.account && (r.path ?? '/').startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  const page = paginate(roles, ctx.params);
  return { Roles: page.items.map(roleSummary), ...pageFields(page) };
};
