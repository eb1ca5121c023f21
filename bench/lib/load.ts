import autocannon, { type AutocannonRequest } from 'autocannon';

export interface LoadRun {
  /** Per-request latencies (ms) of the answers that were 2xx. */
  latencies: number[];
  ok: number;
  failed: number;
  wallMs: number;
  statusCodes: Record<string, number>;
}

let clientNumber = 0;
/** A new client address for every request: each from its own "machine" behind the trusted proxy. */
export function nextClientAddress(): string {
  clientNumber++;
  return `10.${(clientNumber >> 16) & 255}.${(clientNumber >> 8) & 255}.${clientNumber & 255}`;
}

/**
 * `amount` requests through autocannon (a real HTTP load generator, keep-alive connections) with
 * `connections` in flight, each request from its own X-Forwarded-For address.
 */
export async function httpLoad(options: {
  url: string;
  connections: number;
  amount: number;
  request: () => Omit<AutocannonRequest, 'setupRequest'>;
}): Promise<LoadRun> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const started = performance.now();
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    amount: options.amount,
    timeout: 30,
    requests: [
      {
        setupRequest: (defaults) => {
          const request = options.request();
          return {
            ...defaults,
            ...request,
            headers: { ...defaults.headers, ...request.headers, 'x-forwarded-for': nextClientAddress() },
          };
        },
      },
    ],
  });
  // The load's own span, from the first request sent to the last answer (autocannon's start-up
  // and its closing tick are not the portal's time).
  let firstSent = Number.POSITIVE_INFINITY;
  let lastAnswered = started;
  instance.on('response', (_client, statusCode, _bytes, ms) => {
    const now = performance.now();
    firstSent = Math.min(firstSent, now - ms);
    lastAnswered = now;
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
  });
  await instance;
  const wallMs = Number.isFinite(firstSent) ? lastAnswered - firstSent : performance.now() - started;
  return {
    latencies,
    ok: latencies.length,
    failed: options.amount - latencies.length,
    wallMs,
    statusCodes,
  };
}

/** `amount` calls of `call` with `concurrency` in flight (the direct SDK side). */
export async function callLoad(concurrency: number, amount: number, call: () => Promise<unknown>): Promise<LoadRun> {
  const latencies: number[] = [];
  let started = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < amount) {
        started++;
        const t = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t);
        } catch (error) {
          failed++;
          if (failed === 1) console.warn(`direct call failed: ${String(error)}`);
        }
      }
    }),
  );
  return { latencies, ok: latencies.length, failed, wallMs: performance.now() - t0, statusCodes: {} };
}
