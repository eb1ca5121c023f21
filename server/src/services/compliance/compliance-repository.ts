import type { DatabaseProvider } from '../../db/database-url.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import type { Prisma, PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import type { RootAccountFacts } from '../cis/cis-checks.ts';
import type {
  ComplianceFilter,
  ComplianceSort,
  ComplianceSummary,
  KeysWorkWithoutMfa,
  ScannedUser,
  ScanProgress,
  ScanStatus,
  ScanTrigger,
  SnapshotRowChange,
} from './compliance-types.ts';
import { insertSnapshotRows } from './snapshot-rows-insert.ts';

type ScanRow = Awaited<ReturnType<PrismaClient['complianceScan']['findFirstOrThrow']>>;
export type ComplianceUserRow = Awaited<ReturnType<PrismaClient['complianceUser']['findFirstOrThrow']>>;

export interface StoredScan extends ScanProgress {
  accountId: string | null;
  reportGeneratedAt: Date | null;
  summary: ComplianceSummary | null;
  /** The root user's facts for the CIS checks (cis-checks.ts); null before they were collected. */
  rootAccount: RootAccountFacts | null;
}

export interface UserQuery {
  scanId: string;
  filter?: ComplianceFilter | undefined;
  /** Case-insensitive substring of the user name. */
  search?: string | undefined;
  sort: ComplianceSort;
}

/** MFA for the console only: FIDO security keys and no device that shows codes. */
const CONSOLE_ONLY_MFA = {
  fidoMfaCount: { gt: 0 },
  virtualMfaCount: 0,
  hardwareMfaCount: 0,
} satisfies Prisma.ComplianceUserWhereInput;

function filterWhere(filter: ComplianceFilter | undefined): Prisma.ComplianceUserWhereInput {
  switch (filter) {
    case 'no_mfa':
      return { mfaActive: false };
    case 'console_without_mfa':
      return { mfaActive: false, consoleAccess: true };
    case 'keys_work_without_mfa':
      return { keysWorkWithoutMfa: 'yes' };
    case 'hardware_mfa':
      return { hardwareMfaCount: { gt: 0 } };
    case 'console_only_mfa':
      return CONSOLE_ONLY_MFA;
    case 'not_enrolled':
      return { enrolled: false };
    default:
      return {};
  }
}

function orderBy(sort: ComplianceSort): Prisma.ComplianceUserOrderByWithRelationInput[] {
  const direction = sort.startsWith('-') ? 'desc' : 'asc';
  const byName = { userNameKey: direction } as const;
  switch (sort.replace(/^-/, '')) {
    case 'passwordLastUsed':
      return [{ passwordLastUsedAt: { sort: direction, nulls: 'last' } }, { userNameKey: 'asc' }];
    case 'oldestKey':
      return [{ oldestKeyCreatedAt: { sort: direction, nulls: 'last' } }, { userNameKey: 'asc' }];
    default:
      return [byName];
  }
}

const where = (q: UserQuery): Prisma.ComplianceUserWhereInput => ({
  scanId: q.scanId,
  ...filterWhere(q.filter),
  ...(q.search ? { userNameKey: { contains: q.search.toLowerCase() } } : {}),
});

/** User name keys per `IN (...)` list: well inside either database's limit of bound parameters. */
const KEY_SLICE = 500;

/** Reads the rows for many user name keys, a slice of keys per query. */
async function inKeySlices<Row>(keys: string[], read: (slice: string[]) => Promise<Row[]>): Promise<Row[]> {
  const rows: Row[] = [];
  for (let start = 0; start < keys.length; start += KEY_SLICE)
    rows.push(...(await read(keys.slice(start, start + KEY_SLICE))));
  return rows;
}

/**
 * Data access for compliance snapshots. Methods that take `db` may run inside a transaction.
 * `provider` is the database's (snapshot rows are written in bulk with SQL of its dialect).
 */
export function createComplianceRepository({ provider }: { provider: DatabaseProvider }) {
  return {
    async createScan(
      db: DbClient,
      input: { id: string; trigger: ScanTrigger; requestedBy: string | null; startedAt: Date },
    ): Promise<StoredScan> {
      return toScan(await db.complianceScan.create({ data: { ...input, status: 'running' } }));
    },

    async setProgress(
      db: DbClient,
      scanId: string,
      progress: { totalUsers?: number; processedUsers: number },
    ): Promise<void> {
      await db.complianceScan.updateMany({ where: { id: scanId, status: 'running' }, data: progress });
    },

    async insertUsers(db: DbClient, scanId: string, users: ScannedUser[]): Promise<void> {
      await insertSnapshotRows(db, provider, scanId, users);
    },

    async finishScan(
      db: DbClient,
      scanId: string,
      result: {
        status: Exclude<ScanStatus, 'running'>;
        finishedAt: Date;
        errorCode?: string;
        accountId?: string;
        reportGeneratedAt?: Date;
        rootMfa?: boolean | null;
        rootAccount?: RootAccountFacts | null;
        summary?: ComplianceSummary;
      },
    ): Promise<void> {
      await db.complianceScan.updateMany({
        where: { id: scanId, status: 'running' },
        data: {
          status: result.status,
          finishedAt: result.finishedAt,
          errorCode: result.errorCode ?? null,
          ...(result.accountId !== undefined ? { accountId: result.accountId } : {}),
          ...(result.reportGeneratedAt !== undefined ? { reportGeneratedAt: result.reportGeneratedAt } : {}),
          ...(result.rootMfa !== undefined ? { rootMfa: result.rootMfa } : {}),
          ...(result.summary ? { summary: { ...result.summary } } : {}),
          ...(result.rootAccount ? { rootAccount: { ...result.rootAccount } } : {}),
        },
      });
    },

    /** Locks the scan's row until the transaction ends (a write that changes nothing). */
    async lockScan(db: DbClient, scanId: string): Promise<void> {
      await db.complianceScan.updateMany({ where: { id: scanId }, data: { processedUsers: { increment: 0 } } });
    },

    async setSummary(db: DbClient, scanId: string, summary: ComplianceSummary): Promise<void> {
      await db.complianceScan.update({ where: { id: scanId }, data: { summary: { ...summary } } });
    },

    async scan(db: DbClient, scanId: string): Promise<StoredScan | null> {
      const row = await db.complianceScan.findUnique({ where: { id: scanId } });
      return row ? toScan(row) : null;
    },

    async latest(db: DbClient, status?: ScanStatus): Promise<StoredScan | null> {
      const row = await db.complianceScan.findFirst({
        where: status ? { status } : {},
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
      });
      return row ? toScan(row) : null;
    },

    /** Completed scans, newest first. */
    async history(db: DbClient, limit: number, since?: Date): Promise<StoredScan[]> {
      const rows = await db.complianceScan.findMany({
        where: { status: 'complete', ...(since ? { startedAt: { gte: since } } : {}) },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: limit,
      });
      return rows.map(toScan);
    },

    /** The dashboard's counts, straight from the snapshot's rows. */
    async summarize(db: DbClient, scanId: string, rootMfa: boolean | null): Promise<ComplianceSummary> {
      const count = (extra: Prisma.ComplianceUserWhereInput) =>
        db.complianceUser.count({ where: { scanId, ...extra } });
      const [users, withMfa, consoleWithoutMfa, keysYes, keysUnknown, hardwareMfa, consoleOnlyMfa, enrolled] =
        await Promise.all([
          count({}),
          count({ mfaActive: true }),
          count({ mfaActive: false, consoleAccess: true }),
          count({ keysWorkWithoutMfa: 'yes' }),
          count({ keysWorkWithoutMfa: 'unknown' }),
          count({ hardwareMfaCount: { gt: 0 } }),
          count(CONSOLE_ONLY_MFA),
          count({ enrolled: true }),
        ]);
      return {
        users,
        withMfa,
        withoutMfa: users - withMfa,
        consoleWithoutMfa,
        keysWorkWithoutMfa: keysYes,
        keysUnknown,
        hardwareMfa,
        consoleOnlyMfa,
        enrolled,
        rootMfa,
      };
    },

    async pageUsers(db: DbClient, q: UserQuery, offset: number, limit: number): Promise<ComplianceUserRow[]> {
      return db.complianceUser.findMany({ where: where(q), orderBy: orderBy(q.sort), skip: offset, take: limit });
    },

    async findUser(db: DbClient, scanId: string, userName: string): Promise<ComplianceUserRow | null> {
      return db.complianceUser.findUnique({
        where: { scanId_userNameKey: { scanId, userNameKey: userName.toLowerCase() } },
      });
    },

    /**
     * The IAM groups of the given users (lower-cased names) in each of the scans: per scan, user
     * name key to the groups, or null where the row does not say (written before the column).
     * A user without a row in a scan is absent from its map.
     */
    async groupMemberships(
      db: DbClient,
      scanIds: string[],
      userNameKeys: string[],
    ): Promise<Map<string, Map<string, string[] | null>>> {
      const byScan = new Map(scanIds.map((id) => [id, new Map<string, string[] | null>()]));
      const rows = await inKeySlices(userNameKeys, (slice) =>
        db.complianceUser.findMany({
          where: { scanId: { in: scanIds }, userNameKey: { in: slice } },
          select: { scanId: true, userNameKey: true, iamGroups: true },
        }),
      );
      for (const row of rows) byScan.get(row.scanId)?.set(row.userNameKey, groupNames(row.iamGroups));
      return byScan;
    },

    /** What one snapshot says of these users' keys, by lower-case name (users it lacks are absent). */
    async keysWorkWithoutMfaOf(
      db: DbClient,
      scanId: string,
      userNameKeys: string[],
    ): Promise<Map<string, KeysWorkWithoutMfa>> {
      const rows = await inKeySlices(userNameKeys, (slice) =>
        db.complianceUser.findMany({
          where: { scanId, userNameKey: { in: slice } },
          select: { userNameKey: true, keysWorkWithoutMfa: true },
        }),
      );
      const found = new Map(rows.map((row) => [row.userNameKey, row.keysWorkWithoutMfa as KeysWorkWithoutMfa]));
      return found;
    },

    async updateUser(db: DbClient, id: string, data: SnapshotRowChange): Promise<void> {
      await db.complianceUser.update({ where: { id }, data });
    },

    /** Drops per-user rows of all but the newest `keep` completed scans (their summaries stay). */
    async pruneUserRows(db: DbClient, keep: number): Promise<void> {
      const kept = await db.complianceScan.findMany({
        where: { status: 'complete' },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: keep,
        select: { id: true },
      });
      const running = await db.complianceScan.findMany({ where: { status: 'running' }, select: { id: true } });
      await db.complianceUser.deleteMany({ where: { scanId: { notIn: [...kept, ...running].map((s) => s.id) } } });
    },

    /** A scan that was running when its instance stopped renewing the lease. */
    async markAbandoned(db: DbClient, scanId: string, at: Date): Promise<void> {
      await db.complianceScan.updateMany({
        where: { id: scanId, status: 'running' },
        data: { status: 'failed', finishedAt: at, errorCode: 'scan_abandoned' },
      });
    },
  };
}

export type ComplianceRepository = ReturnType<typeof createComplianceRepository>;

function toScan(row: ScanRow): StoredScan {
  return {
    id: row.id,
    status: row.status,
    trigger: row.trigger,
    requestedBy: row.requestedBy,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    totalUsers: row.totalUsers,
    processedUsers: row.processedUsers,
    errorCode: row.errorCode,
    accountId: row.accountId,
    reportGeneratedAt: row.reportGeneratedAt,
    summary: row.summary ? summaryOf(row.summary) : null,
    rootAccount: (row.rootAccount as RootAccountFacts | null) ?? null,
  };
}

/** A JSON array of group names, as insertSnapshotRows writes it; anything else is unknown (null). */
function groupNames(value: Prisma.JsonValue | null): string[] | null {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return null;
  return value as string[];
}

/**
 * Written only by this repository, from a ComplianceSummary; summaries stored before the count was
 * renamed call it `keysWithoutMfaEnforcement`; those stored before FIDO keys were told apart lack
 * `consoleOnlyMfa`.
 */
function summaryOf(stored: unknown): ComplianceSummary {
  const { keysWithoutMfaEnforcement, ...read } = stored as ComplianceSummary & {
    keysWithoutMfaEnforcement?: number;
  };
  // Scans stored before FIDO security keys were told apart counted none.
  const summary = { ...read, consoleOnlyMfa: read.consoleOnlyMfa ?? 0 };
  return keysWithoutMfaEnforcement === undefined
    ? summary
    : { ...summary, keysWorkWithoutMfa: keysWithoutMfaEnforcement };
}
