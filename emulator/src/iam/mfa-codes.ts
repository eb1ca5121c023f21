import { timingSafeEqual } from 'node:crypto';
import { AwsError } from '../protocol/aws-error.ts';
import { codeAtStep, timeStepAt } from '../totp.ts';

const sameCode = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Finds the step `s` within `stepsBack..stepsAhead` of now for which `code1` is the device's code
 * at `s - 1` and `code2` its code at `s` (EnableMFADevice and ResyncMFADevice want two consecutive
 * codes). Returns the step of `code2`, or throws 403 InvalidAuthenticationCode like AWS.
 */
export function verifyConsecutiveCodes(
  seed: string,
  code1: string,
  code2: string,
  now: Date,
  window: { stepsBack: number; stepsAhead: number },
): number {
  const current = timeStepAt(now);
  for (let step = current + window.stepsAhead; step >= current - window.stepsBack; step--) {
    if (sameCode(codeAtStep(seed, step - 1), code1) && sameCode(codeAtStep(seed, step), code2)) return step;
  }
  throw new AwsError('InvalidAuthenticationCode', 'Authentication code for device is not valid.', 403);
}

/** EnableMFADevice: the pair must end at the current step or the one before (codes just read off the app). */
export const ENABLE_WINDOW = { stepsBack: 1, stepsAhead: 0 };
/** ResyncMFADevice exists for drifted clocks: accept a pair up to five minutes either way. */
export const RESYNC_WINDOW = { stepsBack: 10, stepsAhead: 10 };
