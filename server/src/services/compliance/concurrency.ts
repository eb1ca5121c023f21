import { AwsCallError } from '../../aws/aws-errors.ts';

/** Runs `work` over `items` with at most `limit` calls in flight, keeping the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export interface BackoffOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Checked before each retry: a scan that is being stopped gives up at once. */
  cancelled?: () => boolean;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retries a call AWS throttled, waiting exponentially longer (with full jitter) each time. The
 * SDK already retries a few times; a scan of thousands of users makes many calls in a row and
 * must slow down instead of giving up on the first burst of throttling.
 */
export async function withThrottleBackoff<T>(call: () => Promise<T>, options: BackoffOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const throttled = error instanceof AwsCallError && (error.kind === 'throttled' || error.kind === 'unavailable');
      if (!throttled || attempt >= options.attempts || options.cancelled?.()) throw error;
      const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
      await pause(Math.round(ceiling / 2 + Math.random() * (ceiling / 2)), options.sleep, options.cancelled);
    }
  }
}

/** Waits `ms` in short slices, so a scan being stopped (at shutdown) does not sit out a long wait. */
export async function pause(
  ms: number,
  sleep: (ms: number) => Promise<void>,
  cancelled: () => boolean = () => false,
): Promise<void> {
  for (let left = ms; left > 0 && !cancelled(); left -= 250) await sleep(Math.min(250, left));
}
