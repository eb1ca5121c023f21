import type { DbClient } from '../../db/prisma-types.ts';
import type { ComplianceRepository, ComplianceUserRow } from './compliance-repository.ts';
import type { SnapshotRowChange } from './compliance-types.ts';

export interface SnapshotUpdateDeps {
  repository: Pick<
    ComplianceRepository,
    'latest' | 'findUser' | 'updateUser' | 'lockScan' | 'summarize' | 'setSummary'
  >;
}

/**
 * Keeps the latest compliance snapshot true between scans: enrollment, unenrollment and MFA
 * setup change the user's row and the snapshot's figures in the caller's transaction, the one
 * that makes the change and writes its audit row. Other areas call these instead of touching
 * the compliance tables.
 */
export function createSnapshotUpdates({ repository }: SnapshotUpdateDeps) {
  async function update(
    db: DbClient,
    userName: string,
    change: (row: ComplianceUserRow) => SnapshotRowChange | null,
  ): Promise<void> {
    const scan = await repository.latest(db, 'complete');
    if (!scan) return;
    // Taken first, so concurrent changes recount one after the other (PostgreSQL would
    // otherwise let two transactions each count without the other's row).
    await repository.lockScan(db, scan.id);
    const row = await repository.findUser(db, scan.id, userName);
    const data = row ? change(row) : null;
    if (!row || !data) return;
    await repository.updateUser(db, row.id, data);
    await repository.setSummary(db, scan.id, await repository.summarize(db, scan.id, scan.summary?.rootMfa ?? null));
  }

  return {
    /** A setup link completed: the user now has one more virtual MFA device. */
    recordVirtualMfaEnabled: (db: DbClient, userName: string): Promise<void> =>
      update(db, userName, (row) => ({
        mfaActive: true,
        mfaDeviceCount: row.mfaDeviceCount + 1,
        virtualMfaCount: row.virtualMfaCount + 1,
      })),

    /** The portal now holds (or no longer holds) a key for the user. */
    recordEnrolled: (db: DbClient, userName: string, enrolled: boolean): Promise<void> =>
      update(db, userName, (row) => (row.enrolled === enrolled ? null : { enrolled })),
  };
}

export type SnapshotUpdates = ReturnType<typeof createSnapshotUpdates>;
