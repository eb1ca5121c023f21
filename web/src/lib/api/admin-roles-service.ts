import type {
  CatalogRole,
  CatalogRoleChanges,
  CatalogRoles,
  ImportableRoles,
  NewCatalogRole,
} from '../../../../server/src/routes/admin-schemas.ts';
import { apiRequest } from './client.ts';

/** The admin role catalog API (server/src/routes/admin-role-routes.ts). */

export type { CatalogRole, ImportableRole } from '../../../../server/src/routes/admin-schemas.ts';

/** A role's settings as the editor holds them: every field of a change, filled in. */
export type RoleInput = Required<CatalogRoleChanges>;

export type NewRole = RoleInput & Pick<NewCatalogRole, 'alias' | 'roleArn'>;

const base = '/api/v1/admin/roles';
const one = (alias: string) => `${base}/${encodeURIComponent(alias)}`;

export const listCatalogRoles = (): Promise<CatalogRoles> => apiRequest<CatalogRoles>(base);

export const listImportableRoles = (): Promise<ImportableRoles> => apiRequest<ImportableRoles>(`${base}/importable`);

export function addCatalogRole(role: NewRole): Promise<CatalogRole> {
  const json: NewCatalogRole = {
    alias: role.alias,
    roleArn: role.roleArn,
    groups: role.groups,
    users: role.users,
    maxDurationSeconds: role.maxDurationSeconds,
    ...(role.description ? { description: role.description } : {}),
    ...(role.externalId ? { externalId: role.externalId } : {}),
  };
  return apiRequest<CatalogRole>(base, { method: 'POST', json });
}

export const updateCatalogRole = (alias: string, changes: CatalogRoleChanges): Promise<CatalogRole> =>
  apiRequest<CatalogRole>(one(alias), { method: 'PATCH', json: changes });

export const removeCatalogRole = (alias: string): Promise<void> => apiRequest<void>(one(alias), { method: 'DELETE' });
