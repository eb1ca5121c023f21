import { badRequest, notFound } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import type { ComplianceRepository, StoredScan } from '../compliance/compliance-repository.ts';
import type { KeysWorkWithoutMfa } from '../compliance/compliance-types.ts';
import {
  ALERT_CHECKS,
  CIS_CHECKS,
  type CisCheckId,
  EXEMPTABLE_CHECKS,
  failedUserChecks,
  failsRootCheck,
  type RootAccountFacts,
} from './cis-checks.ts';
import type { CisRepository, ExemptionRow, NewFinding } from './cis-repository.ts';

export const ROOT_SUBJECT = '<root_account>';
const PAGE = 1000;
/** Longest exemption: a service identity must be looked at again at least once a year. */
export const MAX_EXEMPTION_DAYS = 366;

export interface CisServiceDeps {
  prisma: PrismaClient;
  repository: CisRepository;
  compliance: Pick<
    ComplianceRepository,
    'scan' | 'latest' | 'history' | 'pageUsers' | 'findUser' | 'keysWorkWithoutMfaOf'
  >;
  audit: Pick<AuditService, 'append'>;
  now?: () => Date;
}

export interface CheckResult {
  id: CisCheckId;
  reference: string;
  prowler: string | null;
  title: string;
  scope: 'root' | 'user';
  /** 'unknown' before the first scan, or for root checks when the report had no root row. */
  status: 'pass' | 'fail' | 'unknown';
  failing: number;
  /** Users exempt from this check (service identities), counted apart from `failing`. */
  exempt: number;
  /** When the longest-standing failure was first seen. */
  since: Date | null;
}

export interface ExemptionOverview {
  /** The complete scan `keysWorkWithoutMfa` comes from (null before the first). */
  scanId: string | null;
  maxDays: number;
  exemptions: Array<
    ExemptionRow & {
      active: boolean;
      /** What that scan says of the user's keys; null when the user is not in it. */
      keysWorkWithoutMfa: KeysWorkWithoutMfa | null;
    }
  >;
}

export interface ScanFindings {
  scanId: string;
  /** The first scan ever: it sets the baseline, so nothing in it counts as a regression. */
  baseline: boolean;
  /** New failures of the alerting checks (not exempt). */
  regressions: NewFinding[];
}

const key = (check: string, subject: string) => `${check}\u0000${subject}`;

/**
 * CIS checks over compliance snapshots: after each scan records which subject fails which check
 * (keeping "since" = the first scan of an unbroken run of failures), and answers the CIS table.
 */
export function createCisService(deps: CisServiceDeps) {
  const { prisma, repository, compliance, audit, now = () => new Date() } = deps;

  async function failuresOf(scan: StoredScan, rootAccount: RootAccountFacts | null, exempt: Set<string>) {
    const failing = new Map<string, NewFinding>();
    if (rootAccount) {
      for (const check of CIS_CHECKS.filter((c) => c.scope === 'root')) {
        if (failsRootCheck(check.id, rootAccount))
          failing.set(key(check.id, ROOT_SUBJECT), {
            check: check.id,
            subject: ROOT_SUBJECT,
            userName: ROOT_SUBJECT,
            exempt: false,
          });
      }
    }
    for (let offset = 0; ; offset += PAGE) {
      const rows = await compliance.pageUsers(prisma, { scanId: scan.id, sort: 'userName' }, offset, PAGE);
      for (const row of rows) {
        for (const check of failedUserChecks(row, scan.startedAt)) {
          failing.set(key(check, row.userNameKey), {
            check,
            subject: row.userNameKey,
            userName: row.userName,
            exempt: EXEMPTABLE_CHECKS.has(check) && exempt.has(row.userNameKey),
          });
        }
      }
      if (rows.length < PAGE) break;
    }
    return failing;
  }

  /**
   * An exemption that has run out stops counting at once, not only from the next scan (which
   * reads the exemptions active when it starts): the CIS table then agrees with the list.
   */
  async function releaseLapsedExemptions(): Promise<void> {
    await repository.releaseLapsed(prisma, EXEMPTABLE_CHECKS, now());
  }

  return {
    /** Brings the findings up to date with a completed scan; returns what newly fails. */
    async recordScan(scanId: string): Promise<ScanFindings> {
      const scan = await compliance.scan(prisma, scanId);
      if (scan?.status !== 'complete') throw new Error('recordScan needs a complete scan');
      const rootAccount = scan.rootAccount;
      const exempt = new Set((await repository.activeExemptions(prisma, scan.startedAt)).map((e) => e.userNameKey));
      const failing = await failuresOf(scan, rootAccount, exempt);
      const earlier = (await compliance.history(prisma, 2)).filter(
        (s) => s.id !== scanId && s.startedAt <= scan.startedAt,
      );
      const created = await prisma.$transaction(async (tx) => {
        const open = await repository.openFindings(tx);
        const seen = { exempt: [] as string[], plain: [] as string[] };
        const gone: string[] = [];
        for (const finding of open) {
          const now = failing.get(key(finding.check, finding.subject));
          if (!now) gone.push(finding.id);
          else {
            (now.exempt ? seen.exempt : seen.plain).push(finding.id);
            failing.delete(key(finding.check, finding.subject));
          }
        }
        await repository.removeFindings(tx, gone);
        await repository.markSeen(tx, scanId, seen.plain, false);
        await repository.markSeen(tx, scanId, seen.exempt, true);
        const fresh = [...failing.values()];
        await repository.addFindings(tx, { id: scanId, at: scan.startedAt }, fresh);
        return fresh;
      });
      const baseline = earlier.length === 0;
      return {
        scanId,
        baseline,
        regressions: baseline ? [] : created.filter((f) => ALERT_CHECKS.has(f.check) && !f.exempt),
      };
    },

    /** The CIS table: every check with its status, counts and "since", from the latest scan. */
    async results(): Promise<{ scanId: string | null; scannedAt: Date | null; checks: CheckResult[] }> {
      await releaseLapsedExemptions();
      const scan = await compliance.latest(prisma, 'complete');
      const rootKnown = scan?.rootAccount != null;
      const counts = await repository.counts(prisma);
      const checks = CIS_CHECKS.map((c): CheckResult => {
        const plain = counts.find((r) => r.check === c.id && !r.exempt);
        const exempted = counts.find((r) => r.check === c.id && r.exempt);
        const known = scan !== null && (c.scope === 'user' || rootKnown);
        const failing = plain?.count ?? 0;
        return {
          id: c.id,
          reference: c.reference,
          prowler: c.prowler,
          title: c.title,
          scope: c.scope,
          status: !known ? 'unknown' : failing > 0 ? 'fail' : 'pass',
          failing,
          exempt: exempted?.count ?? 0,
          since: plain?.since ?? null,
        };
      });
      return { scanId: scan?.id ?? null, scannedAt: scan ? (scan.finishedAt ?? scan.startedAt) : null, checks };
    },

    /** Who fails one check, by user name, with since when; exempt users are flagged, not hidden. */
    async failing(
      check: string,
      query: { limit: number; cursor?: string | undefined },
    ): Promise<{ users: Array<{ userName: string; since: Date; exempt: boolean }>; nextCursor: string | null }> {
      if (!CIS_CHECKS.some((c) => c.id === check))
        throw notFound('unknown_check', `There is no check called ${check}.`);
      await releaseLapsedExemptions();
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const rows = await repository.pageFindings(prisma, check as CisCheckId, after, query.limit + 1);
      const page = rows.slice(0, query.limit);
      return {
        users: page.map((r) => ({ userName: r.userName, since: r.firstSeenAt, exempt: r.exempt })),
        nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.subject) : null,
      };
    },

    /**
     * Every exemption, expired ones too (until an admin removes them), each with what the latest
     * scan says of the user's keys: the console counts exempt users apart from that figure.
     */
    async exemptions(): Promise<ExemptionOverview> {
      const at = now();
      const [rows, scan] = await Promise.all([repository.allExemptions(prisma), compliance.latest(prisma, 'complete')]);
      const keys = scan
        ? await compliance.keysWorkWithoutMfaOf(
            prisma,
            scan.id,
            rows.map((e) => e.userNameKey),
          )
        : new Map<string, KeysWorkWithoutMfa>();
      return {
        scanId: scan?.id ?? null,
        maxDays: MAX_EXEMPTION_DAYS,
        exemptions: rows.map((e) => ({
          ...e,
          active: e.expiresAt > at,
          keysWorkWithoutMfa: keys.get(e.userNameKey) ?? null,
        })),
      };
    },

    /** Marks a service identity exempt from "keys work without MFA", audited in the same transaction. */
    async exempt(
      input: { userName: string; reason: string; expiresAt: Date },
      by: { actor: string; origin?: RequestOrigin },
    ): Promise<ExemptionRow> {
      const at = now();
      if (input.expiresAt <= at) throw badRequest('invalid_expiry', 'The exemption must expire in the future.');
      if (input.expiresAt.getTime() - at.getTime() > MAX_EXEMPTION_DAYS * 86_400_000)
        throw badRequest('invalid_expiry', `An exemption may last at most ${MAX_EXEMPTION_DAYS} days.`);
      const reason = input.reason.trim();
      if (!reason) throw badRequest('invalid_reason', 'Say why this identity may use its keys without MFA.');
      return auditedTransaction(prisma, async (tx) => {
        const row = await repository.upsertExemption(tx, { ...input, reason, createdBy: by.actor, createdAt: at });
        await repository.setExempt(tx, 'keys_work_without_mfa', row.userNameKey, true);
        await audit.append(
          {
            actor: by.actor,
            action: AuditAction.ExemptionAdd,
            outcome: 'success',
            ...by.origin,
            metadata: { userName: row.userName, reason, expiresAt: row.expiresAt.toISOString() },
          },
          tx,
        );
        return row;
      });
    },

    async removeExemption(userName: string, by: { actor: string; origin?: RequestOrigin }): Promise<void> {
      await auditedTransaction(prisma, async (tx) => {
        const row = await repository.deleteExemption(tx, userName);
        if (!row) throw notFound('not_exempt', `${userName} has no exemption.`);
        await repository.setExempt(tx, 'keys_work_without_mfa', row.userNameKey, false);
        await audit.append(
          {
            actor: by.actor,
            action: AuditAction.ExemptionRemove,
            outcome: 'success',
            ...by.origin,
            metadata: { userName: row.userName },
          },
          tx,
        );
      });
    },

    /** After a re-check showed a user's keys now need MFA: the finding ends at once. */
    async resolved(check: CisCheckId, userName: string): Promise<void> {
      await repository.removeFinding(prisma, check, userName.toLowerCase());
    },
  };
}

export type CisService = ReturnType<typeof createCisService>;

function encodeCursor(subject: string): string {
  return Buffer.from(subject, 'utf8').toString('base64url');
}

function decodeCursor(text: string): string {
  const subject = Buffer.from(text, 'base64url').toString('utf8');
  if (!subject || subject.length > 200) throw badRequest('invalid_cursor', 'The cursor is not one this API returned.');
  return subject;
}
