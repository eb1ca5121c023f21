import { randomUUID } from 'node:crypto';
import { AwsCallError } from '../../aws/aws-errors.ts';
import type { AwsGateway } from '../../aws/aws-gateway.ts';
import type { PolicyTarget } from '../../aws/inline-policy-calls.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import { badRequest, serviceUnavailable } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import type { CatalogService } from '../catalog/catalog-service.ts';
import { roleSessionNameFor } from '../credentials/role-session-name.ts';
import type { CustodyService } from '../custody/custody-service.ts';
import type { LeaseStore } from '../leases/lease-store.ts';
import type { EndedSessions, RevocationService } from '../sessions/revocation-service.ts';
import type { IssuedCredential, IssuedCredentialsReader } from './issued-credentials.ts';
import {
  countedSize,
  cutoffAt,
  REVOCATION_POLICY_NAME,
  type RevocationEntry,
  ROLE_INLINE_POLICY_LIMIT,
  rolePolicyDocument,
  userPolicyDocument,
} from './revocation-policy.ts';

/** What happened to one role or user when the portal brought its revocation policy up to date. */
export interface TargetResult {
  kind: 'role' | 'user';
  /** The role's or the user's ARN. */
  arn: string;
  accountId: string;
  /** `denied`: the policy holds the entries; `cleared`: no entry left, the policy is gone. */
  status: 'denied' | 'cleared' | 'failed';
  /** Why it failed: a stable code (access_denied, no_identity, policy_too_large, not_found, ...). */
  error?: string;
}

export interface ApplyReport {
  /** True only when every role and user is in the state the revocations ask for. */
  complete: boolean;
  targets: TargetResult[];
}

export interface Revocation {
  userName: string;
  sourceIdentity: string;
  revokedAt: Date;
  expiresAt: Date;
  revokedBy: string;
}

export interface RevokeResult {
  revocation: Revocation;
  ended: EndedSessions;
  applied: ApplyReport;
}

export interface RevokedBy {
  actor: string;
  origin?: RequestOrigin | undefined;
}

export interface AwsRevocationServiceDeps {
  prisma: PrismaClient;
  aws: Pick<
    AwsGateway,
    'putRolePolicy' | 'deleteRolePolicy' | 'putUserPolicy' | 'deleteUserPolicy' | 'portalCallerIdentity'
  >;
  catalog: Pick<CatalogService, 'list'>;
  custody: Pick<CustodyService, 'find'>;
  sessions: Pick<RevocationService, 'endAllOf'>;
  audit: Pick<AuditService, 'append'>;
  leases: Pick<LeaseStore, 'claim' | 'release'>;
  issued: IssuedCredentialsReader;
  /** The role the portal assumes in other accounts (REVOCATION_ROLE_NAME), if any. */
  revocationRoleName: string | undefined;
  /** The longest MFA session the portal opens (GetSessionToken), for the user policy's window. */
  userSessionSeconds: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const SYNC_LEASE = 'aws-revocation-sync';
const SYNC_LEASE_MS = 120_000;
/** A role session lives at most 12 h (AWS's MaxSessionDuration ceiling). */
const ROLE_SESSION_CEILING_SECONDS = 43_200;

/**
 * Ends one person's outstanding AWS credentials across every catalog role, and their own MFA
 * session credentials, without touching anyone else's (see revocation-policy.ts). The database
 * holds the revocations; `apply` makes IAM match them and is idempotent, so any failure or crash
 * is repaired by running it again.
 */
export function createAwsRevocationService(deps: AwsRevocationServiceDeps) {
  const { prisma, aws, catalog, custody, sessions, audit, leases, issued } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  interface RoleTarget {
    roleArn: string;
    roleName: string;
    accountId: string;
    maxSeconds: number;
  }

  async function roleTargets(): Promise<RoleTarget[]> {
    const byArn = new Map<string, RoleTarget>();
    for (const role of await catalog.list()) {
      const seen = byArn.get(role.roleArn);
      const maxSeconds = Math.max(seen?.maxSeconds ?? 0, role.maxDurationSeconds);
      byArn.set(role.roleArn, {
        roleArn: role.roleArn,
        roleName: role.roleName,
        accountId: role.accountId,
        maxSeconds,
      });
    }
    return [...byArn.values()];
  }

  /** When no credential issued before `revokedAt` can still be valid anywhere the portal issues. */
  function expiryOf(revokedAt: Date, roles: RoleTarget[]): Date {
    const longest = Math.max(deps.userSessionSeconds, ...roles.map((r) => r.maxSeconds));
    return new Date(revokedAt.getTime() + longest * 1000);
  }

  const stillDenies = (revokedAt: Date, seconds: number, at: Date): boolean =>
    revokedAt.getTime() + seconds * 1000 > at.getTime();

  /** AWS's refusal as a target's error code; anything else is not AWS's answer and propagates. */
  const failureCode = (error: unknown): string => {
    if (!(error instanceof AwsCallError)) throw error;
    return error.kind === 'limit_exceeded' ? 'policy_too_large' : error.kind;
  };

  async function applyToRole(
    role: RoleTarget,
    entries: Revocation[],
    portalAccount: string,
    at: Date,
  ): Promise<TargetResult> {
    const result = (status: TargetResult['status'], error?: string): TargetResult => ({
      kind: 'role',
      arn: role.roleArn,
      accountId: role.accountId,
      status,
      ...(error ? { error } : {}),
    });
    let target: PolicyTarget = {};
    if (role.accountId !== portalAccount) {
      if (!deps.revocationRoleName) return result('failed', 'no_identity');
      target = { viaRoleArn: `arn:aws:iam::${role.accountId}:role/${deps.revocationRoleName}` };
    }
    // Another account's real MaxSessionDuration is unknown to the portal: assume AWS's ceiling there.
    const window = role.accountId === portalAccount ? role.maxSeconds : ROLE_SESSION_CEILING_SECONDS;
    const live: RevocationEntry[] = entries.filter((e) => stillDenies(e.revokedAt, window, at));
    const document = rolePolicyDocument(live);
    try {
      if (document === null) {
        await aws.deleteRolePolicy(target, role.roleName, REVOCATION_POLICY_NAME);
        return result('cleared');
      }
      if (countedSize(document) > ROLE_INLINE_POLICY_LIMIT) return result('failed', 'policy_too_large');
      await aws.putRolePolicy(target, role.roleName, REVOCATION_POLICY_NAME, document);
      return result('denied');
    } catch (error) {
      return result('failed', failureCode(error));
    }
  }

  async function applyToUser(entry: Revocation, portalAccount: string, at: Date): Promise<TargetResult> {
    const arn = `arn:aws:iam::${portalAccount}:user/${entry.userName}`;
    const result = (status: TargetResult['status'], error?: string): TargetResult => ({
      kind: 'user',
      arn,
      accountId: portalAccount,
      status,
      ...(error ? { error } : {}),
    });
    try {
      if (!stillDenies(entry.revokedAt, deps.userSessionSeconds, at)) {
        await aws.deleteUserPolicy(entry.userName, REVOCATION_POLICY_NAME);
        return result('cleared');
      }
      await aws.putUserPolicy(entry.userName, REVOCATION_POLICY_NAME, userPolicyDocument(entry.revokedAt));
      return result('denied');
    } catch (error) {
      // A deleted IAM user has no sessions left that AWS would honour.
      if (error instanceof AwsCallError && error.kind === 'not_found') return result('cleared');
      return result('failed', failureCode(error));
    }
  }

  /** One apply at a time across instances: two interleaved writers could drop each other's entries. */
  async function withSyncLease<T>(work: () => Promise<T>): Promise<T> {
    const holder = randomUUID();
    for (let attempt = 0; ; attempt++) {
      if ((await leases.claim(SYNC_LEASE, holder, SYNC_LEASE_MS)).claimed) break;
      if (attempt >= 100) {
        throw serviceUnavailable(
          'revocation_busy',
          'Another revocation is being written to AWS. Try again in a minute.',
          60,
        );
      }
      await sleep(100 + Math.random() * 200);
    }
    try {
      return await work();
    } finally {
      await leases.release(SYNC_LEASE, holder);
    }
  }

  /** Makes IAM match the stored revocations, and drops the entries that have expired everywhere. */
  async function apply(): Promise<ApplyReport> {
    return withSyncLease(async () => {
      const at = now();
      const [rows, roles, identity] = await Promise.all([
        prisma.awsRevocation.findMany({ orderBy: { userName: 'asc' } }),
        roleTargets(),
        aws.portalCallerIdentity(),
      ]);
      const targets: TargetResult[] = [];
      for (const role of roles) targets.push(await applyToRole(role, rows, identity.account, at));
      for (const row of rows) targets.push(await applyToUser(row, identity.account, at));
      const complete = targets.every((t) => t.status !== 'failed');
      // An entry goes only once nothing can still need it and every policy was brought up to date.
      if (complete) {
        const expired = rows.filter((r) => r.expiresAt.getTime() <= at.getTime()).map((r) => r.userName);
        if (expired.length > 0)
          await prisma.awsRevocation.deleteMany({
            where: { userName: { in: expired }, expiresAt: { lte: at } },
          });
      }
      return { complete, targets };
    });
  }

  /** Records the revocation and ends the portal's sessions for the person, in one audited transaction. */
  async function record(
    requestedName: string,
    by: RevokedBy,
    inTransaction?: (tx: DbClient) => Promise<void>,
  ): Promise<{ revocation: Revocation; ended: EndedSessions }> {
    if (!USER_NAME.test(requestedName)) throw badRequest('invalid_user_name', 'That is not an IAM user name.');
    // One entry per person whatever the case they are typed in (IAM names are case-insensitive).
    const userName = (await custody.find(requestedName))?.userName ?? requestedName;
    const at = now();
    const outstanding = await issued.outstanding(prisma, userName, at);
    const latestIssue = outstanding.reduce<Date | null>(
      (latest, c) => (c.issuedAt && (!latest || c.issuedAt > latest) ? c.issuedAt : latest),
      null,
    );
    const revokedAt = cutoffAt(at, latestIssue);
    const expiresAt = expiryOf(revokedAt, await roleTargets());
    const sourceIdentity = roleSessionNameFor(userName);
    return auditedTransaction(prisma, async (tx) => {
      const existing = await tx.awsRevocation.findFirst({ where: { userNameKey: userName.toLowerCase() } });
      // A later revocation supersedes an earlier one (its cut-off covers everything before).
      const data = {
        sourceIdentity,
        revokedAt: existing && existing.revokedAt > revokedAt ? existing.revokedAt : revokedAt,
        expiresAt: existing && existing.expiresAt > expiresAt ? existing.expiresAt : expiresAt,
        revokedBy: by.actor,
      };
      const row = await tx.awsRevocation.upsert({
        where: { userNameKey: userName.toLowerCase() },
        create: { userNameKey: userName.toLowerCase(), userName, ...data },
        update: data,
      });
      const ended = await sessions.endAllOf(tx, userName);
      if (inTransaction) await inTransaction(tx);
      await audit.append(
        {
          actor: by.actor,
          action: AuditAction.AwsSessionsRevoke,
          outcome: 'success',
          roleSessionName: sourceIdentity,
          ...by.origin,
          metadata: {
            userName,
            revokedBefore: row.revokedAt.toISOString(),
            expiresAt: row.expiresAt.toISOString(),
            outstandingCredentials: outstanding.length,
            ...ended,
          },
        },
        tx,
      );
      return { revocation: toRevocation(row), ended };
    });
  }

  /** The audit row of an apply: failure (with the roles it could not change) unless complete. */
  async function recordApply(
    report: ApplyReport,
    by: RevokedBy,
    userName: string | null,
    tx?: DbClient,
  ): Promise<void> {
    const failed = report.targets.filter((t) => t.status === 'failed');
    await audit.append(
      {
        actor: by.actor,
        action: AuditAction.AwsSessionsApply,
        outcome: report.complete ? 'success' : 'failure',
        ...(report.complete ? {} : { errorCode: 'partially_applied' }),
        ...by.origin,
        metadata: {
          ...(userName ? { userName } : {}),
          denied: report.targets.filter((t) => t.status === 'denied').length,
          cleared: report.targets.filter((t) => t.status === 'cleared').length,
          failed: failed.length,
          failures: failed
            .map((t) => `${t.arn} (${t.error})`)
            .join(', ')
            .slice(0, 2000),
        },
      },
      tx,
    );
  }

  return {
    record,
    apply,
    recordApply,

    /** Admin action and self-service: record, then write to every role and the user; report each. */
    async revoke(userName: string, by: RevokedBy): Promise<RevokeResult> {
      const { revocation, ended } = await record(userName, by);
      const applied = await apply();
      await recordApply(applied, by, userName);
      return { revocation, ended, applied };
    },

    /** Housekeeping: refresh the policies and drop expired entries (audited only when something failed). */
    async cleanup(): Promise<ApplyReport | null> {
      const at = now();
      const due = await prisma.awsRevocation.count({ where: { expiresAt: { lte: at } } });
      if (due === 0) return null;
      const report = await apply();
      await recordApply(report, { actor: 'system' }, null);
      return report;
    },

    async list(): Promise<Revocation[]> {
      const rows = await prisma.awsRevocation.findMany({ orderBy: { revokedAt: 'desc' } });
      return rows.map(toRevocation);
    },

    /** The person's credentials that may still be valid, and whether a revocation already covers each. */
    async outstandingOf(userName: string): Promise<Array<IssuedCredential & { revoked: boolean }>> {
      const at = now();
      const [credentials, revocation] = await Promise.all([
        issued.outstanding(prisma, userName, at),
        prisma.awsRevocation.findUnique({ where: { userNameKey: userName.toLowerCase() } }),
      ]);
      return credentials.map((c) => ({
        ...c,
        revoked: revocation !== null && c.time.getTime() < revocation.revokedAt.getTime(),
      }));
    },
  };
}

function toRevocation(row: {
  userName: string;
  sourceIdentity: string;
  revokedAt: Date;
  expiresAt: Date;
  revokedBy: string;
}): Revocation {
  return {
    userName: row.userName,
    sourceIdentity: row.sourceIdentity,
    revokedAt: row.revokedAt,
    expiresAt: row.expiresAt,
    revokedBy: row.revokedBy,
  };
}

export type AwsRevocationService = ReturnType<typeof createAwsRevocationService>;
