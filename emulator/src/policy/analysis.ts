import type { PolicyDocument } from '../state/state-file.ts';
import type { ParsedCondition } from './conditions.ts';
import { actionMatches } from './match.ts';
import { type CheckedStatement, checkPolicy } from './statements.ts';

/**
 * Static questions about policy documents, for the portal's admin screens. Unlike the evaluator
 * these never throw: a document they cannot read gives the answer that triggers a warning.
 */

const MFA_PRESENT = 'aws:multifactorauthpresent';
const MFA_AGE = 'aws:multifactorauthage';

/** The condition keys a document tests, lower-cased, without duplicates, sorted. */
export function conditionKeysUsed(doc: PolicyDocument): string[] {
  const keys = new Set<string>();
  const raw: unknown = doc?.Statement;
  const statements: unknown[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  for (const statement of statements) {
    const condition = isObject(statement) ? statement.Condition : undefined;
    if (!isObject(condition)) continue;
    for (const block of Object.values(condition)) {
      if (isObject(block)) for (const key of Object.keys(block)) keys.add(key.toLowerCase());
    }
  }
  return [...keys].sort();
}

/**
 * True when no AWS principal can assume the role without MFA: every Allow statement that admits
 * AWS principals to sts:AssumeRole either demands MFA itself, or Deny statements covering every
 * principal remove both non-MFA cases (long-term keys: no MFA keys at all; sessions made without
 * MFA: aws:MultiFactorAuthPresent "false", no aws:MultiFactorAuthAge).
 *
 * An Allow demands MFA with `Bool aws:MultiFactorAuthPresent "true"`, a positive Numeric operator
 * on aws:MultiFactorAuthAge, or `Null aws:MultiFactorAuthAge "false"` - none with IfExists (which
 * would accept an absent key) or a set operator. A trust policy that admits no AWS principal (a
 * service role) returns true; a malformed one returns false.
 */
export function requiresMfa(trustDoc: PolicyDocument): boolean {
  let statements: CheckedStatement[];
  try {
    statements = checkPolicy(trustDoc, 'trust', 'the trust policy').statements;
  } catch {
    return false;
  }
  const assumes = (statement: CheckedStatement): boolean =>
    actionMatches(statement.action.values, 'sts:AssumeRole') !== statement.action.negated;

  const denied = { longTermKeys: false, sessionWithoutMfa: false };
  for (const statement of statements) {
    if (statement.effect !== 'Deny' || !assumes(statement) || !coversEveryone(statement)) continue;
    if (statement.resource && !(statement.resource.values.includes('*') && !statement.resource.negated)) continue;
    const cover = denyCover(statement.conditions);
    denied.longTermKeys ||= cover.longTermKeys;
    denied.sessionWithoutMfa ||= cover.sessionWithoutMfa;
  }
  const deniesWithoutMfa = denied.longTermKeys && denied.sessionWithoutMfa;

  return statements
    .filter((statement) => statement.effect === 'Allow' && assumes(statement) && admitsAwsPrincipals(statement))
    .every((statement) => deniesWithoutMfa || demandsMfa(statement.conditions));
}

function awsPrincipalEntries(statement: CheckedStatement): string[] | '*' | undefined {
  const element = statement.principal?.element;
  if (element === '*') return '*';
  if (!isObject(element) || element.AWS === undefined) return undefined;
  const raw = element.AWS;
  return Array.isArray(raw) ? (raw as string[]) : [raw as string];
}

function admitsAwsPrincipals(statement: CheckedStatement): boolean {
  return awsPrincipalEntries(statement) !== undefined;
}

function coversEveryone(statement: CheckedStatement): boolean {
  if (statement.principal?.negated) return false;
  const entries = awsPrincipalEntries(statement);
  return entries === '*' || (entries?.includes('*') ?? false);
}

const plain = (condition: ParsedCondition): boolean => !condition.ifExists && condition.setOperator === undefined;
const all = (condition: ParsedCondition, value: string): boolean =>
  condition.values.every((v) => v.toLowerCase() === value);

function demandsMfa(conditions: readonly ParsedCondition[]): boolean {
  return conditions.some((condition) => {
    const key = condition.key.toLowerCase();
    const family = condition.spec?.family;
    if (!plain(condition)) return false;
    if (family === 'Bool' && key === MFA_PRESENT) return all(condition, 'true');
    if (family === 'Numeric' && key === MFA_AGE) return !condition.spec?.negated;
    if (family === 'Null' && key === MFA_AGE) return all(condition, 'false');
    return false;
  });
}

/** Which non-MFA requests a Deny statement (already known to cover everyone) refuses. */
function denyCover(conditions: readonly ParsedCondition[]): { longTermKeys: boolean; sessionWithoutMfa: boolean } {
  const none = { longTermKeys: false, sessionWithoutMfa: false };
  if (conditions.length === 0) return { longTermKeys: true, sessionWithoutMfa: true };
  // More than one condition narrows the Deny further: do not count it.
  const [condition] = conditions;
  if (conditions.length > 1 || !condition || condition.setOperator !== undefined) return none;
  const key = condition.key.toLowerCase();
  const family = condition.spec?.family;
  if (family === 'Bool' && key === MFA_PRESENT && all(condition, 'false')) {
    return { longTermKeys: condition.ifExists, sessionWithoutMfa: true };
  }
  if (family === 'Null' && all(condition, 'true')) {
    if (key === MFA_PRESENT) return { longTermKeys: true, sessionWithoutMfa: false };
    if (key === MFA_AGE) return { longTermKeys: true, sessionWithoutMfa: true };
  }
  return none;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
