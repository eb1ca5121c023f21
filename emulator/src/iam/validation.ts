import { validationError } from '../protocol/aws-error.ts';
import type { QueryParams } from '../protocol/query-params.ts';

/** Input constraints from the IAM API model (botocore iam 2010-05-08), checked like AWS does. */
interface Constraint {
  min: number;
  max: number;
  pattern: RegExp;
  patternText: string;
}

export const CONSTRAINTS = {
  /** `existingUserNameType`: names of users that already exist. */
  userName: { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' },
  /** `userNameType`: the name CreateUser accepts for a new user. */
  newUserName: { min: 1, max: 64, pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' },
  groupName: { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' },
  roleName: { min: 1, max: 64, pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' },
  virtualMFADeviceName: { min: 1, max: 226, pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' },
  serialNumber: { min: 9, max: 256, pattern: /^[\w+=/:,.@-]+$/, patternText: '[\\w+=/:,.@-]+' },
  authenticationCode: { min: 6, max: 6, pattern: /^\d+$/, patternText: '[\\d]+' },
  accessKeyId: { min: 16, max: 128, pattern: /^\w+$/, patternText: '[\\w]+' },
  path: {
    min: 1,
    max: 512,
    pattern: /^(\/|\/[\u0021-\u007E]+\/)$/,
    patternText: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
  },
  pathPrefix: { min: 1, max: 512, pattern: /^\u002F[\u0021-\u007F]*$/, patternText: '\\u002F[\\u0021-\\u007F]*' },
  arn: {
    min: 20,
    max: 2048,
    // AWS's own pattern for ARNs admits tab, line feed and carriage return.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the documented character set
    pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/,
    patternText: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
  },
} satisfies Record<string, Constraint>;

export type ConstraintName = keyof typeof CONSTRAINTS;

/** Checks `value` against a named constraint; `member` is the camelCase member name AWS reports. */
export function check(value: string, constraint: ConstraintName, member: string = constraint): string {
  const c: Constraint = CONSTRAINTS[constraint];
  if (value.length < c.min)
    throw validationError(value, member, `Member must have length greater than or equal to ${c.min}`);
  if (value.length > c.max)
    throw validationError(value, member, `Member must have length less than or equal to ${c.max}`);
  if (!c.pattern.test(value))
    throw validationError(value, member, `Member must satisfy regular expression pattern: ${c.patternText}`);
  return value;
}

export function requiredChecked(params: QueryParams, name: string, constraint: ConstraintName): string {
  return check(params.required(name), constraint, lowerFirst(name));
}

export function optionalChecked(params: QueryParams, name: string, constraint: ConstraintName): string | undefined {
  const value = params.string(name);
  return value === undefined ? undefined : check(value, constraint, lowerFirst(name));
}

export function enumValue<T extends string>(params: QueryParams, name: string, allowed: readonly T[]): T | undefined {
  const value = params.string(name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw validationError(value, lowerFirst(name), `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T;
}

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
