import { randomUUID } from 'node:crypto';
import { AwsCallError } from '../../aws/aws-errors.ts';
import type { AwsGateway, TemporaryCredentials } from '../../aws/aws-gateway.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import { AppError, conflict } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import type { AttemptLimiter } from '../abuse/attempt-limiter.ts';
import type { AuditAction as AuditActionName, RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import { appErrorFromAws, invalidMfaCode } from '../aws-error-mapping.ts';
import type { CustodyService, UserKey } from '../custody/custody-service.ts';
import type { MfaSessionStore } from '../sessions/mfa-session-store.ts';

export interface CodeAttempt {
  userName: string;
  code: string;
  origin: RequestOrigin;
}

export interface SignInServiceDeps {
  prisma: PrismaClient;
  aws: Pick<AwsGateway, 'getSessionToken' | 'listMfaDevices'>;
  custody: Pick<CustodyService, 'loadKey' | 'recordSignIn'>;
  limiter: Pick<AttemptLimiter, 'reserve' | 'refund'>;
  audit: AuditService;
  mfaSessions: MfaSessionStore;
  /** Every rejected code is answered no sooner than this after the request began, so a reply's timing does not tell unknown users from wrong codes. */
  failureFloorMs: number;
  now?: () => Date;
}

/** A 6-digit code, tolerating the spaces people paste ("123 456"). */
export function normalizeCode(code: string): string | null {
  const digits = code.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * Everything that proves a person with an MFA code: throttling, the user's key, AWS's verdict,
 * failure counting and audit. Unknown users, users the portal holds no key for and wrong codes
 * all get the same answer after the same minimum time.
 */
export function createSignInService(deps: SignInServiceDeps) {
  const { prisma, aws, custody, limiter, audit, mfaSessions, failureFloorMs, now = () => new Date() } = deps;

  async function hasNoMfaDevice(userName: string): Promise<boolean> {
    try {
      return (await aws.listMfaDevices(userName)).length === 0;
    } catch {
      return false;
    }
  }

  async function delayUntilFloor(startedAt: number): Promise<void> {
    const wait = startedAt + failureFloorMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /**
   * Reserves an attempt, checks the code's shape and loads the user's key; the caller then asks
   * AWS to verify the code (its call depends on the path) inside `verify`. Every rejection keeps
   * its attempt spent, except those AWS never judged as a guess (outages, bad durations); a right
   * code gives its attempt back. Rejections are audited here, refusals for a spent budget only
   * once per window (the counter row counts the rest).
   */
  async function withVerifiedCode<T>(
    attempt: CodeAttempt,
    action: AuditActionName,
    verify: (user: UserKey, code: string) => Promise<T>,
    auditExtras: { targetRoleArn?: string; roleSessionName?: string } = {},
  ): Promise<{ user: UserKey; result: T }> {
    const startedAt = Date.now();
    const reserved = await limiter.reserve({ userName: attempt.userName, sourceIp: attempt.origin.sourceIp });
    if (!reserved.granted) {
      if (reserved.blockStarted) {
        await audit.append({
          actor: attempt.userName.slice(0, 64),
          action,
          outcome: 'denied',
          errorCode: 'too_many_attempts',
          ...auditExtras,
          ...attempt.origin,
          metadata: { budget: reserved.budget },
        });
      }
      const minutes = Math.ceil(reserved.retryAfterSeconds / 60);
      throw new AppError(
        429,
        'too_many_attempts',
        `Too many wrong codes. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        { 'retry-after': String(reserved.retryAfterSeconds) },
      );
    }
    const { reservation } = reserved;
    const fail = async (
      errorCode: string,
      error: AppError,
      outcome: 'failure' | 'denied' = 'failure',
      count = true,
    ): Promise<never> => {
      if (!count) await limiter.refund(reservation);
      await audit.append({
        actor: attempt.userName.slice(0, 64),
        action,
        outcome,
        errorCode,
        ...auditExtras,
        ...attempt.origin,
      });
      if (error.code === 'invalid_mfa_code') await delayUntilFloor(startedAt);
      throw error;
    };

    // A malformed code spends its attempt too: every audited rejection does, so no flood of
    // them can grow the audit log beyond the budgets.
    const code = normalizeCode(attempt.code);
    if (!code) return fail('malformed_code', new AppError(400, 'invalid_request', 'An MFA code is 6 digits.'));

    // The portal failing to read its own keys (no master key, database down) is no guess.
    const user = await custody.loadKey(attempt.userName).catch(async (error: unknown) => {
      await limiter.refund(reservation);
      throw error;
    });
    if (!user) return fail('not_enrolled', invalidMfaCode());

    try {
      const result = await verify(user, code);
      await limiter.refund(reservation);
      return { user, result };
    } catch (error) {
      // AWS says the serial is not the user's device: if the user has none left, say so (the
      // portal already knows this user is enrolled, so nothing new is revealed to a guesser).
      if (
        error instanceof AwsCallError &&
        error.kind === 'mfa_device_mismatch' &&
        (await hasNoMfaDevice(user.userName))
      ) {
        const noDevice = conflict(
          'no_mfa_device',
          'Your IAM user has no MFA device any more. Set one up (or ask an administrator for a set-up link), then sign in with its code.',
        );
        return fail('no_mfa_device', noDevice, 'failure', false);
      }
      const appError = appErrorFromAws(error);
      // Wrong codes, and refusals an unauthenticated caller could use to probe who is enrolled
      // or which roles exist, spend the budget; mistakes in durations and AWS outages do not.
      const countsAsGuess = [401, 403, 404].includes(appError.statusCode);
      const errorCode = error instanceof AwsCallError ? error.kind : appError.code;
      return fail(errorCode, appError, appError.statusCode === 403 ? 'denied' : 'failure', countsAsGuess);
    }
  }

  return {
    withVerifiedCode,

    /**
     * Browser sign-in and CLI tokens: GetSessionToken with the code (no policy can deny it),
     * then the MFA session is stored sealed and the event audited in one transaction.
     */
    async openMfaSession(
      attempt: CodeAttempt,
      action: AuditActionName,
      durationSeconds: number,
      onCommit?: (
        tx: DbClient,
        opened: { sessionId: string; user: UserKey; credentials: TemporaryCredentials },
      ) => Promise<void>,
    ): Promise<{ user: UserKey; sessionId: string; credentials: TemporaryCredentials; authenticatedAt: Date }> {
      const authenticatedAt = now();
      const { user, result: credentials } = await withVerifiedCode(attempt, action, (u, code) =>
        aws.getSessionToken(u.key, { serialNumber: u.mfaSerial, tokenCode: code, durationSeconds }),
      );
      const sessionId = randomUUID();
      await auditedTransaction(prisma, async (tx) => {
        await mfaSessions.create(tx, {
          id: sessionId,
          userName: user.userName,
          accountId: user.accountId,
          mfaSerial: user.mfaSerial,
          authenticatedAt,
          credentials,
        });
        if (onCommit) await onCommit(tx, { sessionId, user, credentials });
        await audit.append(
          {
            actor: user.userName,
            action,
            outcome: 'success',
            ...attempt.origin,
            metadata: { mfaSessionId: sessionId, expiresAt: credentials.expiration.toISOString() },
          },
          tx,
        );
      });
      await custody.recordSignIn(user.userName);
      return { user, sessionId, credentials, authenticatedAt };
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
