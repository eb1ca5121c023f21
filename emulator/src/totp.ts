import { generateSync, verifySync } from 'otplib';

/**
 * RFC 6238 TOTP as AWS virtual and hardware MFA devices use it: HMAC-SHA1, 6 digits, 30 s steps
 * from epoch 0. otplib does the arithmetic; this module adds AWS's rules: at most one step of
 * clock skew either way, and a code (or any code of an earlier step) is never accepted twice.
 */

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** Remembers the last accepted step per device serial (the store's `lastAcceptedStep`). */
export type AcceptedSteps = Map<string, number>;

const epochSeconds = (now: Date): number => Math.floor(now.getTime() / 1000);

export const timeStepAt = (now: Date): number => Math.floor(epochSeconds(now) / TOTP_PERIOD_SECONDS);

/** Accepts `JBSW Y3DP` and lower case the way authenticator apps do; otplib wants plain upper case. */
export const normalizeSeed = (seed: string): string => seed.replace(/[\s=]/g, '').toUpperCase();

/** The code a device with this seed shows at `now`. */
export function currentCode(seed: string, now: Date): string {
  return generateSync({
    secret: normalizeSeed(seed),
    epoch: epochSeconds(now),
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

/** The code of a given time step (EnableMFADevice checks two consecutive steps). */
export function codeAtStep(seed: string, step: number): string {
  return currentCode(seed, new Date(step * TOTP_PERIOD_SECONDS * 1000));
}

/**
 * Verifies `token` for the device `serial` and, when valid, records its step so neither it nor
 * any earlier code works again. Returns false for wrong, replayed, stale or malformed codes.
 */
export function verifyAndConsumeCode(
  accepted: AcceptedSteps,
  serial: string,
  seed: string,
  token: string,
  now: Date,
): boolean {
  if (!/^\d{6}$/.test(token)) return false;
  const last = accepted.get(serial);
  // Every step we could still accept is <= current + 1; nothing is left once that one was used.
  // (otplib would throw for an afterTimeStep beyond its window, e.g. when a test moves time back.)
  if (last !== undefined && last >= timeStepAt(now) + 1) return false;
  const result = verifySync({
    secret: normalizeSeed(seed),
    token,
    epoch: epochSeconds(now),
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    // +-30 s around now covers exactly the previous, current and next step.
    epochTolerance: TOTP_PERIOD_SECONDS,
    ...(last === undefined ? {} : { afterTimeStep: last }),
  });
  // (The union also covers HOTP results, which have no time step.)
  if (!result.valid || !('timeStep' in result)) return false;
  accepted.set(serial, result.timeStep);
  return true;
}
