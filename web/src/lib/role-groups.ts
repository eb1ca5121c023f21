import type { PortalRole } from './api/me-service.ts';

export interface AccountGroup {
  accountId: string;
  accountAlias: string | null;
  roles: PortalRole[];
}

const lastUsed = (role: PortalRole): number => (role.lastUsedAt === null ? 0 : Date.parse(role.lastUsedAt) || 0);

/** Recently used first, then never-used ones by alias. */
export const byRecentUse = (a: PortalRole, b: PortalRole): number =>
  lastUsed(b) - lastUsed(a) || a.alias.localeCompare(b.alias);

export function matchesFilter(role: PortalRole, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [
    role.alias,
    role.roleName,
    role.roleArn,
    role.accountId,
    role.accountAlias ?? '',
    role.description ?? '',
  ]
    .join(' ')
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/**
 * Roles grouped by account; the account with the most recently used role comes first, and within
 * an account the roles are in order of recent use.
 */
export function groupRolesByAccount(roles: readonly PortalRole[], filter: string): AccountGroup[] {
  const groups = new Map<string, AccountGroup>();
  for (const role of [...roles].filter((r) => matchesFilter(r, filter)).sort(byRecentUse)) {
    let group = groups.get(role.accountId);
    if (group === undefined) {
      group = { accountId: role.accountId, accountAlias: role.accountAlias, roles: [] };
      groups.set(role.accountId, group);
    }
    group.roles.push(role);
  }
  return [...groups.values()];
}
