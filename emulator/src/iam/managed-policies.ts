import { AwsError, noSuchEntity, validationError } from '../protocol/aws-error.ts';
import type { Operation, OperationContext } from '../protocol/operation.ts';
import { randomUniqueId, stableUniqueId } from '../state/identity-ids.ts';
import { Problems } from '../state/state-checks.ts';
import type { GroupSpec, ManagedPolicySpec, PolicyDocument, RoleSpec, UserSpec } from '../state/state-file.ts';
import { checkPolicyDocument } from '../state/state-validator.ts';
import { groupArn, userArn } from '../state/store.ts';
import { noSuchGroup } from './groups.ts';
import { pageFields, paginate } from './pagination.ts';
import { createdAt, encodePolicyDocument, groupId, roleId, userId } from './shapes.ts';
import { noSuchUser, storeChanged } from './target.ts';
import { splitPolicyArn } from './users.ts';
import { check, enumValue, optionalChecked, requiredChecked } from './validation.ts';

/**
 * Customer-managed policies (IAM API reference: CreatePolicy, GetPolicy, GetPolicyVersion,
 * Attach/DetachUserPolicy, Attach/DetachGroupPolicy, ListEntitiesForPolicy). The emulator keeps
 * one version per policy (`v1`, the default): CreatePolicyVersion is not served.
 */

/** IAM quotas (defaults; AWS lets an account raise them to 20). */
export const POLICIES_PER_USER = 10;
export const POLICIES_PER_GROUP = 10;
/** Managed policy size, not counting whitespace (IAM and STS quotas). */
export const MANAGED_POLICY_SIZE = 6144;

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const VERSION_ID = /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/;
const ENTITY_FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;
const USAGE_FILTERS = ['PermissionsPolicy', 'PermissionsBoundary'] as const;

const sameArn = (a: string) => (b: string) => a === b;

function policyArnParam(ctx: OperationContext): string {
  const arn = requiredChecked(ctx.params, 'PolicyArn', 'arn');
  if (!/^arn:aws:iam::(\d{12}|aws):policy\//.test(arn)) throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`);
  return arn;
}

const noSuchPolicy = (arn: string): AwsError => noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);

/** The policy an operation reads: authorizes `iam:<Action>` on its ARN first, like AWS. */
function authorizedPolicy(ctx: OperationContext): ManagedPolicySpec {
  const arn = policyArnParam(ctx);
  ctx.authorize(arn);
  const policy = ctx.store.findManagedPolicy(arn);
  if (!policy) throw noSuchPolicy(arn);
  return policy;
}

interface Attachments {
  users: UserSpec[];
  groups: GroupSpec[];
  roles: RoleSpec[];
}

function attachmentsOf(ctx: OperationContext, arn: string): Attachments {
  const has = (list: string[] | undefined) => (list ?? []).some(sameArn(arn));
  const account = ctx.caller.account;
  return {
    users: ctx.store.state.users.filter((u) => u.account === account && has(u.attachedPolicies)),
    groups: ctx.store.state.groups.filter((g) => g.account === account && has(g.attachedPolicies)),
    roles: ctx.store.state.roles.filter((r) => r.account === account && has(r.attachedPolicies)),
  };
}

/** Users and roles of the caller's account whose permissions boundary the policy is. */
function boundaryHolders(ctx: OperationContext, arn: string): { users: UserSpec[]; roles: RoleSpec[] } {
  const uses = (e: { account: string; permissionsBoundary?: string }) =>
    e.account === ctx.caller.account && e.permissionsBoundary === arn;
  return { users: ctx.store.state.users.filter(uses), roles: ctx.store.state.roles.filter(uses) };
}

const boundaryCount = (ctx: OperationContext, arn: string): number => {
  const { users, roles } = boundaryHolders(ctx, arn);
  return users.length + roles.length;
};

function policyShape(ctx: OperationContext, policy: ManagedPolicySpec, withDescription: boolean) {
  const { path, name } = splitPolicyArn(policy.arn);
  const owner = policy.arn.split(':')[4] ?? '';
  const attached = attachmentsOf(ctx, policy.arn);
  const created = createdAt(policy);
  return {
    PolicyName: name,
    PolicyId: policy.id ?? stableUniqueId('ANPA', owner, policy.arn),
    Arn: policy.arn,
    Path: path,
    DefaultVersionId: 'v1',
    AttachmentCount: attached.users.length + attached.groups.length + attached.roles.length,
    PermissionsBoundaryUsageCount: boundaryCount(ctx, policy.arn),
    IsAttachable: true,
    Description: withDescription ? policy.description : undefined,
    CreateDate: created,
    UpdateDate: created,
  };
}

/** Parses and checks a policy document like IAM: JSON, the grammar's shape, the size quota. */
function policyDocument(text: string): PolicyDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AwsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  const problems = new Problems();
  checkPolicyDocument(problems, parsed, 'PolicyDocument');
  if (problems.list.length > 0) throw new AwsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  if (text.replace(/\s/g, '').length > MANAGED_POLICY_SIZE)
    throw new AwsError('LimitExceeded', `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_SIZE}`, 409);
  return parsed as PolicyDocument;
}

export const createPolicy: Operation = (ctx) => {
  const name = ctx.params.required('PolicyName');
  if (!POLICY_NAME.test(name)) check(name, 'groupName', 'policyName');
  const path = optionalChecked(ctx.params, 'Path', 'path') ?? '/';
  const text = ctx.params.required('PolicyDocument');
  if (text.length > 131072)
    throw new AwsError(
      'ValidationError',
      "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to 131072",
    );
  const description = ctx.params.string('Description');
  if (description !== undefined && description.length > 1000)
    throw new AwsError(
      'ValidationError',
      "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000",
    );
  const arn = `arn:aws:iam::${ctx.caller.account}:policy${path}${name}`;
  ctx.authorize(arn);
  const document = policyDocument(text);
  // Policy names are unique per account whatever their path, case-insensitively.
  const taken = ctx.store.state.policies.some(
    (p) =>
      p.arn.startsWith(`arn:aws:iam::${ctx.caller.account}:policy/`) &&
      splitPolicyArn(p.arn).name.toLowerCase() === name.toLowerCase(),
  );
  if (taken)
    throw new AwsError(
      'EntityAlreadyExists',
      `A policy called ${name} already exists. Duplicate names are not allowed.`,
      409,
    );
  const policy: ManagedPolicySpec = {
    arn,
    document,
    id: randomUniqueId('ANPA'),
    created: ctx.now.toISOString(),
    ...(description ? { description } : {}),
  };
  ctx.store.state.policies.push(policy);
  storeChanged(ctx);
  return { Policy: policyShape(ctx, policy, false) };
};

export const getPolicy: Operation = (ctx) => ({ Policy: policyShape(ctx, authorizedPolicy(ctx), true) });

export const getPolicyVersion: Operation = (ctx) => {
  const arn = policyArnParam(ctx);
  const versionId = ctx.params.required('VersionId');
  if (!VERSION_ID.test(versionId))
    throw validationError(
      versionId,
      'versionId',
      'Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?',
    );
  ctx.authorize(arn);
  const policy = ctx.store.findManagedPolicy(arn);
  if (!policy) throw noSuchPolicy(arn);
  if (versionId !== 'v1') throw noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
  return {
    PolicyVersion: {
      Document: encodePolicyDocument(policy.document),
      VersionId: 'v1',
      IsDefaultVersion: true,
      CreateDate: createdAt(policy),
    },
  };
};

/** The target's attached list changed by `change`; authorizes on the target with iam:PolicyARN. */
function attachTo(
  ctx: OperationContext,
  target: { attachedPolicies?: string[] },
  quota: { name: string; max: number },
  mode: 'attach' | 'detach',
): null {
  const arn = policyArnParam(ctx);
  if (!ctx.store.findManagedPolicy(arn)) throw noSuchPolicy(arn);
  const list = target.attachedPolicies ?? [];
  if (mode === 'attach') {
    if (list.some(sameArn(arn))) return null; // attaching again changes nothing, as in AWS
    if (list.length >= quota.max)
      throw new AwsError('LimitExceeded', `Cannot exceed quota for ${quota.name}: ${quota.max}`, 409);
    target.attachedPolicies = [...list, arn];
  } else {
    if (!list.some(sameArn(arn))) throw noSuchEntity(`Policy ${arn} was not found.`);
    const remaining = list.filter((a) => a !== arn);
    if (remaining.length > 0) target.attachedPolicies = remaining;
    else delete target.attachedPolicies;
  }
  storeChanged(ctx);
  return null;
}

function policyKeys(ctx: OperationContext): Record<string, string> {
  return { 'iam:policyarn': ctx.params.string('PolicyArn') ?? '' };
}

function userTarget(ctx: OperationContext): UserSpec {
  const name = requiredChecked(ctx.params, 'UserName', 'userName');
  policyArnParam(ctx);
  const user = ctx.store.findUser(ctx.caller.account, name);
  ctx.authorize(user ? userArn(user) : `arn:aws:iam::${ctx.caller.account}:user/${name}`, policyKeys(ctx));
  if (!user) throw noSuchUser(name);
  return user;
}

function groupTarget(ctx: OperationContext): GroupSpec {
  const name = requiredChecked(ctx.params, 'GroupName', 'groupName');
  policyArnParam(ctx);
  const group = ctx.store.findGroup(ctx.caller.account, name);
  ctx.authorize(group ? groupArn(group) : `arn:aws:iam::${ctx.caller.account}:group/${name}`, policyKeys(ctx));
  if (!group) throw noSuchGroup(name);
  return group;
}

const USER_QUOTA = { name: 'PoliciesPerUser', max: POLICIES_PER_USER };
const GROUP_QUOTA = { name: 'PoliciesPerGroup', max: POLICIES_PER_GROUP };

export const attachUserPolicy: Operation = (ctx) => attachTo(ctx, userTarget(ctx), USER_QUOTA, 'attach');
export const detachUserPolicy: Operation = (ctx) => attachTo(ctx, userTarget(ctx), USER_QUOTA, 'detach');
export const attachGroupPolicy: Operation = (ctx) => attachTo(ctx, groupTarget(ctx), GROUP_QUOTA, 'attach');
export const detachGroupPolicy: Operation = (ctx) => attachTo(ctx, groupTarget(ctx), GROUP_QUOTA, 'detach');

/**
 * ListEntitiesForPolicy: groups, users and roles the policy is attached to or is the permissions
 * boundary of, paged together (groups, then users, then roles, each by name). `PolicyUsageFilter`
 * keeps one of the two uses; without it both are listed, an entity once.
 */
export const listEntitiesForPolicy: Operation = (ctx) => {
  const policy = authorizedPolicy(ctx);
  const filter = enumValue(ctx.params, 'EntityFilter', ENTITY_FILTERS);
  const usage = enumValue(ctx.params, 'PolicyUsageFilter', USAGE_FILTERS);
  const prefix = optionalChecked(ctx.params, 'PathPrefix', 'pathPrefix') ?? '/';
  const attached = attachmentsOf(ctx, policy.arn);
  const asPolicy = usage !== 'PermissionsBoundary';
  const asBoundary = usage !== 'PermissionsPolicy';
  const bounded = asBoundary ? boundaryHolders(ctx, policy.arn) : { users: [], roles: [] };
  const users = [...new Set([...(asPolicy ? attached.users : []), ...bounded.users])];
  const roles = [...new Set([...(asPolicy ? attached.roles : []), ...bounded.roles])];
  const byName = <T extends { name: string }>(list: T[]) =>
    list
      .filter((e) => ((e as { path?: string }).path ?? '/').startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  const wants = (kind: 'Group' | 'User' | 'Role') => filter === undefined || filter === kind;
  type Entry = { kind: 'group' | 'user' | 'role'; name: string; id: string };
  const entries: Entry[] = [
    ...(wants('Group') && asPolicy
      ? byName(attached.groups).map((g) => ({ kind: 'group' as const, name: g.name, id: groupId(g) }))
      : []),
    ...(wants('User') ? byName(users).map((u) => ({ kind: 'user' as const, name: u.name, id: userId(u) })) : []),
    ...(wants('Role')
      ? byName(roles).map((r) => ({
          kind: 'role' as const,
          name: r.name,
          id: roleId(r),
        }))
      : []),
  ];
  const page = paginate(entries, ctx.params);
  const of = (kind: Entry['kind']) => page.items.filter((e) => e.kind === kind);
  return {
    PolicyGroups: of('group').map((e) => ({ GroupName: e.name, GroupId: e.id })),
    PolicyUsers: of('user').map((e) => ({ UserName: e.name, UserId: e.id })),
    PolicyRoles: of('role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
    ...pageFields(page),
  };
};

/**
 * DeletePolicy: only a customer managed policy of the caller's account, attached to nothing and
 * the permissions boundary of no one. AWS refuses both cases with one DeleteConflict (a policy
 * used only as a boundary cannot be detached with Detach*Policy either:
 * Delete{User,Role}PermissionsBoundary frees it). The emulator keeps no non-default versions, so
 * none block the delete.
 */
export const deletePolicy: Operation = (ctx) => {
  const policy = authorizedPolicy(ctx);
  const owner = policy.arn.split(':')[4];
  // AWS managed policies belong to AWS, not to the account. (AWS's exact answer is unconfirmed.)
  if (owner === 'aws')
    throw new AwsError('InvalidInput', `ARN ${policy.arn} is not valid: AWS managed policies cannot be deleted.`);
  if (owner !== ctx.caller.account) throw noSuchPolicy(policy.arn);
  const attached = attachmentsOf(ctx, policy.arn);
  const inUse = attached.users.length + attached.groups.length + attached.roles.length + boundaryCount(ctx, policy.arn);
  if (inUse > 0) throw new AwsError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
  ctx.store.state.policies.splice(ctx.store.state.policies.indexOf(policy), 1);
  storeChanged(ctx);
  return null;
};
