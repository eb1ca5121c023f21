import { randomUUID } from 'node:crypto';
import { AwsCallError } from '../../aws/aws-errors.ts';
import { badRequest, serviceUnavailable } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import type { CustodyService } from '../custody/custody-service.ts';
import type { LeaseClaim, LeaseStore } from '../leases/lease-store.ts';
import type { ComplianceRepository, ComplianceUserRow, StoredScan, UserQuery } from './compliance-repository.ts';
import type { ComplianceScanner } from './compliance-scanner.ts';
import { ReportTimeoutError, ScanCancelledError } from './compliance-scanner.ts';
import type {
  ComplianceFilter,
  ComplianceSort,
  ComplianceSummary,
  ScanProgress,
  ScanTrigger,
} from './compliance-types.ts';
import { newScanId } from './scan-id.ts';

export const SCAN_LEASE = 'compliance-scan';
const HOLDER_POLL_MS = 50;
const RETRY_AFTER_SECONDS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Snapshot rows handed to the store per batch, so the statements' bound values for all users are
 * never built at once (insertRows splits a batch into statements within the parameter limit).
 */
const SNAPSHOT_BATCH = 1000;

export interface ComplianceServiceDeps {
  prisma: PrismaClient;
  repository: ComplianceRepository;
  scanner: Pick<ComplianceScanner, 'scan'>;
  leases: Pick<LeaseStore, 'claim' | 'renew' | 'release' | 'current'>;
  custody: Pick<CustodyService, 'enrolledIn'>;
  audit: Pick<AuditService, 'append'>;
  /** How long a scan's lease lives without renewal; the holder renews it three times per period. */
  leaseMs?: number;
  /**
   * How long a caller that lost the scan lease waits for the holder's scan row to appear before
   * answering 503 (the holder claimed, then stalled or died before committing it).
   */
  holderWaitMs?: number;
  /** Completed scans whose per-user rows are kept (for paging across a new scan, and exports). */
  keepSnapshots?: number;
  now?: () => Date;
  /**
   * Runs after a scan completed (CIS findings, alerts); its failure is logged and never fails the
   * scan, which is already stored.
   */
  onScanComplete?: (scanId: string) => Promise<void>;
  log?: { warn(details: object, message: string): void; info(details: object, message: string): void };
}

export interface UserPageQuery {
  filter?: ComplianceFilter | undefined;
  search?: string | undefined;
  sort?: ComplianceSort | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface Dashboard {
  scanId: string | null;
  scannedAt: Date | null;
  reportGeneratedAt: Date | null;
  summary: ComplianceSummary | null;
  users: ComplianceUserRow[];
  nextCursor: string | null;
}

/** One complete scan's view of some users' IAM groups (see ComplianceRepository.groupMemberships). */
export interface ScanGroupMemberships {
  scanId: string;
  startedAt: Date;
  /** Lower-cased user name to the user's groups; null: unknown; absent: the scan did not list the user. */
  groupsByUser: Map<string, string[] | null>;
}

interface Cursor {
  scanId: string;
  offset: number;
}

/**
 * Compliance snapshots: starts scans (one at a time across every portal instance, through a
 * database lease), stores each as a snapshot, and answers the dashboard from the latest complete
 * one. Cursors name their snapshot, so paging through a list is not disturbed by a newer scan.
 */
export function createComplianceService(deps: ComplianceServiceDeps) {
  const {
    prisma,
    repository,
    scanner,
    leases,
    custody,
    audit,
    leaseMs = 120_000,
    holderWaitMs = 5_000,
    keepSnapshots = 3,
    now = () => new Date(),
  } = deps;
  const instanceId = randomUUID();
  let running: Promise<void> | null = null;
  let starting: Promise<unknown> | null = null;
  let stopping = false;

  async function run(scan: StoredScan): Promise<void> {
    let processed = 0;
    let lost = false;
    // Progress writes are serialised and awaited before the scan completes, so a late progress
    // write never lands after the final one.
    let progressWrites: Promise<void> = Promise.resolve();
    let lastWrite = 0;
    const writeProgress = (extra: { totalUsers?: number } = {}) => {
      const processedUsers = processed;
      progressWrites = progressWrites
        .then(() => repository.setProgress(prisma, scan.id, { ...extra, processedUsers }))
        .catch(() => undefined);
    };
    const renewal = setInterval(
      () => {
        leases.renew(SCAN_LEASE, instanceId, leaseMs).then(
          (held) => {
            if (!held) lost = true;
          },
          () => undefined,
        );
      },
      Math.max(1000, Math.floor(leaseMs / 3)),
    );
    renewal.unref();
    try {
      const result = await scanner.scan({
        onUsersFound: (total) => {
          writeProgress({ totalUsers: total });
        },
        onUserDone: () => {
          processed++;
          if (Date.now() - lastWrite >= 500) {
            lastWrite = Date.now();
            writeProgress();
          }
        },
        cancelled: () => stopping || lost,
      });
      const enrolledByKey = await custody.enrolledIn(result.accountId);
      writeProgress();
      await progressWrites;
      // In batches, so only one batch of rows is ever built beside the scanned users. The rows
      // stay invisible until finishScan marks the scan complete: every reader asks for a
      // complete scan's rows, and a failed scan's rows are pruned after the next complete one.
      for (let start = 0; start < result.users.length; start += SNAPSHOT_BATCH) {
        const batch = result.users.slice(start, start + SNAPSHOT_BATCH);
        for (const user of batch) {
          const key = user.userName.toLowerCase();
          user.enrolled = enrolledByKey.has(key);
          user.lastPortalSignInAt = enrolledByKey.get(key) ?? null;
        }
        await repository.insertUsers(prisma, scan.id, batch);
      }
      const summary = await repository.summarize(prisma, scan.id, result.rootMfa);
      await repository.finishScan(prisma, scan.id, {
        status: 'complete',
        finishedAt: now(),
        accountId: result.accountId,
        reportGeneratedAt: result.reportGeneratedAt,
        rootMfa: result.rootMfa,
        rootAccount: result.rootAccount,
        summary,
      });
      await repository.pruneUserRows(prisma, keepSnapshots);
      await deps.onScanComplete?.(scan.id).catch((error: unknown) => {
        deps.log?.warn(
          { scanId: scan.id, err: error instanceof Error ? error.name : 'error' },
          'after-scan work failed',
        );
      });
      deps.log?.info({ scanId: scan.id, users: summary.users }, 'compliance scan complete');
    } catch (error) {
      const errorCode = failureCode(error);
      deps.log?.warn(
        {
          scanId: scan.id,
          errorCode,
          err: error instanceof AwsCallError ? { kind: error.kind, operation: error.operation } : undefined,
        },
        'compliance scan failed',
      );
      await progressWrites;
      await repository
        .finishScan(prisma, scan.id, { status: 'failed', finishedAt: now(), errorCode })
        .catch(() => undefined);
    } finally {
      clearInterval(renewal);
      await leases.release(SCAN_LEASE, instanceId).catch(() => undefined);
    }
  }

  async function resolveSnapshot(cursor: string | undefined): Promise<{ scan: StoredScan | null; offset: number }> {
    if (!cursor) return { scan: await repository.latest(prisma, 'complete'), offset: 0 };
    const decoded = decodeCursor(cursor);
    const scan = await repository.scan(prisma, decoded.scanId);
    if (scan?.status !== 'complete')
      throw badRequest('cursor_expired', 'That page is no longer available. Load the list again.');
    return { scan, offset: decoded.offset };
  }

  /** The running scan the live lease names; null while its row is not there yet or no longer running. */
  async function scanOfLeaseHolder(): Promise<StoredScan | null> {
    const holder = await leases.current(SCAN_LEASE);
    if (!holder?.subject) return null;
    const scan = await repository.scan(prisma, holder.subject);
    return scan?.status === 'running' ? scan : null;
  }

  /** After a won claim: the scan's row (and audit row), then the scan itself in the background. */
  async function begin(
    scanId: string,
    claim: LeaseClaim,
    trigger: ScanTrigger,
    by: { actor: string; origin?: RequestOrigin } | undefined,
  ): Promise<StoredScan> {
    // From the claim until `running` is set, idle() waits on this, so nobody sees the scan's row
    // as running while this instance still looks idle.
    const creating = (async () => {
      if (claim.abandonedSubject) await repository.markAbandoned(prisma, claim.abandonedSubject, now());
      const scan = await auditedTransaction(prisma, async (tx) => {
        const created = await repository.createScan(tx, {
          id: scanId,
          trigger,
          requestedBy: by?.actor ?? null,
          startedAt: now(),
        });
        if (by) {
          await audit.append(
            {
              actor: by.actor,
              action: AuditAction.ComplianceScanStart,
              outcome: 'success',
              ...by.origin,
              metadata: { scanId: created.id, trigger },
            },
            tx,
          );
        }
        return created;
      });
      running = run(scan).finally(() => {
        running = null;
      });
      return scan;
    })();
    starting = creating;
    try {
      return await creating;
    } catch (error) {
      await leases.release(SCAN_LEASE, instanceId).catch(() => undefined);
      throw error;
    } finally {
      starting = null;
    }
  }

  return {
    /**
     * Starts a scan unless one is running on any instance; either way answers with the scan that
     * is (now) running. The lease is claimed with the new scan's id as its subject, so a caller
     * that loses the claim always learns which scan holds it; while the holder has claimed but
     * not yet committed that scan's row (or has just finished it), this waits for the row or
     * claims again, for at most `holderWaitMs`. A holder that died in between leaves a lease
     * naming a scan that never appears: after the wait the caller is told to try again (503),
     * and once that lease expires the next claim takes over.
     */
    async startScan(
      trigger: ScanTrigger,
      by?: { actor: string; origin?: RequestOrigin },
    ): Promise<{ started: boolean; scan: ScanProgress }> {
      if (stopping)
        throw serviceUnavailable(
          'shutting_down',
          'This portal instance is shutting down. Try again in a moment.',
          RETRY_AFTER_SECONDS,
        );
      const deadline = Date.now() + holderWaitMs;
      for (;;) {
        const scanId = newScanId(now());
        const claim = await leases.claim(SCAN_LEASE, instanceId, leaseMs, scanId);
        if (claim.claimed) return { started: true, scan: progressOf(await begin(scanId, claim, trigger, by)) };
        const held = await scanOfLeaseHolder();
        if (held) return { started: false, scan: progressOf(held) };
        if (Date.now() >= deadline)
          throw serviceUnavailable(
            'scan_starting',
            'Another portal instance is starting a compliance scan. Try again in a moment.',
            RETRY_AFTER_SECONDS,
          );
        await sleep(HOLDER_POLL_MS);
      }
    },

    /** The newest scan of any status: the one running, or the last one to finish. */
    async progress(): Promise<ScanProgress | null> {
      const scan = await repository.latest(prisma);
      return scan ? progressOf(scan) : null;
    },

    /** When the newest scan (of any status) and the newest complete scan started. */
    async lastScans(): Promise<{ latest: StoredScan | null; latestComplete: StoredScan | null }> {
      const [latest, latestComplete] = await Promise.all([
        repository.latest(prisma),
        repository.latest(prisma, 'complete'),
      ]);
      return { latest, latestComplete };
    },

    async dashboard(query: UserPageQuery): Promise<Dashboard> {
      const { scan, offset } = await resolveSnapshot(query.cursor);
      if (!scan)
        return { scanId: null, scannedAt: null, reportGeneratedAt: null, summary: null, users: [], nextCursor: null };
      const userQuery: UserQuery = {
        scanId: scan.id,
        filter: query.filter,
        search: query.search,
        sort: query.sort ?? 'userName',
      };
      const rows = await repository.pageUsers(prisma, userQuery, offset, query.limit + 1);
      const more = rows.length > query.limit;
      return {
        scanId: scan.id,
        scannedAt: scan.finishedAt ?? scan.startedAt,
        reportGeneratedAt: scan.reportGeneratedAt,
        summary: scan.summary,
        users: rows.slice(0, query.limit),
        nextCursor: more ? encodeCursor({ scanId: scan.id, offset: offset + query.limit }) : null,
      };
    },

    /** Every row of the latest snapshot that matches, in pages (for exports). */
    async *allUsers(query: Omit<UserPageQuery, 'limit' | 'cursor'>): AsyncGenerator<ComplianceUserRow> {
      const scan = await repository.latest(prisma, 'complete');
      if (!scan) return;
      const userQuery: UserQuery = {
        scanId: scan.id,
        filter: query.filter,
        search: query.search,
        sort: query.sort ?? 'userName',
      };
      for (let offset = 0; ; offset += 1000) {
        const rows = await repository.pageUsers(prisma, userQuery, offset, 1000);
        yield* rows;
        if (rows.length < 1000) return;
      }
    },

    /** Summaries of completed scans, oldest first, for the trend chart. */
    async history(
      limit: number,
      since?: Date,
    ): Promise<Array<{ scanId: string; scannedAt: Date; summary: ComplianceSummary }>> {
      const scans = await repository.history(prisma, limit, since);
      return scans
        .filter((s) => s.summary !== null)
        .reverse()
        .map((s) => ({ scanId: s.id, scannedAt: s.finishedAt ?? s.startedAt, summary: s.summary! }));
    },

    /**
     * The latest complete scan: when it started and which IAM users it saw (lower-cased names),
     * so offboarding can tell who was deleted in IAM.
     */
    async latestScanUsers(): Promise<{ scanId: string; startedAt: Date; userNameKeys: Set<string> } | null> {
      const scan = await repository.latest(prisma, 'complete');
      if (!scan) return null;
      const rows = await prisma.complianceUser.findMany({ where: { scanId: scan.id }, select: { userNameKey: true } });
      return { scanId: scan.id, startedAt: scan.startedAt, userNameKeys: new Set(rows.map((r) => r.userNameKey)) };
    },

    /**
     * The IAM groups of the given users at each kept complete scan of the latest one's account,
     * newest first (scans of another account before it are left out: they say nothing about this
     * one's users), so offboarding can tell who left the groups that grant them roles.
     */
    async recentGroupMemberships(userNames: string[]): Promise<ScanGroupMemberships[]> {
      const complete = await repository.history(prisma, keepSnapshots);
      const accountId = complete[0]?.accountId;
      const scans: StoredScan[] = [];
      for (const scan of complete) {
        if (scan.accountId !== accountId) break;
        scans.push(scan);
      }
      if (scans.length === 0) return [];
      const keys = [...new Set(userNames.map((name) => name.toLowerCase()))];
      const byScan = await repository.groupMemberships(
        prisma,
        scans.map((s) => s.id),
        keys,
      );
      return scans.map((scan) => ({
        scanId: scan.id,
        startedAt: scan.startedAt,
        groupsByUser: byScan.get(scan.id) ?? new Map(),
      }));
    },

    /**
     * Stops a running scan on this instance (at shutdown). Waits a moment for it to wind down,
     * but never holds shutdown hostage to a slow AWS call: the lease expires on its own and the
     * next instance marks the scan abandoned.
     */
    async stop(graceMs = 3000): Promise<void> {
      stopping = true;
      if (!running) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    },

    /** Resolves when this instance has no scan running (tests, benchmarks, the CLI). */
    async idle(): Promise<void> {
      while (running || starting) await (running ?? starting?.catch(() => undefined));
    },
  };
}

export type ComplianceService = ReturnType<typeof createComplianceService>;

function progressOf(scan: StoredScan): ScanProgress {
  return {
    id: scan.id,
    status: scan.status,
    trigger: scan.trigger,
    requestedBy: scan.requestedBy,
    startedAt: scan.startedAt,
    finishedAt: scan.finishedAt,
    totalUsers: scan.totalUsers,
    processedUsers: scan.processedUsers,
    errorCode: scan.errorCode,
  };
}

function failureCode(error: unknown): string {
  if (error instanceof ScanCancelledError) return 'scan_cancelled';
  if (error instanceof ReportTimeoutError) return 'credential_report_timeout';
  if (error instanceof AwsCallError) return error.kind === 'access_denied' ? 'aws_access_denied' : 'aws_unavailable';
  return 'scan_error';
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.scanId}:${cursor.offset}`, 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor {
  const match = /^([0-9a-f-]{36}):(\d{1,9})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) throw badRequest('invalid_cursor', 'The cursor is not one this API returned.');
  return { scanId: match[1]!, offset: Number(match[2]) };
}
