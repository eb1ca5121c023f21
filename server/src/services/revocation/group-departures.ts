import type { CatalogRole } from '../catalog/catalog-repository.ts';
import { ALL_USERS } from '../catalog/catalog-service.ts';
import type { ScanGroupMemberships } from '../compliance/compliance-service.ts';

/** An enrolled user whom the scans saw leave every IAM group through which the catalog granted them a role. */
export interface GroupDeparture {
  userName: string;
  /** The granting groups the user was a member of at the last scan that saw them in one (as IAM spells them). */
  groupsLeft: string[];
}

export interface GroupDepartureInput {
  /** Complete scans of one account, newest first (ComplianceService.recentGroupMemberships). */
  scans: ScanGroupMemberships[];
  catalog: Array<Pick<CatalogRole, 'allowedGroups' | 'allowedUsers'>>;
  enrolled: Array<{ userName: string; enrolledAt: Date }>;
}

/**
 * Who left the groups that gave them their roles. A user departs when the newest scan still lists
 * them as an IAM user but in none of the groups the catalog grants a role to, an earlier scan had
 * them in at least one, and every scan in between also had them in none (so two scans that finished
 * between two checks still count). Never a user whom the catalog still grants a role another way:
 * by name, or through a '*' role (every enrolled user), where losing a group is a change of roles,
 * not a departure. Never on missing data: a scan that did not list the user, or stored no groups
 * for them, ends the search without a departure. Enrolled after the first scan that saw them out
 * (the portal was asked to hold their key again since): not a departure either.
 */
export function findGroupDepartures({ scans, catalog, enrolled }: GroupDepartureInput): GroupDeparture[] {
  const [latest, ...earlier] = scans;
  if (!latest || earlier.length === 0) return [];
  if (catalog.some((role) => role.allowedUsers.includes(ALL_USERS))) return [];
  const granting = new Set(catalog.flatMap((role) => role.allowedGroups.map((g) => g.toLowerCase())));
  if (granting.size === 0) return [];
  const namedUsers = new Set(catalog.flatMap((role) => role.allowedUsers.map((u) => u.toLowerCase())));
  const grantingOf = (groups: string[]) => groups.filter((g) => granting.has(g.toLowerCase()));

  const departures: GroupDeparture[] = [];
  for (const user of enrolled) {
    const key = user.userName.toLowerCase();
    if (namedUsers.has(key)) continue;
    const now = latest.groupsByUser.get(key);
    if (!now || grantingOf(now).length > 0) continue;
    let firstOut = latest;
    for (const scan of earlier) {
      const groups = scan.groupsByUser.get(key);
      if (!groups) break;
      const left = grantingOf(groups);
      if (left.length > 0) {
        if (user.enrolledAt.getTime() < firstOut.startedAt.getTime())
          departures.push({ userName: user.userName, groupsLeft: left });
        break;
      }
      firstOut = scan;
    }
  }
  return departures;
}
