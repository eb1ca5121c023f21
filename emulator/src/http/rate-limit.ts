/**
 * IAM-like request-rate limits: one token bucket per AWS account. AWS does not publish IAM's
 * rates; it answers an account that calls too fast with 400 `Throttling` "Rate exceeded" and the
 * SDKs back off. Off unless configured (`--rate-limit` / `startEmulator({ rateLimit })`).
 */
export interface RateLimitSettings {
  /** Tokens added per second: the sustained request rate an account gets. */
  requestsPerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
}

export class RateLimitSettingsError extends Error {}

export function checkRateLimitSettings(settings: RateLimitSettings): RateLimitSettings {
  const problems: string[] = [];
  if (
    !Number.isFinite(settings.requestsPerSecond) ||
    settings.requestsPerSecond <= 0 ||
    settings.requestsPerSecond > 100_000
  )
    problems.push('requestsPerSecond must be a number above 0 and at most 100000');
  if (!Number.isInteger(settings.burst) || settings.burst < 1 || settings.burst > 100_000)
    problems.push('burst must be an integer from 1 to 100000');
  if (problems.length > 0) throw new RateLimitSettingsError(problems.join('; '));
  return settings;
}

export interface RateLimiter {
  /** Takes a token from the account's bucket; false means "answer Throttling". */
  take(account: string): boolean;
  /** Requests refused so far, per account (tests check the throttling was real). */
  refused(): Record<string, number>;
}

/** `clock` returns milliseconds on a monotonic scale (real time, not the emulator's movable clock). */
export function createRateLimiter(
  settings: RateLimitSettings,
  clock: () => number = () => performance.now(),
): RateLimiter {
  const { requestsPerSecond, burst } = checkRateLimitSettings(settings);
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refusals = new Map<string, number>();
  return {
    take(account) {
      const now = clock();
      const bucket = buckets.get(account) ?? { tokens: burst, at: now };
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * requestsPerSecond);
      bucket.at = now;
      buckets.set(account, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return true;
      }
      refusals.set(account, (refusals.get(account) ?? 0) + 1);
      return false;
    },
    refused: () => Object.fromEntries(refusals),
  };
}

export const THROTTLING = { status: 400, code: 'Throttling', message: 'Rate exceeded' } as const;
