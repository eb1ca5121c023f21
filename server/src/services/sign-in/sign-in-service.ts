import { randomUUID } from 'node:crypto';
import { AwsCallError } from '../../aws/aws-errors.ts';
import type {
  AssumedRoleCredentials,
  AssumeRoleInput,
  AwsGateway,
  TemporaryCredentials,
} from '../../aws/aws-gateway.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import { AppError } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import type { AttemptLimiter, Reservation } from '../abuse/attempt-limiter.ts';
import type { AuditAction as AuditActionName, AuditOutcome, RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import { appErrorFromAws, auditErrorCode, invalidMfaCode } from '../aws-error-mapping.ts';
import { type CustodyService, isFidoSerial, type UserKey } from '../custody/custody-service.ts';
import type { MfaSessionStore } from '../sessions/mfa-session-store.ts';

export interface CodeAttempt {
  userName: string;
  code: string;
  origin: RequestOrigin;
}

/**
 * Why an attempt was turned away: the answer, and what its audit row records. The caller that
 * owns the audit action writes the row, then answers with `answerRejection`.
 */
export interface Rejection {
  error: AppError;
  /** For the audit row: AWS's failure kind when AWS refused, else the answer's code. */
  errorCode: string;
  outcome: Exclude<AuditOutcome, 'success'>;
  /** The answer leaves no sooner than this (epoch ms), so its timing tells nothing. */
  answerAt: number;
  /**
   * A refusal for a spent attempt budget after the first one of its window: the attempt counter
   * counts it, so the caller writes no audit row (a flood cannot grow the audit log).
   */
  countedOnly?: true;
}

/** An attempt the portal lets AWS judge: budget left, a well-formed code, an enrolled user whose key opened. */
export interface AdmittedAttempt {
  user: UserKey;
  /** The normalised 6-digit code. */
  code: string;
  /** The attempt reserved from the budgets before AWS sees the code. */
  reservation: Reservation;
  startedAt: number;
}

export type Admission = { admitted: AdmittedAttempt; rejected?: never } | { rejected: Rejection; admitted?: never };

/** A code AWS accepted, with what AWS handed out for it. */
export interface VerifiedAttempt<C> {
  /** `mfaSerial` is the device whose code AWS accepted (the enrolled one, or another of the user's). */
  user: UserKey;
  credentials: C;
}

export type Verification<C> =
  | { verified: VerifiedAttempt<C>; rejected?: never }
  | { rejected: Rejection; verified?: never };

export interface SignInServiceDeps {
  prisma: PrismaClient;
  aws: Pick<AwsGateway, 'getSessionToken' | 'assumeRole' | 'listMfaDevices'>;
  custody: Pick<CustodyService, 'loadKey' | 'recordSignIn'>;
  limiter: Pick<AttemptLimiter, 'reserve' | 'refund'>;
  audit: AuditService;
  mfaSessions: MfaSessionStore;
  /** Every rejected code is answered no sooner than this after the request began, so a reply's timing does not tell unknown users from wrong codes. */
  failureFloorMs: number;
  now?: () => Date;
  /** Told of every turned-away attempt (its audit error code) and every spent budget: the metrics. */
  observe?: { rejection(reason: string): void; budgetRefusal(budget: string): void };
}

/** GetSessionToken's shortest session: what the portal asks for when it only needs AWS's verdict on a code. */
const MIN_SESSION_SECONDS = 900;

/** AWS's limit of MFA devices per IAM user: at most this many are asked about one code. */
const MAX_MFA_DEVICES = 8;

/** A 6-digit code, tolerating the spaces people paste ("123 456"). */
export function normalizeCode(code: string): string | null {
  const digits = code.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/** The actor an audit row names for a turned-away attempt: the user name as typed, clipped. */
export const attemptActor = (attempt: CodeAttempt) => attempt.userName.slice(0, 64);

/** Waits until the rejection may be answered, then throws its error. */
export async function answerRejection(rejection: Rejection): Promise<never> {
  const wait = rejection.answerAt - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  throw rejection.error;
}

/**
 * Everything that proves a person with an MFA code: the attempt budget, the user's key and AWS's
 * verdict. It returns plain data (an admitted attempt, a verified attempt, or a rejection); the
 * service that owns the audit action writes its rows. Unknown users, users the portal holds no
 * key for and wrong codes all get the same answer after the same minimum time.
 *
 * The attempt limiter is used only here: `admit` reserves an attempt, `settle` keeps it spent or
 * gives it back.
 */
export function createSignInService(deps: SignInServiceDeps) {
  const { prisma, aws, custody, limiter, audit, mfaSessions, failureFloorMs, now = () => new Date() } = deps;

  const rejection = (
    startedAt: number,
    error: AppError,
    errorCode: string,
    outcome: Rejection['outcome'] = 'failure',
  ): Rejection => {
    deps.observe?.rejection(errorCode);
    return {
      error,
      errorCode,
      outcome,
      answerAt: error.code === 'invalid_mfa_code' ? startedAt + failureFloorMs : startedAt,
    };
  };

  async function hasNoMfaDevice(userName: string): Promise<boolean> {
    try {
      return (await aws.listMfaDevices(userName)).length === 0;
    } catch {
      return false;
    }
  }

  /**
   * Keeps the reserved attempt spent, or gives it back. Wrong codes, and refusals an
   * unauthenticated caller could use to probe who is enrolled or which roles exist, spend it;
   * a verified code, mistakes in durations and AWS outages do not.
   */
  async function settle(attempt: AdmittedAttempt, error: AppError | null): Promise<void> {
    if (!error || ![401, 403, 404].includes(error.statusCode)) await limiter.refund(attempt.reservation);
  }

  async function awsRejection(attempt: AdmittedAttempt, error: unknown): Promise<Rejection> {
    // AWS has not accepted the code, so nothing about this user may show: a user left without an
    // MFA device, or whose portal key AWS no longer takes, is answered and counted like a wrong
    // code. Only the audit row (for admins) says which it was.
    if (
      error instanceof AwsCallError &&
      error.kind === 'mfa_device_mismatch' &&
      (await hasNoMfaDevice(attempt.user.userName))
    ) {
      return rejection(attempt.startedAt, invalidMfaCode(), 'no_mfa_device');
    }
    const appError = appErrorFromAws(error);
    if (appError.code === 'not_enrolled') return rejection(attempt.startedAt, invalidMfaCode(), 'invalid_key');
    await settle(attempt, appError);
    return rejection(
      attempt.startedAt,
      appError,
      auditErrorCode(error, appError),
      appError.statusCode === 403 ? 'denied' : 'failure',
    );
  }

  /** AWS refused the code for this device (wrong code, or not a device of this user): another device may take it. */
  const refusedCode = (error: unknown) =>
    error instanceof AwsCallError && (error.kind === 'invalid_mfa_code' || error.kind === 'mfa_device_mismatch');

  /** The user's other TOTP devices (AWS allows 8 per user), after the enrolled one; none if IAM cannot say. */
  async function otherDevices(user: UserKey): Promise<string[]> {
    try {
      const devices = await aws.listMfaDevices(user.userName);
      return devices
        .map((d) => d.serialNumber)
        .filter((serial) => serial !== user.mfaSerial && !isFidoSerial(serial))
        .slice(0, MAX_MFA_DEVICES - 1);
    } catch {
      return [];
    }
  }

  /**
   * Asks AWS with the enrolled device first, then (unless the enrolment pins it) with each other
   * TOTP device of the user, all within the one attempt already reserved: a person with two
   * authenticators signs in with either. AWS refusing the code for every device is one wrong code.
   */
  async function verifyWith<C>(
    attempt: AdmittedAttempt,
    call: (serial: string) => Promise<C>,
  ): Promise<Verification<C>> {
    const { user } = attempt;
    let firstError: unknown;
    try {
      const credentials = await call(user.mfaSerial);
      await settle(attempt, null);
      return { verified: { user, credentials } };
    } catch (error) {
      if (user.mfaSerialPinned || !refusedCode(error)) return { rejected: await awsRejection(attempt, error) };
      firstError = error;
    }
    for (const serial of await otherDevices(user)) {
      try {
        const credentials = await call(serial);
        await settle(attempt, null);
        return { verified: { user: { ...user, mfaSerial: serial }, credentials } };
      } catch (error) {
        if (!refusedCode(error)) return { rejected: await awsRejection(attempt, error) };
      }
    }
    return { rejected: await awsRejection(attempt, firstError) };
  }

  /**
   * The checks before AWS is asked anything: an attempt reserved from the budgets (atomically in
   * the database, so parallel requests on every instance share them), the code's shape, and
   * whether the portal holds a key for the user.
   */
  async function admit(attempt: CodeAttempt): Promise<Admission> {
    const startedAt = Date.now();
    const reserved = await limiter.reserve({ userName: attempt.userName, sourceIp: attempt.origin.sourceIp });
    if (!reserved.granted) {
      deps.observe?.budgetRefusal(reserved.budget);
      const minutes = Math.ceil(reserved.retryAfterSeconds / 60);
      const error = new AppError(
        429,
        'too_many_attempts',
        `Too many wrong codes. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        { 'retry-after': String(reserved.retryAfterSeconds) },
      );
      const refused = rejection(startedAt, error, 'too_many_attempts', 'denied');
      return { rejected: reserved.blockStarted ? refused : { ...refused, countedOnly: true } };
    }
    const { reservation } = reserved;
    // A malformed code spends its attempt too: every audited rejection does, so no flood of them
    // can grow the audit log beyond the budgets.
    const code = normalizeCode(attempt.code);
    if (!code)
      return {
        rejected: rejection(
          startedAt,
          new AppError(400, 'invalid_request', 'An MFA code is 6 digits.'),
          'malformed_code',
        ),
      };

    // The portal failing to read its own keys (no master key, database down) is no guess.
    const user = await custody.loadKey(attempt.userName).catch(async (error: unknown) => {
      await limiter.refund(reservation);
      throw error;
    });
    if (!user) return { rejected: rejection(startedAt, invalidMfaCode(), 'not_enrolled') };
    return { admitted: { user, code, reservation, startedAt } };
  }

  /** AWS judges the code with GetSessionToken (no policy can deny it). */
  function verifyBySessionToken(
    attempt: AdmittedAttempt,
    durationSeconds: number,
  ): Promise<Verification<TemporaryCredentials>> {
    const { user, code } = attempt;
    return verifyWith(attempt, (serialNumber) =>
      aws.getSessionToken(user.key, { serialNumber, tokenCode: code, durationSeconds }),
    );
  }

  return {
    admit,

    verifyBySessionToken,

    /** AWS judges the code with AssumeRole (SerialNumber and TokenCode), signed with the user's key. */
    verifyByAssumeRole(
      attempt: AdmittedAttempt,
      input: Omit<AssumeRoleInput, 'serialNumber' | 'tokenCode'>,
    ): Promise<Verification<AssumedRoleCredentials>> {
      const { user, code } = attempt;
      return verifyWith(attempt, (serialNumber) =>
        aws.assumeRole(user.key, { ...input, serialNumber, tokenCode: code }),
      );
    },

    /**
     * The portal cannot grant the request (unknown role, a role not granted, a bad duration), but
     * says so only to someone whose code AWS accepts: AWS judges the code first (GetSessionToken,
     * which spends it), so a guesser gets the same 401 after the same floor as for a wrong code,
     * counted against the budget.
     */
    async refuse(attempt: AdmittedAttempt, error: AppError): Promise<Rejection> {
      const verification = await verifyBySessionToken(attempt, MIN_SESSION_SECONDS);
      if (verification.rejected) return verification.rejected;
      return rejection(attempt.startedAt, error, error.code, error.statusCode === 403 ? 'denied' : 'failure');
    },

    /**
     * Browser sign-in and CLI tokens: GetSessionToken with the code, then the MFA session is
     * stored sealed and the event audited in one transaction. Writes every row of `action`.
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
      const reject = async (turnedAway: Rejection): Promise<never> => {
        if (turnedAway.countedOnly) return answerRejection(turnedAway);
        await audit.append({
          actor: attemptActor(attempt),
          action,
          outcome: turnedAway.outcome,
          errorCode: turnedAway.errorCode,
          ...attempt.origin,
        });
        return answerRejection(turnedAway);
      };
      const admission = await admit(attempt);
      if (admission.rejected) return reject(admission.rejected);
      const verification = await verifyBySessionToken(admission.admitted, durationSeconds);
      if (verification.rejected) return reject(verification.rejected);
      const { user, credentials } = verification.verified;
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
            metadata: {
              mfaSessionId: sessionId,
              expiresAt: credentials.expiration.toISOString(),
              mfaSerial: user.mfaSerial,
            },
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
