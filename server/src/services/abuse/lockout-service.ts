import { notFound } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import { parseBudgetKey } from './attempt-budgets.ts';
import type { AttemptLimiter, Lockout } from './attempt-limiter.ts';

export interface LockoutServiceDeps {
  prisma: PrismaClient;
  limiter: Pick<AttemptLimiter, 'lockouts' | 'lift'>;
  audit: Pick<AuditService, 'append'>;
}

/** The admin's view of spent MFA attempt budgets: who is locked out, and lifting a lockout (audited). */
export function createLockoutService({ prisma, limiter, audit }: LockoutServiceDeps) {
  return {
    list(): Promise<Lockout[]> {
      return limiter.lockouts();
    },

    /** Clears one budget's counter; the audit row is written in the same transaction. */
    async lift(input: { key: string; admin: string; origin: RequestOrigin }): Promise<void> {
      const parts = parseBudgetKey(input.key);
      const missing = () =>
        notFound('lockout_not_found', 'There is no such lockout (any more): its window may have ended.');
      if (!parts) throw missing();
      await auditedTransaction(prisma, async (tx) => {
        const lifted = await limiter.lift(input.key, tx);
        if (!lifted) throw missing();
        await audit.append(
          {
            actor: input.admin,
            action: AuditAction.LockoutLift,
            outcome: 'success',
            ...input.origin,
            metadata: {
              budget: parts.budget,
              userName: parts.userName,
              lockedSourceIp: parts.sourceIp,
              failures: lifted.failures,
              refusals: lifted.refusals,
              windowStart: lifted.windowStart.toISOString(),
            },
          },
          tx,
        );
      });
    },
  };
}

export type LockoutService = ReturnType<typeof createLockoutService>;
