import type { CatalogRole, RoleInput } from '../api/admin-roles-service.ts';

/** Pure helpers for the role catalog's add and edit forms (unit-tested). */

/** The role form's fields as typed: names separated by commas, the duration in minutes. */
export interface RoleForm {
  alias: string;
  roleArn: string;
  groups: string;
  users: string;
  maxMinutes: number;
  description: string;
  externalId: string;
}

export const emptyRoleForm = (): RoleForm => ({
  alias: '',
  roleArn: '',
  groups: '',
  users: '',
  maxMinutes: 60,
  description: '',
  externalId: '',
});

export const formFromRole = (role: CatalogRole): RoleForm => ({
  alias: role.alias,
  roleArn: role.roleArn,
  groups: role.allowedGroups.join(', '),
  users: role.allowedUsers.join(', '),
  maxMinutes: Math.round(role.maxDurationSeconds / 60),
  description: role.description ?? '',
  externalId: role.externalId ?? '',
});

/** A catalog alias suggested from an IAM role name: lower case, words joined by dashes. */
export const aliasFor = (roleName: string): string =>
  roleName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);

const names = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter(Boolean);

export const inputFromForm = (form: RoleForm): RoleInput => ({
  groups: names(form.groups),
  users: names(form.users),
  maxDurationSeconds: Math.min(43200, Math.max(900, Math.round(form.maxMinutes * 60))),
  description: form.description.trim() || null,
  externalId: form.externalId.trim() || null,
});
