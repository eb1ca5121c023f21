import type { PolicyDocument } from '../state/state-file.ts';
import { conditionsHold } from './conditions.ts';
import { toRequestContext, type VariableResolver, variableResolver } from './context-keys.ts';
import { actionMatches, resourceMatches } from './match.ts';
import { notPrincipalNames, principalMatches } from './principals.ts';
import { type CheckedStatement, checkPolicy, type ElementList } from './statements.ts';

export { conditionKeysUsed, requiresMfa } from './analysis.ts';
export { SUPPORTED_CONDITION_KEY_PREFIXES, SUPPORTED_CONDITION_KEYS } from './context-keys.ts';
export { UnsupportedPolicyError } from './errors.ts';

/**
 * The emulator's IAM policy evaluator: identity policies for every action a caller performs, and
 * a role's trust policy for AssumeRole. Pure: no I/O, no clock (aws:CurrentTime comes in `keys`).
 *
 * Decision (IAM User Guide, "Policy evaluation logic"): an explicit Deny in any statement of any
 * document wins; otherwise an Allow wins; otherwise the request is implicitly denied.
 *
 * Anything the evaluator cannot decide faithfully (malformed documents, unsupported operators,
 * keys, variables or principal forms in a statement that otherwise applies) throws
 * UnsupportedPolicyError, which callers must treat as a denial.
 */

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface EvaluationResult {
  decision: Decision;
  reason?: string;
  /**
   * The deciding statement: `index` is its 0-based position in its document's Statement list;
   * `policyIndex` (identity evaluation only) is the 0-based position of the document in `docs`.
   */
  matchedStatement?: { sid?: string; effect: 'Allow' | 'Deny'; index: number; policyIndex?: number };
  /** Set when the permissions boundary, not the identity policies, refused the request. */
  deniedByBoundary?: boolean;
}

/** `keys`: the request context (condition keys, any case); absent keys are simply not listed. */
export interface IdentityRequest {
  action: string;
  resource: string;
  keys: Record<string, string | string[]>;
}

/** `principal.arn` is the user ARN, the account root ARN, or for a role session the ROLE ARN. */
export interface TrustRequest extends IdentityRequest {
  principal: { arn: string; account: string };
}

export function evaluateIdentityPolicies(docs: PolicyDocument[], req: IdentityRequest): EvaluationResult {
  // Check every document first, so a malformed one is reported whatever the others decide.
  const policies = docs.map((doc, i) => checkPolicy(doc, 'identity', `policy ${i}`));
  const context = toRequestContext(req.keys);
  let allow: EvaluationResult | undefined;
  for (const [policyIndex, policy] of policies.entries()) {
    for (const statement of policy.statements) {
      const resolve = policy.variables ? variableResolver(context, statement.where) : undefined;
      if (!actionMatchesStatement(statement.action, req.action)) continue;
      if (!statement.resource || !resourceMatchesStatement(statement.resource, req.resource, resolve)) continue;
      if (!conditionsHold(statement.conditions, context, resolve)) continue;
      if (statement.effect === 'Deny') return decided('ExplicitDeny', statement, policyIndex);
      allow ??= decided('Allow', statement, policyIndex);
    }
  }
  return allow ?? { decision: 'ImplicitDeny', reason: `No statement allows ${req.action} on ${req.resource}` };
}

/**
 * Identity policies within a permissions boundary ("Policy evaluation logic": identity-based
 * policies with boundaries): an explicit Deny in either wins; otherwise the request is allowed only
 * when the identity policies AND the boundary allow it. The boundary grants nothing by itself.
 * Without a boundary this is evaluateIdentityPolicies. Both are checked before deciding, so a
 * malformed boundary is reported whatever the identity policies say.
 */
export function evaluateWithinBoundary(
  docs: PolicyDocument[],
  boundary: PolicyDocument | undefined,
  req: IdentityRequest,
): EvaluationResult {
  if (boundary === undefined) return evaluateIdentityPolicies(docs, req);
  checkPolicy(boundary, 'identity', 'the permissions boundary');
  const identity = evaluateIdentityPolicies(docs, req);
  if (identity.decision === 'ExplicitDeny') return identity;
  const bounded = evaluateIdentityPolicies([boundary], req);
  if (bounded.decision === 'ExplicitDeny') {
    // policyIndex counts `docs`; the boundary is none of them.
    const { policyIndex: _, ...statement } = bounded.matchedStatement ?? { effect: 'Deny' as const, index: 0 };
    return {
      decision: 'ExplicitDeny',
      reason: `${bounded.reason?.replace(/ of policy 0$/, '')} of the permissions boundary`,
      matchedStatement: statement,
      deniedByBoundary: true,
    };
  }
  if (bounded.decision === 'ImplicitDeny')
    return {
      decision: 'ImplicitDeny',
      reason: `The permissions boundary does not allow ${req.action} on ${req.resource}`,
      deniedByBoundary: true,
    };
  return identity;
}

export function evaluateTrustPolicy(doc: PolicyDocument, req: TrustRequest): EvaluationResult {
  const policy = checkPolicy(doc, 'trust', 'the trust policy');
  const context = toRequestContext(req.keys);
  let allow: EvaluationResult | undefined;
  for (const statement of policy.statements) {
    const resolve = policy.variables ? variableResolver(context, statement.where) : undefined;
    if (!actionMatchesStatement(statement.action, req.action)) continue;
    // Trust policies normally have no Resource (the role is the resource); honour one if present.
    if (statement.resource && !resourceMatchesStatement(statement.resource, req.resource, resolve)) continue;
    if (!principalMatchesStatement(statement, req.principal)) continue;
    if (!conditionsHold(statement.conditions, context, resolve)) continue;
    if (statement.effect === 'Deny') return decided('ExplicitDeny', statement);
    allow ??= decided('Allow', statement);
  }
  return (
    allow ?? {
      decision: 'ImplicitDeny',
      reason: `The trust policy does not allow ${req.principal.arn} to perform ${req.action}`,
    }
  );
}

function actionMatchesStatement(action: ElementList, requested: string): boolean {
  return actionMatches(action.values, requested) !== action.negated;
}

/**
 * Resource: any entry matches; an entry naming a variable without a value matches nothing.
 * NotResource: no entry matches; an entry naming a variable without a value makes the whole
 * statement not apply ("If AWS cannot resolve a variable, this might cause the entire statement
 * to be invalid", IAM User Guide, "Variables and tags") rather than widening the statement.
 */
function resourceMatchesStatement(
  resource: ElementList,
  requested: string,
  resolve: VariableResolver | undefined,
): boolean {
  const results = resource.values.map((pattern) => resourceMatches(pattern, requested, resolve));
  if (!resource.negated) return results.includes(true);
  return !results.includes(undefined) && !results.includes(true);
}

function principalMatchesStatement(statement: CheckedStatement, caller: TrustRequest['principal']): boolean {
  const principal = statement.principal;
  if (!principal) return false;
  return principal.negated
    ? !notPrincipalNames(principal.element, caller)
    : principalMatches(principal.element, caller);
}

function decided(
  decision: 'Allow' | 'ExplicitDeny',
  statement: CheckedStatement,
  policyIndex?: number,
): EvaluationResult {
  const matchedStatement: NonNullable<EvaluationResult['matchedStatement']> = {
    effect: statement.effect,
    index: statement.index,
  };
  if (statement.sid !== undefined) matchedStatement.sid = statement.sid;
  if (policyIndex !== undefined) matchedStatement.policyIndex = policyIndex;
  const verb = decision === 'Allow' ? 'Allowed' : 'Explicitly denied';
  return { decision, reason: `${verb} by ${statement.where}`, matchedStatement };
}
