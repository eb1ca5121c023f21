import { validationError } from '../protocol/aws-error.ts';
import type { Operation } from '../protocol/operation.ts';
import type { XmlObject } from '../protocol/xml.ts';
import type { GroupSpec, InlinePolicySpec, ManagedPolicySpec, RoleSpec, UserSpec } from '../state/state-file.ts';
import type { Store } from '../state/store.ts';
import { roleArn, userArn } from '../state/store.ts';
import { pageFields, paginate } from './pagination.ts';
import { attachedBoundary, boundaryUsageCounts } from './permissions-boundaries.ts';
import { createdAt, DEFAULT_CREATED, encodePolicyDocument, groupSummary, roleId, userId } from './shapes.ts';
import { ANY_RESOURCE } from './target.ts';
import { splitPolicyArn } from './users.ts';

/** `EntityType` values GetAccountAuthorizationDetails filters by (the IAM API model's enum). */
export const ENTITY_FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;
type EntityFilter = (typeof ENTITY_FILTERS)[number];

type Entity =
  | { kind: 'User'; user: UserSpec }
  | { kind: 'Group'; group: GroupSpec }
  | { kind: 'Role'; role: RoleSpec }
  | { kind: 'Policy'; policy: ManagedPolicySpec };

const AWS_MANAGED = 'arn:aws:iam::aws:policy/';

const inlineList = (policies: InlinePolicySpec[] | undefined) =>
  (policies ?? []).map((p) => ({ PolicyName: p.name, PolicyDocument: encodePolicyDocument(p.document) }));

const attachedList = (arns: string[] | undefined) =>
  (arns ?? []).map((arn) => ({ PolicyName: splitPolicyArn(arn).name, PolicyArn: arn }));

const tags = (list: Array<{ Key: string; Value: string }> | undefined) =>
  list?.length ? list.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined;

function userDetail(user: UserSpec): XmlObject {
  return {
    Path: user.path ?? '/',
    UserName: user.name,
    UserId: userId(user),
    Arn: userArn(user),
    CreateDate: createdAt(user),
    UserPolicyList: inlineList(user.inlinePolicies),
    GroupList: [...(user.groups ?? [])],
    AttachedManagedPolicies: attachedList(user.attachedPolicies),
    PermissionsBoundary: attachedBoundary(user),
    Tags: tags(user.tags),
  };
}

function groupDetail(group: GroupSpec): XmlObject {
  return {
    ...groupSummary(group),
    GroupPolicyList: inlineList(group.inlinePolicies),
    AttachedManagedPolicies: attachedList(group.attachedPolicies),
  };
}

function roleDetail(role: RoleSpec): XmlObject {
  return {
    Path: role.path ?? '/',
    RoleName: role.name,
    RoleId: roleId(role),
    Arn: roleArn(role),
    CreateDate: createdAt(role),
    AssumeRolePolicyDocument: encodePolicyDocument(role.trustPolicy),
    InstanceProfileList: [],
    RolePolicyList: inlineList(role.inlinePolicies),
    AttachedManagedPolicies: attachedList(role.attachedPolicies),
    PermissionsBoundary: attachedBoundary(role),
    Tags: tags(role.tags),
    RoleLastUsed: {},
  };
}

/** The state keeps one document per managed policy: version v1, the default. */
function policyDetail(policy: ManagedPolicySpec, usage: PolicyUsage): XmlObject {
  const { path, name } = splitPolicyArn(policy.arn);
  const created = new Date(DEFAULT_CREATED);
  return {
    PolicyName: name,
    PolicyId: `ANPA${Buffer.from(policy.arn).toString('hex').slice(-17).toUpperCase().padStart(17, '0')}`,
    Arn: policy.arn,
    Path: path,
    DefaultVersionId: 'v1',
    AttachmentCount: usage.attachments.get(policy.arn) ?? 0,
    PermissionsBoundaryUsageCount: usage.boundaries.get(policy.arn) ?? 0,
    IsAttachable: true,
    Description: policy.description,
    CreateDate: created,
    UpdateDate: created,
    PolicyVersionList: [
      { Document: encodePolicyDocument(policy.document), VersionId: 'v1', IsDefaultVersion: true, CreateDate: created },
    ],
  };
}

interface PolicyUsage {
  /** Users, groups and roles attaching each policy (AttachmentCount). */
  attachments: Map<string, number>;
  /** Users and roles using it as their permissions boundary (PermissionsBoundaryUsageCount). */
  boundaries: Map<string, number>;
}

/** How many users, groups and roles of the account attach each managed policy. */
function attachmentCounts(store: Store, account: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (arns: string[] | undefined) => {
    for (const arn of arns ?? []) counts.set(arn, (counts.get(arn) ?? 0) + 1);
  };
  for (const user of store.state.users) if (user.account === account) add(user.attachedPolicies);
  for (const group of store.state.groups) if (group.account === account) add(group.attachedPolicies);
  for (const role of store.state.roles) if (role.account === account) add(role.attachedPolicies);
  return counts;
}

function parseFilter(values: string[]): Set<EntityFilter> {
  values.forEach((value, i) => {
    if (!(ENTITY_FILTERS as readonly string[]).includes(value))
      throw validationError(
        value,
        `filter.${i + 1}.member`,
        `Member must satisfy enum value set: [${ENTITY_FILTERS.join(', ')}]`,
      );
  });
  return new Set((values.length > 0 ? values : ENTITY_FILTERS) as EntityFilter[]);
}

/**
 * GetAccountAuthorizationDetails: users (with groups, inline and attached policies, boundary),
 * groups, roles (likewise) and managed policies (with their versions) of the caller's account, in
 * that order.
 * `MaxItems` counts entities of every kind together and `Marker` continues across kinds, so a
 * page may end in the users and the next start there. AWS managed policies are listed when some
 * entity of the account attaches them or uses them as a boundary (AWS's exact selection is
 * unconfirmed).
 */
export const getAccountAuthorizationDetails: Operation = (ctx) => {
  const wanted = parseFilter(ctx.params.list('Filter'));
  ctx.authorize(ANY_RESOURCE);
  const account = ctx.caller.account;
  const { state } = ctx.store;
  const entities: Entity[] = [];
  if (wanted.has('User'))
    for (const user of state.users) if (user.account === account) entities.push({ kind: 'User', user });
  if (wanted.has('Group'))
    for (const group of state.groups) if (group.account === account) entities.push({ kind: 'Group', group });
  if (wanted.has('Role'))
    for (const role of state.roles) if (role.account === account) entities.push({ kind: 'Role', role });
  const usage: PolicyUsage | null =
    wanted.has('LocalManagedPolicy') || wanted.has('AWSManagedPolicy')
      ? {
          attachments: attachmentCounts(ctx.store, account),
          boundaries: boundaryUsageCounts([...state.users, ...state.roles], account),
        }
      : null;
  if (usage) {
    for (const policy of state.policies) {
      const awsManaged = policy.arn.startsWith(AWS_MANAGED);
      const used = usage.attachments.has(policy.arn) || usage.boundaries.has(policy.arn);
      const include = awsManaged
        ? wanted.has('AWSManagedPolicy') && used
        : wanted.has('LocalManagedPolicy') && policy.arn.split(':')[4] === account;
      if (include) entities.push({ kind: 'Policy', policy });
    }
  }
  const page = paginate(entities, ctx.params);
  const users: XmlObject[] = [];
  const groups: XmlObject[] = [];
  const roles: XmlObject[] = [];
  const policies: XmlObject[] = [];
  for (const entity of page.items) {
    if (entity.kind === 'User') users.push(userDetail(entity.user));
    else if (entity.kind === 'Group') groups.push(groupDetail(entity.group));
    else if (entity.kind === 'Role') roles.push(roleDetail(entity.role));
    else if (usage) policies.push(policyDetail(entity.policy, usage));
  }
  return {
    UserDetailList: users,
    GroupDetailList: groups,
    RoleDetailList: roles,
    Policies: policies,
    ...pageFields(page),
  };
};
