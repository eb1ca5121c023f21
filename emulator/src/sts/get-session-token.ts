import { accessDenied } from '../protocol/aws-error.ts';
import type { Operation } from '../protocol/operation.ts';
import { verifyCallerMfa } from './mfa-verification.ts';
import { issueSession } from './session-issuer.ts';
import { readMfaParams, requireMfaPair, ValidationCollector } from './sts-validation.ts';

export const GET_SESSION_TOKEN_DURATION = { min: 900, max: 129_600, default: 43_200 };

/**
 * GetSessionToken is an authentication operation: identity policies cannot deny it (so it never
 * calls ctx.authorize), but only long-term user keys may call it.
 */
export const getSessionToken: Operation = (ctx) => {
  const { caller, params, now } = ctx;
  if (caller.kind !== 'user') throw accessDenied('Cannot call GetSessionToken with session credentials');

  const errors = new ValidationCollector();
  const duration = params.integer('DurationSeconds');
  errors.range(duration, 'durationSeconds', GET_SESSION_TOKEN_DURATION.min, GET_SESSION_TOKEN_DURATION.max);
  const mfa = readMfaParams(params, errors);
  errors.throwIfAny();
  requireMfaPair(mfa);

  const mfaAuthenticatedAt =
    mfa.serialNumber !== undefined && mfa.tokenCode !== undefined
      ? verifyCallerMfa(ctx, mfa.serialNumber, mfa.tokenCode)
      : null;
  const issuedAt = Math.floor(now.getTime() / 1000) * 1000;
  const expiresAt = new Date(issuedAt + (duration ?? GET_SESSION_TOKEN_DURATION.default) * 1000);
  const credentials = issueSession(ctx.store, now, expiresAt, (accessKeyId) => ({
    kind: 'user-session',
    account: caller.account,
    arn: caller.arn,
    userName: caller.userName,
    userId: caller.userId,
    accessKeyId,
    mfaAuthenticatedAt,
    issuedAt: new Date(issuedAt),
    expiresAt,
  }));
  return { Credentials: credentials };
};
