import type { XmlObject } from '../protocol/xml.ts';
import { stableUniqueId } from '../state/identity-ids.ts';
import type { GroupSpec, RoleSpec, UserSpec } from '../state/state-file.ts';
import { groupArn, roleArn, userArn } from '../state/store.ts';
import { attachedBoundary } from './permissions-boundaries.ts';

/**
 * Creation time used when the state file gives none: a fixed instant, so responses and the
 * credential report stay deterministic for a given state file.
 */
export const DEFAULT_CREATED = '2026-01-01T00:00:00Z';

export const userId = (user: UserSpec): string => user.id ?? stableUniqueId('AIDA', user.account, user.name);
export const roleId = (role: RoleSpec): string => role.id ?? stableUniqueId('AROA', role.account, role.name);
export const groupId = (group: GroupSpec): string => stableUniqueId('AGPA', group.account, group.name);

export const toDate = (iso: string | null | undefined): Date | undefined => (iso ? new Date(iso) : undefined);
export const createdAt = (entity: { created?: string }): Date => new Date(entity.created ?? DEFAULT_CREATED);

/** The `User` structure as ListUsers returns it (no Tags, no PermissionsBoundary). */
export function userSummary(user: UserSpec): XmlObject {
  return {
    Path: user.path ?? '/',
    UserName: user.name,
    UserId: userId(user),
    Arn: userArn(user),
    CreateDate: createdAt(user),
    PasswordLastUsed: user.password?.enabled ? toDate(user.password.lastUsed) : undefined,
  };
}

/** The full `User` structure of GetUser (and CreateUser): with its boundary and Tags when it has them. */
export function userDetail(user: UserSpec): XmlObject {
  return {
    ...userSummary(user),
    PermissionsBoundary: attachedBoundary(user),
    Tags: user.tags?.length ? user.tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined,
  };
}

/** A trust policy as IAM returns it: URL-encoded JSON text. */
export const encodePolicyDocument = (document: unknown): string => encodeURIComponent(JSON.stringify(document));

/** The `Role` structure of ListRoles (no Tags, PermissionsBoundary or RoleLastUsed). */
export function roleSummary(role: RoleSpec): XmlObject {
  return {
    Path: role.path ?? '/',
    RoleName: role.name,
    RoleId: roleId(role),
    Arn: roleArn(role),
    CreateDate: createdAt(role),
    AssumeRolePolicyDocument: encodePolicyDocument(role.trustPolicy),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration ?? 3600,
  };
}

/** The full `Role` structure of GetRole. The state file does not track role use: RoleLastUsed is empty. */
export function roleDetail(role: RoleSpec): XmlObject {
  return {
    ...roleSummary(role),
    PermissionsBoundary: attachedBoundary(role),
    Tags: role.tags?.length ? role.tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined,
    RoleLastUsed: {},
  };
}

export function groupSummary(group: GroupSpec): XmlObject {
  return {
    Path: group.path ?? '/',
    GroupName: group.name,
    GroupId: groupId(group),
    Arn: groupArn(group),
    CreateDate: new Date(DEFAULT_CREATED),
  };
}
