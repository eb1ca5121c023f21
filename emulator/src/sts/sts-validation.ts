import { AwsError } from '../protocol/aws-error.ts';
import type { QueryParams } from '../protocol/query-params.ts';

/**
 * Collects constraint violations the way AWS's request validation reports them: all of them in
 * one ValidationError, "2 validation errors detected: Value 'x' at 'member' failed to satisfy
 * constraint: ...; Value ...".
 */
export class ValidationCollector {
  readonly #violations: string[] = [];

  violation(value: string, member: string, constraint: string): void {
    this.#violations.push(`Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);
  }

  /** Length and pattern constraints of a string member (the pattern must match the whole value). */
  string(value: string | undefined, member: string, rule: { min?: number; max?: number; pattern?: RegExp }): void {
    if (value === undefined) return;
    if (rule.min !== undefined && value.length < rule.min)
      this.violation(value, member, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && value.length > rule.max)
      this.violation(value, member, `Member must have length less than or equal to ${rule.max}`);
    if (rule.pattern && !new RegExp(`^(?:${rule.pattern.source})$`, 'u').test(value)) {
      this.violation(value, member, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
    }
  }

  range(value: number | undefined, member: string, min: number, max: number): void {
    if (value === undefined) return;
    if (value < min) this.violation(String(value), member, `Member must have value greater than or equal to ${min}`);
    if (value > max) this.violation(String(value), member, `Member must have value less than or equal to ${max}`);
  }

  throwIfAny(): void {
    const count = this.#violations.length;
    if (count === 0) return;
    throw new AwsError(
      'ValidationError',
      `${count} validation error${count === 1 ? '' : 's'} detected: ${this.#violations.join('; ')}`,
    );
  }
}

// Shapes from the STS 2011-06-15 API model.
export const SERIAL_NUMBER = { min: 9, max: 256, pattern: /[\w+=/:,.@-]*/ };
export const TOKEN_CODE = { min: 6, max: 6, pattern: /[\d]*/ };
export const ROLE_SESSION_NAME = { min: 2, max: 64, pattern: /[\w+=,.@-]*/ };
export const SOURCE_IDENTITY = { min: 2, max: 64, pattern: /[\w+=,.@-]*/ };
export const EXTERNAL_ID = { min: 2, max: 1224, pattern: /[\w+=,.@:/-]*/ };
export const ARN = { min: 20, max: 2048 };
export const SESSION_POLICY = { min: 1, max: 2048 };
export const TAG_KEY = { min: 1, max: 128, pattern: /[\p{L}\p{Z}\p{N}_.:/=+\-@]+/u };
export const TAG_VALUE = { max: 256, pattern: /[\p{L}\p{Z}\p{N}_.:/=+\-@]*/u };

export interface MfaParams {
  serialNumber: string | undefined;
  tokenCode: string | undefined;
}

/** SerialNumber and TokenCode, validated; both or neither must be present. */
export function readMfaParams(params: QueryParams, errors: ValidationCollector): MfaParams {
  const serialNumber = params.string('SerialNumber');
  const tokenCode = params.string('TokenCode');
  errors.string(serialNumber, 'serialNumber', SERIAL_NUMBER);
  errors.string(tokenCode, 'tokenCode', TOKEN_CODE);
  return { serialNumber, tokenCode };
}

/**
 * A code without a serial (or the reverse) cannot be verified. AWS's exact wording for this case
 * is unconfirmed, so the emulator refuses with a plain ValidationError rather than ignoring it.
 */
export function requireMfaPair({ serialNumber, tokenCode }: MfaParams): void {
  if (tokenCode !== undefined && serialNumber === undefined) {
    throw new AwsError('ValidationError', 'SerialNumber is required when TokenCode is specified');
  }
  if (serialNumber !== undefined && tokenCode === undefined) {
    throw new AwsError('ValidationError', 'TokenCode is required when SerialNumber is specified');
  }
}
