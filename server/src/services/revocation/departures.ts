import type { ComplianceService } from '../compliance/compliance-service.ts';
import type { CustodyService } from '../custody/custody-service.ts';
import type { OffboardingResult, OffboardingService } from './offboarding-service.ts';

export interface DeparturesDeps {
  compliance: Pick<ComplianceService, 'latestScanUsers'>;
  custody: Pick<CustodyService, 'list'>;
  offboarding: Pick<OffboardingService, 'offboard' | 'unfinished'>;
}

/**
 * Automatic offboarding: an enrolled user whom the latest complete scan no longer found in IAM
 * (the IAM user was deleted) is offboarded by 'system'; unfinished offboardings (a crash, an AWS
 * failure) are resumed. Each scan's findings are acted on once per instance.
 */
export function createDepartures({ compliance, custody, offboarding }: DeparturesDeps) {
  let handledScan: string | null = null;
  return {
    async offboardDeparted(): Promise<OffboardingResult[]> {
      const results: OffboardingResult[] = [];
      for (const pending of await offboarding.unfinished())
        results.push(await offboarding.offboard(pending.userName, {}, { actor: 'system' }));
      const scan = await compliance.latestScanUsers();
      if (!scan || scan.scanId === handledScan) return results;
      for (const user of await custody.list()) {
        // Only a scan that started after the enrollment can say the user is gone.
        if (user.enrolledAt.getTime() >= scan.startedAt.getTime()) continue;
        if (scan.userNameKeys.has(user.userName.toLowerCase())) continue;
        results.push(await offboarding.offboard(user.userName, {}, { actor: 'system' }));
      }
      handledScan = scan.scanId;
      return results;
    },
  };
}
