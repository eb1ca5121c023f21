import { contextValues, isSupportedConditionKey, type RequestContext, type VariableResolver } from './context-keys.ts';
import { UnsupportedPolicyError } from './errors.ts';
import { arnMatches, hasUnresolvedVariable, stringMatches } from './match.ts';

/**
 * Condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators").
 *
 * Combination: operators in a block are ANDed, keys inside one operator are ANDed, the values
 * listed for one key are ORed ("IAM JSON policy elements: Condition").
 *
 * Absent keys: "If the key that you specify in a policy condition is not present in the request
 * context, the values do not match and the condition is false. If the policy condition requires
 * that the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not
 * present, the condition is true. This logic applies to all condition operators except
 * ...IfExists and Null check." (same page, "Important"). So a negated operator on an absent key is
 * TRUE, `...IfExists` is true on an absent key, and `Null` tests presence itself.
 *
 * A negated operator is the negation of its positive form: the request value must match none of
 * the listed values. For a multivalued key without a set operator, a positive operator needs one
 * request value to match, a negated one needs every request value to match none.
 *
 * Set operators ("Creating a condition with multiple keys or values"): ForAllValues is true when
 * every request value satisfies the operator, and true when the key is absent or empty;
 * ForAnyValue is true when at least one does, and false when the key is absent or empty.
 */

type Family = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Arn' | 'Null';
type Comparator = (requestValue: string, policyValue: string, resolve: VariableResolver | undefined) => boolean;

interface OperatorSpec {
  family: Family;
  negated: boolean;
  compare: Comparator;
}

const text =
  (wildcards: boolean, ignoreCase: boolean): Comparator =>
  (value, pattern, resolve) =>
    stringMatches(pattern, value, { wildcards, ignoreCase, resolve }) === true;

const numeric =
  (test: (request: number, policy: number) => boolean): Comparator =>
  (value, policyValue) => {
    const request = parseNumber(value);
    const policy = parseNumber(policyValue);
    return request !== undefined && policy !== undefined && test(request, policy);
  };

const date =
  (test: (request: number, policy: number) => boolean): Comparator =>
  (value, policyValue) => {
    const request = parseDate(value);
    const policy = parseDate(policyValue);
    return request !== undefined && policy !== undefined && test(request, policy);
  };

const arn: Comparator = (value, pattern, resolve) => arnMatches(pattern, value, resolve) === true;
const bool: Comparator = (value, policyValue) => value.toLowerCase() === policyValue.toLowerCase();
const never: Comparator = () => false;

const eq = (a: number, b: number): boolean => a === b;
const lt = (a: number, b: number): boolean => a < b;
const le = (a: number, b: number): boolean => a <= b;
const gt = (a: number, b: number): boolean => a > b;
const ge = (a: number, b: number): boolean => a >= b;

const spec = (family: Family, compare: Comparator, negated = false): OperatorSpec => ({ family, compare, negated });

const OPERATORS: Record<string, OperatorSpec> = {
  StringEquals: spec('String', text(false, false)),
  StringNotEquals: spec('String', text(false, false), true),
  StringEqualsIgnoreCase: spec('String', text(false, true)),
  StringNotEqualsIgnoreCase: spec('String', text(false, true), true),
  StringLike: spec('String', text(true, false)),
  StringNotLike: spec('String', text(true, false), true),
  NumericEquals: spec('Numeric', numeric(eq)),
  NumericNotEquals: spec('Numeric', numeric(eq), true),
  NumericLessThan: spec('Numeric', numeric(lt)),
  NumericLessThanEquals: spec('Numeric', numeric(le)),
  NumericGreaterThan: spec('Numeric', numeric(gt)),
  NumericGreaterThanEquals: spec('Numeric', numeric(ge)),
  DateEquals: spec('Date', date(eq)),
  DateNotEquals: spec('Date', date(eq), true),
  DateLessThan: spec('Date', date(lt)),
  DateLessThanEquals: spec('Date', date(le)),
  DateGreaterThan: spec('Date', date(gt)),
  DateGreaterThanEquals: spec('Date', date(ge)),
  Bool: spec('Bool', bool),
  // "ArnEquals and ArnLike behave identically", and so do ArnNotEquals and ArnNotLike.
  ArnEquals: spec('Arn', arn),
  ArnLike: spec('Arn', arn),
  ArnNotEquals: spec('Arn', arn, true),
  ArnNotLike: spec('Arn', arn, true),
  Null: spec('Null', never),
};

/** One operator applied to one key, as written in a statement. */
export interface ParsedCondition {
  operator: string;
  key: string;
  spec: OperatorSpec | undefined;
  setOperator: 'ForAllValues' | 'ForAnyValue' | undefined;
  ifExists: boolean;
  values: string[];
  /** Why this condition cannot be evaluated; thrown only if the statement otherwise applies. */
  unsupported?: string;
}

const OPERATOR_SYNTAX = /^(?:(ForAllValues|ForAnyValue):)?([A-Za-z]+?)(IfExists)?$/;

/**
 * Checks the shape and the values of a Condition block. Malformed blocks throw at once; an
 * unsupported operator or key is recorded and thrown by `conditionsHold`, i.e. only when the
 * statement's action, resource and principal match.
 */
export function parseConditions(block: unknown, where: string): ParsedCondition[] {
  if (block === undefined) return [];
  if (!isPlainObject(block)) throw new UnsupportedPolicyError(`Malformed Condition in ${where}: expected an object`);
  const parsed: ParsedCondition[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    if (!isPlainObject(keys)) {
      throw new UnsupportedPolicyError(`Malformed Condition in ${where}: '${operator}' must map keys to values`);
    }
    const syntax = OPERATOR_SYNTAX.exec(operator);
    const setOperator = syntax?.[1] as ParsedCondition['setOperator'];
    const base = syntax?.[2] ?? '';
    const ifExists = syntax?.[3] !== undefined;
    const operatorSpec = Object.hasOwn(OPERATORS, base) ? OPERATORS[base] : undefined;
    // AWS: IfExists can be added to any operator "except the Null condition".
    const operatorSupported = operatorSpec !== undefined && !(base === 'Null' && (ifExists || setOperator));
    for (const [key, raw] of Object.entries(keys)) {
      const values = conditionValues(raw, `${operator} ${key} in ${where}`);
      const condition: ParsedCondition = { operator, key, spec: operatorSpec, setOperator, ifExists, values };
      if (!operatorSupported) {
        condition.unsupported = `Unsupported condition operator '${operator}' in ${where}`;
      } else if (!isSupportedConditionKey(key.toLowerCase())) {
        condition.unsupported = `Unsupported condition key '${key}' in ${where}`;
      } else {
        checkValues(operator, operatorSpec.family, values, where);
      }
      parsed.push(condition);
    }
  }
  return parsed;
}

/** True when every condition holds. Throws UnsupportedPolicyError for unsupported ones. */
export function conditionsHold(
  conditions: readonly ParsedCondition[],
  context: RequestContext,
  resolve: VariableResolver | undefined,
): boolean {
  const problem = conditions.find((condition) => condition.unsupported !== undefined);
  if (problem?.unsupported) throw new UnsupportedPolicyError(problem.unsupported);
  return conditions.every((condition) => conditionHolds(condition, context, resolve));
}

function conditionHolds(
  condition: ParsedCondition,
  context: RequestContext,
  resolve: VariableResolver | undefined,
): boolean {
  const operator = condition.spec;
  if (!operator) return false; // unreachable: unsupported conditions throw first
  const requestValues = contextValues(context, condition.key.toLowerCase());

  if (operator.family === 'Null') {
    const present = requestValues !== undefined;
    return condition.values.some((value) => (value.toLowerCase() === 'true' ? !present : present));
  }
  if (requestValues === undefined) {
    if (condition.ifExists || condition.setOperator === 'ForAllValues') return true;
    if (condition.setOperator === 'ForAnyValue') return false;
    return operator.negated;
  }

  // Variables apply to string and ARN values. "If AWS cannot resolve a variable, this might cause
  // the entire statement to be invalid" (IAM User Guide, "Variables and tags"): a condition whose
  // value names a variable without a value (and without default) does not hold.
  const variables = operator.family === 'String' || operator.family === 'Arn' ? resolve : undefined;
  if (condition.values.some((value) => hasUnresolvedVariable(value, variables))) return false;
  const matchesAny = (requestValue: string): boolean =>
    condition.values.some((policyValue) => operator.compare(requestValue, policyValue, variables));
  const satisfies = (requestValue: string): boolean =>
    operator.negated ? !matchesAny(requestValue) : matchesAny(requestValue);

  switch (condition.setOperator) {
    case 'ForAllValues':
      return requestValues.every(satisfies);
    case 'ForAnyValue':
      return requestValues.some(satisfies);
    default:
      return operator.negated ? requestValues.every(satisfies) : requestValues.some(satisfies);
  }
}

function conditionValues(raw: unknown, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new UnsupportedPolicyError(`Malformed Condition: no values for ${where}`);
  return list.map((value) => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new UnsupportedPolicyError(`Malformed Condition: values must be strings, numbers or booleans in ${where}`);
  });
}

function checkValues(operator: string, family: Family, values: string[], where: string): void {
  const valid: Partial<Record<Family, (value: string) => boolean>> = {
    Numeric: (value) => parseNumber(value) !== undefined,
    Date: (value) => parseDate(value) !== undefined,
    Bool: isBooleanText,
    Null: isBooleanText,
  };
  const check = valid[family];
  const bad = check ? values.find((value) => !check(value)) : undefined;
  if (bad !== undefined) {
    throw new UnsupportedPolicyError(`Invalid value '${bad}' for condition operator '${operator}' in ${where}`);
  }
}

const isBooleanText = (value: string): boolean => /^(true|false)$/i.test(value);

/** Integers and decimals only: Number() would accept '', '0x10' and '1e3'. */
export function parseNumber(value: string): number | undefined {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value.trim()) ? Number(value) : undefined;
}

// W3C profile of ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD, date with time and zone designator), or
// epoch seconds: "You must specify date/time values with one of the W3C implementations of the
// ISO 8601 date formats or in epoch (UNIX) time" (condition operators, Date).
const W3C_DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** Milliseconds since the epoch, or undefined when the text is no date AWS accepts. */
export function parseDate(value: string): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!W3C_DATE.test(trimmed)) return undefined;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : ms;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
