import { type ParsedCondition, parseConditions } from './conditions.ts';
import { UnsupportedPolicyError } from './errors.ts';
import { checkPrincipalElement } from './principals.ts';

/**
 * Structural checks of a policy document. Everything AWS would reject when the policy is saved
 * throws UnsupportedPolicyError naming the statement, so a malformed policy denies (fails closed)
 * instead of being half-evaluated. Operators and keys that are merely unsupported are checked
 * later, only for statements that otherwise apply (see conditions.ts).
 */

export type PolicyKind = 'identity' | 'trust';

export interface ElementList {
  values: string[];
  /** NotAction / NotResource / NotPrincipal */
  negated: boolean;
}

export interface CheckedStatement {
  index: number;
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  /** Human-readable location for messages, e.g. `statement 2 (Sid "DenyNoMfa") of policy 0`. */
  where: string;
  action: ElementList;
  resource: ElementList | undefined;
  principal: { element: unknown; negated: boolean } | undefined;
  conditions: ParsedCondition[];
}

export interface CheckedPolicy {
  statements: CheckedStatement[];
  /** Policy variables are only recognised in Version 2012-10-17; earlier documents are literal. */
  variables: boolean;
}

const DOCUMENT_FIELDS = new Set(['Version', 'Id', 'Statement']);
/** The fields an IAM policy statement may have (the state file's checks use the same list). */
export const STATEMENT_FIELDS: readonly string[] = [
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
];
const STATEMENT_FIELD_SET = new Set(STATEMENT_FIELDS);
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

export function checkPolicy(doc: unknown, kind: PolicyKind, label: string): CheckedPolicy {
  if (!isObject(doc)) throw new UnsupportedPolicyError(`Malformed ${label}: expected a JSON object`);
  const unknownField = Object.keys(doc).find((field) => !DOCUMENT_FIELDS.has(field));
  if (unknownField) throw new UnsupportedPolicyError(`Malformed ${label}: unknown field '${unknownField}'`);
  const version = doc.Version;
  if (version !== undefined && !VERSIONS.has(version as string)) {
    throw new UnsupportedPolicyError(`Malformed ${label}: unsupported Version '${String(version)}'`);
  }
  const raw = doc.Statement;
  const list: unknown[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return {
    statements: list.map((statement, index) => checkStatement(statement, index, kind, label)),
    variables: version === '2012-10-17',
  };
}

function checkStatement(statement: unknown, index: number, kind: PolicyKind, label: string): CheckedStatement {
  let where = `statement ${index} of ${label}`;
  if (!isObject(statement)) throw new UnsupportedPolicyError(`Malformed ${where}: expected an object`);
  const sid = statement.Sid;
  if (sid !== undefined && typeof sid !== 'string') {
    throw new UnsupportedPolicyError(`Malformed ${where}: Sid must be a string`);
  }
  if (sid) where = `statement ${index} (Sid "${sid}") of ${label}`;
  const malformed = (problem: string): UnsupportedPolicyError =>
    new UnsupportedPolicyError(`Malformed ${where}: ${problem}`);

  const unknownField = Object.keys(statement).find((field) => !STATEMENT_FIELD_SET.has(field));
  if (unknownField) throw malformed(`unknown field '${unknownField}'`);
  const effect = statement.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed(`Effect must be "Allow" or "Deny"`);

  const action = pair(statement, 'Action', 'NotAction', malformed);
  if (!action) throw malformed('it has neither Action nor NotAction');
  const resource = pair(statement, 'Resource', 'NotResource', malformed);
  if (!resource && kind === 'identity') throw malformed('it has neither Resource nor NotResource');

  const hasPrincipal = statement.Principal !== undefined;
  const hasNotPrincipal = statement.NotPrincipal !== undefined;
  let principal: CheckedStatement['principal'];
  if (kind === 'identity') {
    if (hasPrincipal || hasNotPrincipal) throw malformed('identity policies cannot name a Principal or NotPrincipal');
  } else {
    if (hasPrincipal === hasNotPrincipal) {
      throw malformed('a trust policy statement needs exactly one of Principal or NotPrincipal');
    }
    // NotPrincipal with Allow grants everyone else, anonymous callers included; AWS strongly
    // recommends against it. Refusing it keeps the emulator from granting that silently.
    if (hasNotPrincipal && effect === 'Allow') {
      throw new UnsupportedPolicyError(`Unsupported NotPrincipal with "Allow" in ${where}`);
    }
    const name = hasPrincipal ? 'Principal' : 'NotPrincipal';
    checkPrincipalElement(statement[name], name, where);
    principal = { element: statement[name], negated: hasNotPrincipal };
  }

  return {
    index,
    sid,
    effect,
    where,
    action,
    resource,
    principal,
    conditions: parseConditions(statement.Condition, where),
  };
}

function pair(
  statement: Record<string, unknown>,
  name: string,
  notName: string,
  malformed: (problem: string) => Error,
): ElementList | undefined {
  const plain = statement[name];
  const negated = statement[notName];
  if (plain !== undefined && negated !== undefined) throw malformed(`it has both ${name} and ${notName}`);
  const raw = plain ?? negated;
  if (raw === undefined) return undefined;
  const values: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0 || values.some((value) => typeof value !== 'string' || value === '')) {
    throw malformed(`${plain !== undefined ? name : notName} must be a non-empty string or list of strings`);
  }
  return { values: values as string[], negated: plain === undefined };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
