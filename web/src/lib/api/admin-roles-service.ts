import { apiRequest } from './client.ts';

/** The admin role catalog API (server/src/routes/admin-role-routes.ts). */

export interface CatalogRole {
  alias: string;
  roleArn: string;
  accountId: string;
  roleName: string;
  description: string | null;
  maxDurationSeconds: number;
  mfaMaxAgeSeconds: number | null;
  externalId: string | null;
  allowedGroups: string[];
  allowedUsers: string[];
  /** null: the role is in another account and its trust policy could not be read. */
  trustRequiresMfa: boolean | null;
  warning: 'trust_does_not_require_mfa' | 'trust_not_readable' | null;
}

export interface ImportableRole {
  roleArn: string;
  roleName: string;
  description: string | null;
  maxSessionDuration: number;
  trustRequiresMfa: boolean;
  mfaMaxAgeSeconds: number | null;
  catalogAliases: string[];
}

export interface RoleInput {
  groups: string[];
  users: string[];
  maxDurationSeconds: number;
  description: string | null;
  externalId: string | null;
}

export interface NewRole extends RoleInput {
  alias: string;
  roleArn: string;
}

const base = '/api/v1/admin/roles';
const one = (alias: string) => `${base}/${encodeURIComponent(alias)}`;

export const listCatalogRoles = (): Promise<{ roles: CatalogRole[] }> => apiRequest(base);

export const listImportableRoles = (): Promise<{ roles: ImportableRole[] }> => apiRequest(`${base}/importable`);

export const addCatalogRole = (role: NewRole): Promise<CatalogRole> =>
  apiRequest<CatalogRole>(base, {
    method: 'POST',
    json: {
      alias: role.alias,
      roleArn: role.roleArn,
      groups: role.groups,
      users: role.users,
      maxDurationSeconds: role.maxDurationSeconds,
      ...(role.description ? { description: role.description } : {}),
      ...(role.externalId ? { externalId: role.externalId } : {}),
    },
  });

export const updateCatalogRole = (alias: string, changes: RoleInput): Promise<CatalogRole> =>
  apiRequest<CatalogRole>(one(alias), { method: 'PATCH', json: changes });

export const removeCatalogRole = (alias: string): Promise<void> => apiRequest<void>(one(alias), { method: 'DELETE' });
