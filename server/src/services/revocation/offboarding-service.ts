import type { AwsGateway } from '../../aws/aws-gateway.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import { badRequest } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import type { CustodyService } from '../custody/custody-service.ts';
import type { RevocationService } from '../sessions/revocation-service.ts';
import type { ApplyReport, AwsRevocationService, RevokedBy } from './aws-revocation-service.ts';

/**
 * Offboarding, in order: end portal sessions and tokens, revoke AWS sessions (record, then write
 * the policies), delete the portal-held access key in IAM and in the portal, and only if asked,
 * deactivate the user's other access keys and MFA devices.
 *
 * Resumable: the Offboarding row names the next step, and each step's audit row is written in the
 * same transaction that moves the row on. AWS calls come first and are idempotent, so a crash
 * anywhere repeats at most the AWS calls of the step it interrupted, never an audit row.
 */
export const OFFBOARDING_STEPS = [
  'end_sessions',
  'revoke_aws',
  'apply_aws',
  'delete_key',
  'deactivate_keys',
  'deactivate_mfa',
  'finish',
  'done',
] as const;
export type OffboardingStep = (typeof OFFBOARDING_STEPS)[number];

export interface OffboardingOptions {
  deactivateOtherKeys?: boolean;
  deactivateMfaDevices?: boolean;
}

/** Why the portal offboarded someone on its own (automatic offboarding), for the start's audit row. */
export type OffboardingReason = { kind: 'iam_user_deleted' } | { kind: 'left_granting_groups'; groupsLeft: string[] };

export interface OffboardingResult {
  userName: string;
  /** `done`, or `incomplete`: a step could not finish (see `applied`); run it again. */
  status: 'done' | 'incomplete';
  step: OffboardingStep;
  /** The AWS revocation's report, when this run wrote the policies. */
  applied?: ApplyReport;
}

export interface OffboardingServiceDeps {
  prisma: PrismaClient;
  revocations: Pick<AwsRevocationService, 'record' | 'apply' | 'recordApply'>;
  sessions: Pick<RevocationService, 'endAllOf'>;
  custody: Pick<CustodyService, 'find' | 'unenroll'>;
  /** Told when the portal no longer holds the user's key (the dashboard's enrolled column). */
  aws: Pick<AwsGateway, 'listAccessKeys' | 'deactivateAccessKey' | 'listMfaSerials' | 'deactivateMfaDevice'>;
  audit: Pick<AuditService, 'append'>;
  now?: () => Date;
}

const USER_NAME = /^[\w+=,.@-]{1,64}$/;

interface Row {
  userNameKey: string;
  userName: string;
  step: string;
  deactivateOtherKeys: boolean;
  deactivateMfaDevices: boolean;
}

export function createOffboardingService(deps: OffboardingServiceDeps) {
  const { prisma, revocations, sessions, custody, aws, audit } = deps;
  const now = deps.now ?? (() => new Date());

  function stepAfter(row: Row, step: OffboardingStep): OffboardingStep {
    const order = OFFBOARDING_STEPS.indexOf(step);
    const next = OFFBOARDING_STEPS[order + 1] ?? 'done';
    if (next === 'deactivate_keys' && !row.deactivateOtherKeys) return stepAfter(row, next);
    if (next === 'deactivate_mfa' && !row.deactivateMfaDevices) return stepAfter(row, next);
    return next;
  }

  /** Moves the row from `from` to the next step; fails (rolling back the step's audit row) if another run already did. */
  async function advance(tx: DbClient, row: Row, from: OffboardingStep): Promise<OffboardingStep> {
    const next = stepAfter(row, from);
    const moved = await tx.offboarding.updateMany({
      where: { userNameKey: row.userNameKey, step: from },
      data: { step: next, ...(next === 'done' ? { finishedAt: now() } : {}) },
    });
    if (moved.count !== 1) throw new StepTakenError();
    return next;
  }

  const stepAudit = (tx: DbClient, row: Row, by: RevokedBy, step: OffboardingStep, details: object) =>
    audit.append(
      {
        actor: by.actor,
        action: AuditAction.OffboardingStep,
        outcome: 'success',
        ...by.origin,
        metadata: { userName: row.userName, step, ...details },
      },
      tx,
    );

  /** Runs one step; returns the next step, or an incomplete result to stop at. */
  async function runStep(
    row: Row,
    step: OffboardingStep,
    by: RevokedBy,
  ): Promise<OffboardingStep | { stop: ApplyReport }> {
    switch (step) {
      case 'end_sessions':
        return auditedTransaction(prisma, async (tx) => {
          const ended = await sessions.endAllOf(tx, row.userName);
          await stepAudit(tx, row, by, step, ended);
          return advance(tx, row, step);
        });
      case 'revoke_aws': {
        let next: OffboardingStep = step;
        await revocations.record(row.userName, by, async (tx) => {
          next = await advance(tx, row, step);
        });
        return next;
      }
      case 'apply_aws': {
        const report = await revocations.apply();
        if (!report.complete) {
          await revocations.recordApply(report, by, row.userName);
          return { stop: report };
        }
        return auditedTransaction(prisma, async (tx) => {
          await revocations.recordApply(report, by, row.userName, tx);
          return advance(tx, row, step);
        });
      }
      case 'delete_key': {
        // custody.unenroll writes its own audit row and the snapshot's "enrolled" in one transaction;
        // when it committed before a crash the user is no longer enrolled, and the step only moves on.
        if (await custody.find(row.userName)) await custody.unenroll(row.userName, by);
        return auditedTransaction(prisma, (tx) => advance(tx, row, step));
      }
      case 'deactivate_keys': {
        const keys = await aws.listAccessKeys(row.userName).catch(notFoundIsEmpty);
        for (const key of keys)
          if (key.status === 'Active') await aws.deactivateAccessKey(row.userName, key.accessKeyId);
        return auditedTransaction(prisma, async (tx) => {
          await stepAudit(tx, row, by, step, { accessKeys: keys.map((k) => k.accessKeyId).join(',') });
          return advance(tx, row, step);
        });
      }
      case 'deactivate_mfa': {
        const serials = await aws.listMfaSerials(row.userName).catch(notFoundIsEmpty);
        for (const serial of serials) await aws.deactivateMfaDevice(row.userName, serial);
        return auditedTransaction(prisma, async (tx) => {
          await stepAudit(tx, row, by, step, { mfaDevices: serials.join(',') });
          return advance(tx, row, step);
        });
      }
      case 'finish':
        return auditedTransaction(prisma, async (tx) => {
          await audit.append(
            {
              actor: by.actor,
              action: AuditAction.OffboardingComplete,
              outcome: 'success',
              ...by.origin,
              metadata: { userName: row.userName },
            },
            tx,
          );
          return advance(tx, row, step);
        });
      case 'done':
        return 'done';
    }
  }

  /** The row to work on: a new offboarding (audited), the unfinished one, or a finished one. */
  async function start(
    userName: string,
    options: OffboardingOptions,
    by: RevokedBy,
    reason: OffboardingReason | undefined,
  ): Promise<Row> {
    const userNameKey = userName.toLowerCase();
    const existing = await prisma.offboarding.findUnique({ where: { userNameKey } });
    // Finished before, but enrolled again since: this is a new offboarding.
    const restart = existing?.step === 'done' && (await custody.find(userName)) !== null;
    if (existing && !restart) return existing;
    return auditedTransaction(prisma, async (tx) => {
      const data = {
        userName,
        step: 'end_sessions',
        deactivateOtherKeys: options.deactivateOtherKeys === true,
        deactivateMfaDevices: options.deactivateMfaDevices === true,
        startedBy: by.actor,
        startedAt: now(),
        finishedAt: null,
      };
      const row = restart
        ? await tx.offboarding.update({ where: { userNameKey }, data })
        : await tx.offboarding.create({ data: { userNameKey, ...data } });
      await audit.append(
        {
          actor: by.actor,
          action: AuditAction.OffboardingStart,
          outcome: 'success',
          ...by.origin,
          metadata: {
            userName,
            deactivateOtherKeys: data.deactivateOtherKeys,
            deactivateMfaDevices: data.deactivateMfaDevices,
            ...(reason ? { reason: reason.kind } : {}),
            ...(reason?.kind === 'left_granting_groups' ? { groupsLeft: reason.groupsLeft.join(',') } : {}),
          },
        },
        tx,
      );
      return row;
    });
  }

  return {
    /**
     * Offboards `userName`, or resumes their unfinished offboarding (with the options it was
     * started with). Running it again after it finished changes nothing. `reason` says why the
     * portal started it on its own (recorded when it starts, not when it resumes).
     */
    async offboard(
      requestedName: string,
      options: OffboardingOptions,
      by: RevokedBy,
      reason?: OffboardingReason,
    ): Promise<OffboardingResult> {
      if (!USER_NAME.test(requestedName)) throw badRequest('invalid_user_name', 'That is not an IAM user name.');
      const userName = (await custody.find(requestedName))?.userName ?? requestedName;
      const row = await start(userName, options, by, reason);
      let step = row.step as OffboardingStep;
      while (step !== 'done') {
        let outcome: Awaited<ReturnType<typeof runStep>>;
        try {
          outcome = await runStep(row, step, by);
        } catch (error) {
          // Another run of the same offboarding moved on first: continue from where it is.
          if (!(error instanceof StepTakenError)) throw error;
          const current = await prisma.offboarding.findUnique({ where: { userNameKey: row.userNameKey } });
          outcome = (current?.step ?? 'done') as OffboardingStep;
        }
        if (typeof outcome === 'object')
          return { userName: row.userName, status: 'incomplete', step, applied: outcome.stop };
        step = outcome;
      }
      return { userName: row.userName, status: 'done', step };
    },

    /** Offboardings not finished yet (a crash, or an AWS failure to retry). */
    async unfinished(): Promise<Array<{ userName: string; step: string; startedAt: Date }>> {
      return prisma.offboarding.findMany({
        where: { step: { not: 'done' } },
        select: { userName: true, step: true, startedAt: true },
        orderBy: { startedAt: 'asc' },
      });
    },
  };
}

class StepTakenError extends Error {}

function notFoundIsEmpty(error: unknown): never[] {
  if ((error as { kind?: string }).kind === 'not_found') return [];
  throw error;
}

export type OffboardingService = ReturnType<typeof createOffboardingService>;
