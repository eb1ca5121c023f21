/**
 * Fault injection for reliability tests (off by default): extra latency, throttling, server
 * errors, dropped connections and malformed XML, each as a probability per AWS request. Configured over HTTP at
 * `/__emulator/faults`, a path AWS never uses.
 */
export interface FaultSettings {
  /** Added before every AWS request is answered. */
  latencyMs: number;
  /** Probability (0..1) of 400 Throttling "Rate exceeded". */
  throttleRate: number;
  /** Probability (0..1) of a 5xx answer. */
  errorRate: number;
  /** Which 5xx: 500 InternalFailure, 503 ServiceUnavailable, or a random one of both. */
  errorStatus: 500 | 503 | 'random';
  /** Probability (0..1) that the connection is destroyed without an answer (`true` = 1). */
  dropConnections: number;
  /** Probability (0..1) of a 200 answer whose XML body is cut off mid-element. */
  malformedRate: number;
}

export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  throttleRate: 0,
  errorRate: 0,
  errorStatus: 'random',
  dropConnections: 0,
  malformedRate: 0,
});

const MAX_LATENCY_MS = 60_000;

export class FaultSettingsError extends Error {}

const isRate = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;

/** Validates a (partial) update; fields left out keep their current value. */
export function updateFaultSettings(current: FaultSettings, input: unknown): FaultSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new FaultSettingsError('body must be a JSON object');
  const next = { ...current };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case 'latencyMs':
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_LATENCY_MS)
          next.latencyMs = value;
        else problems.push(`latencyMs must be an integer from 0 to ${MAX_LATENCY_MS}`);
        break;
      case 'throttleRate':
      case 'errorRate':
        if (isRate(value)) next[key] = value;
        else problems.push(`${key} must be a number from 0 to 1`);
        break;
      case 'malformedRate':
        if (isRate(value)) next.malformedRate = value;
        else problems.push('malformedRate must be a number from 0 to 1');
        break;
      case 'errorStatus':
        if (value === 500 || value === 503 || value === 'random') next.errorStatus = value;
        else problems.push('errorStatus must be 500, 503 or "random"');
        break;
      case 'dropConnections':
        if (typeof value === 'boolean') next.dropConnections = value ? 1 : 0;
        else if (isRate(value)) next.dropConnections = value;
        else problems.push('dropConnections must be true, false or a number from 0 to 1');
        break;
      default:
        problems.push(
          `unknown setting "${key}" (allowed: latencyMs, throttleRate, errorRate, errorStatus, dropConnections, malformedRate)`,
        );
    }
  }
  if (problems.length > 0) throw new FaultSettingsError(problems.join('; '));
  return next;
}

export type FaultOutcome =
  | { kind: 'none' }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | { kind: 'error'; status: number; code: string; message: string; type: 'Sender' | 'Receiver' };

/** Rolls the dice for one request. `random` returns [0, 1) like Math.random. */
export function pickFault(settings: FaultSettings, random: () => number = Math.random): FaultOutcome {
  if (settings.dropConnections > 0 && random() < settings.dropConnections) return { kind: 'drop' };
  if (settings.malformedRate > 0 && random() < settings.malformedRate) return { kind: 'malformed' };
  if (settings.throttleRate > 0 && random() < settings.throttleRate) {
    return { kind: 'error', status: 400, code: 'Throttling', message: 'Rate exceeded', type: 'Sender' };
  }
  if (settings.errorRate > 0 && random() < settings.errorRate) {
    const status = settings.errorStatus === 'random' ? (random() < 0.5 ? 500 : 503) : settings.errorStatus;
    return status === 500
      ? {
          kind: 'error',
          status,
          code: 'InternalFailure',
          message: 'The request processing has failed because of an unknown error, exception or failure.',
          type: 'Receiver',
        }
      : {
          kind: 'error',
          status,
          code: 'ServiceUnavailable',
          message: 'Service is unavailable. Please try again later.',
          type: 'Receiver',
        };
  }
  return { kind: 'none' };
}
