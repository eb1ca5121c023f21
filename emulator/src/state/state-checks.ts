/**
 * Small building blocks for validating untrusted JSON while keeping track of where we are, so
 * every complaint names its path (`users[2].mfaDevices[0].seed: must be base32 ...`).
 */

export type JsonObject = Record<string, unknown>;

export class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
}

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** The object at `path`, or undefined (with a problem) when it is something else. */
export function objectAt(
  problems: Problems,
  value: unknown,
  path: string,
  allowed: readonly string[],
): JsonObject | undefined {
  if (!isObject(value)) {
    problems.add(path, `must be an object, got ${describe(value)}`);
    return undefined;
  }
  // Unknown fields are almost always typos ("mfaDevice"); silently ignoring them hides mistakes.
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.add(`${path}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
  }
  return value;
}

/** The array at `path` (absent = empty when optional). */
export function arrayAt(
  problems: Problems,
  value: unknown,
  path: string,
  options: { required?: boolean; max?: number } = {},
): unknown[] {
  if (value === undefined && !options.required) return [];
  if (!Array.isArray(value)) {
    problems.add(path, `must be an array, got ${describe(value)}`);
    return [];
  }
  if (options.max !== undefined && value.length > options.max)
    problems.add(path, `must have at most ${options.max} entries, got ${value.length}`);
  return value;
}

export interface StringRule {
  required?: boolean;
  nullable?: boolean;
  pattern?: RegExp;
  /** Shown instead of the raw pattern, e.g. "a 12-digit account id". */
  expected?: string;
  min?: number;
  max?: number;
}

export function stringAt(
  problems: Problems,
  object: JsonObject,
  key: string,
  path: string,
  rule: StringRule = {},
): string | undefined {
  const value = object[key];
  const at = `${path}.${key}`;
  if (value === undefined || (value === null && rule.nullable)) {
    if (rule.required) problems.add(at, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(at, `must be a string, got ${describe(value)}`);
    return undefined;
  }
  if (rule.min !== undefined && value.length < rule.min) problems.add(at, `must be at least ${rule.min} characters`);
  else if (rule.max !== undefined && value.length > rule.max)
    problems.add(at, `must be at most ${rule.max} characters`);
  else if (rule.pattern && !rule.pattern.test(value))
    problems.add(at, `must be ${rule.expected ?? `a string matching ${rule.pattern.source}`}, got ${describe(value)}`);
  return value;
}

export function booleanAt(
  problems: Problems,
  object: JsonObject,
  key: string,
  path: string,
  required = false,
): boolean | undefined {
  const value = object[key];
  if (value === undefined) {
    if (required) problems.add(`${path}.${key}`, 'is required');
    return undefined;
  }
  if (typeof value !== 'boolean') problems.add(`${path}.${key}`, `must be true or false, got ${describe(value)}`);
  return value === true;
}

export function integerAt(
  problems: Problems,
  object: JsonObject,
  key: string,
  path: string,
  min: number,
  max: number,
): number | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.add(`${path}.${key}`, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** ISO-8601 UTC timestamps (`2026-01-01T00:00:00Z`), optionally null. */
export function timestampAt(problems: Problems, object: JsonObject, key: string, path: string): void {
  const value = object[key];
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || !ISO_UTC.test(value) || Number.isNaN(Date.parse(value))) {
    problems.add(`${path}.${key}`, `must be an ISO-8601 UTC time like 2026-01-01T00:00:00Z, got ${describe(value)}`);
  }
}

/** Reports the second and later occurrence of a key (compared case-insensitively, like IAM names). */
export function reportDuplicates(
  problems: Problems,
  entries: Array<{ key: string; path: string }>,
  what: string,
): void {
  const seen = new Map<string, string>();
  for (const { key, path } of entries) {
    const folded = key.toLowerCase();
    const first = seen.get(folded);
    if (first !== undefined) problems.add(path, `duplicate ${what} "${key}" (first at ${first})`);
    else seen.set(folded, path);
  }
}
