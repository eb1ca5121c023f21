import { randomUUID } from 'node:crypto';
import type { DatabaseProvider } from '../../db/database-url.ts';
import { insertRows } from '../../db/multi-row-insert.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import type { CisCheckId } from './cis-checks.ts';

const BATCH = 500;
const FINDING_COLUMNS = [
  'id',
  'check',
  'subject',
  'userName',
  'firstScanId',
  'firstSeenAt',
  'lastScanId',
  'exempt',
] as const;

export type CisFindingRow = Awaited<ReturnType<PrismaClient['cisFinding']['findFirstOrThrow']>>;
export type ExemptionRow = Awaited<ReturnType<PrismaClient['complianceExemption']['findFirstOrThrow']>>;

export interface NewFinding {
  check: CisCheckId;
  subject: string;
  userName: string;
  exempt: boolean;
}

/** Data access for CIS findings and exemptions. Methods that take `db` may run in a transaction. */
export function createCisRepository({ provider }: { provider: DatabaseProvider }) {
  return {
    async openFindings(db: DbClient): Promise<Array<Pick<CisFindingRow, 'id' | 'check' | 'subject' | 'exempt'>>> {
      return db.cisFinding.findMany({ select: { id: true, check: true, subject: true, exempt: true } });
    },

    /** A scan's new findings, with multi-row INSERTs (db/multi-row-insert.ts says why). */
    async addFindings(db: DbClient, scan: { id: string; at: Date }, findings: NewFinding[]): Promise<void> {
      const rows = findings.map((f) => ({
        ...f,
        id: randomUUID(),
        firstScanId: scan.id,
        firstSeenAt: scan.at,
        lastScanId: scan.id,
      }));
      await insertRows(db, provider, 'CisFinding', FINDING_COLUMNS, rows);
    },

    async markSeen(db: DbClient, scanId: string, ids: string[], exempt: boolean): Promise<void> {
      for (let i = 0; i < ids.length; i += BATCH) {
        await db.cisFinding.updateMany({
          where: { id: { in: ids.slice(i, i + BATCH) } },
          data: { lastScanId: scanId, exempt },
        });
      }
    },

    async removeFindings(db: DbClient, ids: string[]): Promise<void> {
      for (let i = 0; i < ids.length; i += BATCH) {
        await db.cisFinding.deleteMany({ where: { id: { in: ids.slice(i, i + BATCH) } } });
      }
    },

    async removeFinding(db: DbClient, check: CisCheckId, subject: string): Promise<void> {
      await db.cisFinding.deleteMany({ where: { check, subject } });
    },

    /** Per check: failing (not exempt) and exempt counts, and the earliest "since" of each. */
    async counts(db: DbClient): Promise<Array<{ check: string; exempt: boolean; count: number; since: Date | null }>> {
      const rows = await db.cisFinding.groupBy({
        by: ['check', 'exempt'],
        _count: { _all: true },
        _min: { firstSeenAt: true },
      });
      return rows.map((r) => ({ check: r.check, exempt: r.exempt, count: r._count._all, since: r._min.firstSeenAt }));
    },

    async pageFindings(
      db: DbClient,
      check: CisCheckId,
      after: string | undefined,
      limit: number,
    ): Promise<CisFindingRow[]> {
      return db.cisFinding.findMany({
        where: { check, ...(after !== undefined ? { subject: { gt: after } } : {}) },
        orderBy: { subject: 'asc' },
        take: limit,
      });
    },

    async activeExemptions(db: DbClient, at: Date): Promise<ExemptionRow[]> {
      return db.complianceExemption.findMany({ where: { expiresAt: { gt: at } }, orderBy: { userNameKey: 'asc' } });
    },

    async allExemptions(db: DbClient): Promise<ExemptionRow[]> {
      return db.complianceExemption.findMany({ orderBy: { userNameKey: 'asc' } });
    },

    async upsertExemption(
      db: DbClient,
      input: { userName: string; reason: string; expiresAt: Date; createdBy: string; createdAt: Date },
    ): Promise<ExemptionRow> {
      const userNameKey = input.userName.toLowerCase();
      return db.complianceExemption.upsert({
        where: { userNameKey },
        create: { ...input, userNameKey },
        update: input,
      });
    },

    /**
     * Removes a user's exemption; null when there was none. Two admins removing the same one at
     * once both read it, but only the delete that removed a row counts: the other answers null
     * (a `delete` of the row already gone would throw, a 500 instead of a 404).
     */
    async deleteExemption(db: DbClient, userName: string): Promise<ExemptionRow | null> {
      const userNameKey = userName.toLowerCase();
      const row = await db.complianceExemption.findUnique({ where: { userNameKey } });
      if (!row) return null;
      const { count } = await db.complianceExemption.deleteMany({ where: { userNameKey } });
      return count === 1 ? row : null;
    },

    /** Findings of `checks` still marked exempt although the user's exemption ran out by `at`: no longer exempt. */
    async releaseLapsed(db: DbClient, checks: Iterable<CisCheckId>, at: Date): Promise<void> {
      const lapsed = await db.complianceExemption.findMany({
        where: { expiresAt: { lte: at } },
        select: { userNameKey: true },
      });
      for (let i = 0; i < lapsed.length; i += BATCH) {
        const subjects = lapsed.slice(i, i + BATCH).map((e) => e.userNameKey);
        await db.cisFinding.updateMany({
          where: { check: { in: [...checks] }, exempt: true, subject: { in: subjects } },
          data: { exempt: false },
        });
      }
    },

    async setExempt(db: DbClient, check: CisCheckId, subject: string, exempt: boolean): Promise<void> {
      await db.cisFinding.updateMany({ where: { check, subject }, data: { exempt } });
    },
  };
}

export type CisRepository = ReturnType<typeof createCisRepository>;
