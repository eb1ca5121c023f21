import { UnsupportedPolicyError } from '../policy/errors.ts';
import { evaluateIdentityPolicies } from '../policy/evaluate.ts';
import { actionMatches } from '../policy/match.ts';
import { AwsError, validationError } from '../protocol/aws-error.ts';
import type { Operation } from '../protocol/operation.ts';
import type { QueryParams } from '../protocol/query-params.ts';
import type { XmlObject } from '../protocol/xml.ts';
import type { PolicyDocument, PolicyStatement } from '../state/state-file.ts';
import { pageFields, paginate } from './pagination.ts';
import { checkOneBoundary, parsePolicyInputs } from './simulate-inputs.ts';
import { resolveSimulationSource, type SourcePolicy } from './simulate-sources.ts';
import { requiredChecked } from './validation.ts';

const CONTEXT_KEY_TYPES = [
  'string',
  'stringList',
  'numeric',
  'numericList',
  'boolean',
  'booleanList',
  'ip',
  'ipList',
  'binary',
  'binaryList',
  'date',
  'dateList',
] as const;

export type ContextKeys = Record<string, string | string[]>;

/** `ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}`. */
export function parseContextEntries(params: QueryParams): ContextKeys {
  const keys: ContextKeys = {};
  params.structList('ContextEntries').forEach((entry, i) => {
    const name = entry.string('ContextKeyName');
    const type = entry.string('ContextKeyType');
    const at = `contextEntries.${i + 1}`;
    if (name === undefined || name.length < 5 || name.length > 256) {
      throw validationError(name ?? 'null', `${at}.member.contextKeyName`, 'Member must have length between 5 and 256');
    }
    if (type !== undefined && !(CONTEXT_KEY_TYPES as readonly string[]).includes(type)) {
      throw validationError(
        type,
        `${at}.member.contextKeyType`,
        `Member must satisfy enum value set: [${CONTEXT_KEY_TYPES.join(', ')}]`,
      );
    }
    const values = entry.list('ContextKeyValues');
    keys[name] = type?.endsWith('List') ? values : (values[0] ?? '');
  });
  return keys;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Condition keys of the statements that name `action`, as written in the policies. */
export function conditionKeysFor(documents: PolicyDocument[], action: string): string[] {
  const keys: string[] = [];
  for (const document of documents) {
    for (const statement of asArray<PolicyStatement>(document.Statement)) {
      const applies =
        statement.Action !== undefined
          ? actionMatches(asArray(statement.Action), action)
          : !actionMatches(asArray(statement.NotAction), action);
      if (!applies || !statement.Condition) continue;
      for (const block of Object.values(statement.Condition)) keys.push(...Object.keys(block));
    }
  }
  return keys;
}

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/**
 * Evaluates each policy on its own so the result can name the policies that decided it; combined
 * the usual way (any explicit Deny wins, then any Allow, else implicit deny), this equals
 * evaluating them together.
 */
export function simulate(
  policies: SourcePolicy[],
  action: string,
  resource: string,
  keys: ContextKeys,
): { decision: Decision; matched: SourcePolicy[] } {
  const outcomes = policies.map((policy) => ({
    policy,
    decision: evaluateIdentityPolicies([policy.document], { action, resource, keys }).decision,
  }));
  const denying = outcomes.filter((o) => o.decision === 'ExplicitDeny').map((o) => o.policy);
  if (denying.length > 0) return { decision: 'explicitDeny', matched: denying };
  const allowing = outcomes.filter((o) => o.decision === 'Allow').map((o) => o.policy);
  if (allowing.length > 0) return { decision: 'allowed', matched: allowing };
  return { decision: 'implicitDeny', matched: [] };
}

export interface BoundedOutcome {
  decision: Decision;
  matched: SourcePolicy[];
  /** `PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary`, when a boundary applies. */
  allowedByBoundary?: boolean;
}

/**
 * The identity policies within permissions boundaries (SimulateCustomPolicy's list, or the
 * principal's own boundary): a Deny in either wins, else both must allow. Without boundaries this
 * is `simulate`.
 */
export function simulateWithinBoundary(
  policies: SourcePolicy[],
  boundaries: SourcePolicy[],
  action: string,
  resource: string,
  keys: ContextKeys,
): BoundedOutcome {
  const identity = simulate(policies, action, resource, keys);
  if (boundaries.length === 0) return identity;
  const bounded = simulate(boundaries, action, resource, keys);
  const allowedByBoundary = bounded.decision === 'allowed';
  if (identity.decision === 'explicitDeny' || allowedByBoundary) return { ...identity, allowedByBoundary };
  if (bounded.decision === 'explicitDeny') return { ...bounded, allowedByBoundary };
  return { decision: 'implicitDeny', matched: [], allowedByBoundary };
}

/** One EvaluationResult entry of both simulations. */
export function evaluationResult(action: string, resource: string, outcome: BoundedOutcome, missing: string[]) {
  return {
    EvalActionName: action,
    EvalResourceName: resource,
    EvalDecision: outcome.decision,
    MatchedStatements: outcome.matched.map((p) => ({ SourcePolicyId: p.id, SourcePolicyType: p.type })),
    MissingContextValues: missing,
    PermissionsBoundaryDecisionDetail:
      outcome.allowedByBoundary === undefined ? undefined : { AllowedByPermissionsBoundary: outcome.allowedByBoundary },
  };
}

/**
 * SimulatePrincipalPolicy over the principal's identity policies (inline, attached, and for users
 * their groups') within the user's permissions boundary, or within the one given as
 * `PermissionsBoundaryPolicyInputList`, which replaces it for the simulation (IAM API reference).
 * Resource policies and SCPs are not modelled. The principal's own keys (aws:username,
 * aws:userid, aws:PrincipalArn, ...) are in the context unless ContextEntries set them;
 * MissingContextValues lists condition keys of statements naming the action that neither supplies.
 */
export const simulatePrincipalPolicy: Operation = (ctx) => {
  const sourceArn = requiredChecked(ctx.params, 'PolicySourceArn', 'arn');
  const actions = ctx.params.list('ActionNames');
  if (actions.length === 0) throw validationError('[]', 'actionNames', 'Member must not be null');
  const resources = ctx.params.list('ResourceArns');
  const contextKeys = parseContextEntries(ctx.params);
  const boundaryInput = parsePolicyInputs(
    ctx.params,
    'PermissionsBoundaryPolicyInputList',
    'permissionsBoundaryPolicyInputList',
    false,
  );
  checkOneBoundary(boundaryInput);
  ctx.authorize(sourceArn);
  const source = resolveSimulationSource(ctx.store, ctx.caller.account, sourceArn);
  const keys: ContextKeys = { ...source.principalKeys, ...contextKeys };
  const provided = new Set(Object.keys(keys).map((k) => k.toLowerCase()));
  const boundaries = boundaryInput.length > 0 ? boundaryInput : source.boundary ? [source.boundary] : [];
  const documents = [...source.policies, ...boundaries].map((p) => p.document);

  const results: XmlObject[] = [];
  for (const action of actions) {
    const missing = [...new Set(conditionKeysFor(documents, action).filter((k) => !provided.has(k.toLowerCase())))];
    for (const resource of resources.length > 0 ? resources : ['*']) {
      let outcome: BoundedOutcome;
      try {
        outcome = simulateWithinBoundary(source.policies, boundaries, action, resource, keys);
      } catch (error) {
        if (error instanceof UnsupportedPolicyError)
          throw new AwsError('InvalidInput', `The emulator cannot simulate this policy: ${error.message}`);
        throw error;
      }
      results.push(evaluationResult(action, resource, outcome, missing));
    }
  }
  const page = paginate(results, ctx.params);
  return { EvaluationResults: page.items, ...pageFields(page) };
};
