import type { CatalogService } from '../catalog/catalog-service.ts';
import type { ComplianceService } from '../compliance/compliance-service.ts';
import type { CustodyService } from '../custody/custody-service.ts';
import { findGroupDepartures } from './group-departures.ts';
import type { OffboardingResult, OffboardingService } from './offboarding-service.ts';

export interface DeparturesDeps {
  compliance: Pick<ComplianceService, 'latestScanUsers' | 'recentGroupMemberships'>;
  catalog: Pick<CatalogService, 'list'>;
  custody: Pick<CustodyService, 'list'>;
  offboarding: Pick<OffboardingService, 'offboard' | 'unfinished'>;
}

/**
 * Automatic offboarding, by 'system', of an enrolled user whom the latest complete scan
 * - no longer found in IAM (the IAM user was deleted), or
 * - found in none of the groups through which the catalog granted them a role, after an earlier
 *   scan found them in one (group-departures.ts says exactly when, and when never);
 * and unfinished offboardings (a crash, an AWS failure) are resumed. Never the optional steps
 * (other keys, MFA devices). Each scan's findings are acted on once per instance; acting again
 * (another instance, a restart) finds the same users already offboarded and changes nothing.
 */
export function createDepartures({ compliance, catalog, custody, offboarding }: DeparturesDeps) {
  let handledScan: string | null = null;
  return {
    async offboardDeparted(): Promise<OffboardingResult[]> {
      const results: OffboardingResult[] = [];
      for (const pending of await offboarding.unfinished())
        results.push(await offboarding.offboard(pending.userName, {}, { actor: 'system' }));
      const scan = await compliance.latestScanUsers();
      if (!scan || scan.scanId === handledScan) return results;
      const enrolled = await custody.list();
      const remaining: typeof enrolled = [];
      for (const user of enrolled) {
        // Only a scan that started after the enrollment can say the user is gone.
        if (user.enrolledAt.getTime() >= scan.startedAt.getTime() || scan.userNameKeys.has(user.userName.toLowerCase()))
          remaining.push(user);
        else
          results.push(
            await offboarding.offboard(user.userName, {}, { actor: 'system' }, { kind: 'iam_user_deleted' }),
          );
      }
      const [scans, roles] = await Promise.all([
        compliance.recentGroupMemberships(remaining.map((u) => u.userName)),
        catalog.list(),
      ]);
      // The scans are read after the deletions were acted on; a newer scan since is the next run's.
      if (scans[0]?.scanId === scan.scanId)
        for (const departure of findGroupDepartures({ scans, catalog: roles, enrolled: remaining }))
          results.push(
            await offboarding.offboard(
              departure.userName,
              {},
              { actor: 'system' },
              { kind: 'left_granting_groups', groupsLeft: departure.groupsLeft },
            ),
          );
      handledScan = scan.scanId;
      return results;
    },
  };
}
