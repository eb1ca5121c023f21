import { UnsupportedPolicyError } from '../policy/errors.ts';
import { checkPolicy } from '../policy/statements.ts';
import { AwsError, validationError } from '../protocol/aws-error.ts';
import type { Operation } from '../protocol/operation.ts';
import type { QueryParams } from '../protocol/query-params.ts';
import type { XmlObject } from '../protocol/xml.ts';
import type { PolicyDocument } from '../state/state-file.ts';
import { pageFields, paginate } from './pagination.ts';
import { type ContextKeys, conditionKeysFor, parseContextEntries, simulate } from './simulate.ts';
import { resolveSimulationSource, type SourcePolicy } from './simulate-sources.ts';
import { ANY_RESOURCE } from './target.ts';
import { optionalChecked } from './validation.ts';

/** `policyDocumentType` in the IAM API model: 1..131072 characters. */
const MAX_POLICY_LENGTH = 131_072;

/** `PolicyInputList.member.N` (or the boundary list): JSON documents, checked like IAM checks them. */
function parsePolicies(params: QueryParams, name: string, member: string, required: boolean): SourcePolicy[] {
  const texts = params.list(name);
  if (required && texts.length === 0) throw validationError('[]', member, 'Member must not be null');
  return texts.map((text, i) => {
    if (text.length < 1 || text.length > MAX_POLICY_LENGTH)
      throw validationError(
        text.slice(0, 32),
        `${member}.${i + 1}.member`,
        'Member must have length between 1 and 131072',
      );
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new AwsError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
    }
    try {
      checkPolicy(document, 'identity', `${name}.${i + 1}`);
    } catch (error) {
      if (error instanceof UnsupportedPolicyError) throw new AwsError('MalformedPolicyDocument', error.message);
      throw error;
    }
    // AWS names custom inputs by their place in the request.
    return { id: `${name}.${i + 1}`, type: 'none', document: document as PolicyDocument };
  });
}

/**
 * SimulateCustomPolicy: evaluates the given identity policies (and, when given, permissions
 * boundaries: an action must be allowed by both, and a Deny in either wins) for `ActionNames` on
 * `ResourceArns` (default `*`) with `ContextEntries`. No principal is needed; with `CallerArn`
 * naming a user of the account, that user's own keys (aws:username, ...) join the context.
 * Resource policies are not modelled.
 */
export const simulateCustomPolicy: Operation = (ctx) => {
  const policies = parsePolicies(ctx.params, 'PolicyInputList', 'policyInputList', true);
  const boundaries = parsePolicies(
    ctx.params,
    'PermissionsBoundaryPolicyInputList',
    'permissionsBoundaryPolicyInputList',
    false,
  );
  const actions = ctx.params.list('ActionNames');
  if (actions.length === 0) throw validationError('[]', 'actionNames', 'Member must not be null');
  const resources = ctx.params.list('ResourceArns');
  const callerArn = optionalChecked(ctx.params, 'CallerArn', 'arn');
  const contextKeys = parseContextEntries(ctx.params);
  ctx.authorize(ANY_RESOURCE);
  const principalKeys =
    callerArn === undefined ? {} : resolveSimulationSource(ctx.store, ctx.caller.account, callerArn).principalKeys;
  const keys: ContextKeys = { ...principalKeys, ...contextKeys };
  const provided = new Set(Object.keys(keys).map((k) => k.toLowerCase()));
  const documents = [...policies, ...boundaries].map((p) => p.document);

  const results: XmlObject[] = [];
  for (const action of actions) {
    const missing = [...new Set(conditionKeysFor(documents, action).filter((k) => !provided.has(k.toLowerCase())))];
    for (const resource of resources.length > 0 ? resources : ['*']) {
      let outcome: ReturnType<typeof simulate>;
      try {
        outcome = simulate(policies, action, resource, keys);
        if (boundaries.length > 0 && outcome.decision !== 'explicitDeny') {
          const bounded = simulate(boundaries, action, resource, keys);
          if (bounded.decision !== 'allowed') outcome = bounded;
        }
      } catch (error) {
        if (error instanceof UnsupportedPolicyError)
          throw new AwsError('InvalidInput', `The emulator cannot simulate this policy: ${error.message}`);
        throw error;
      }
      results.push({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: outcome.decision,
        MatchedStatements: outcome.matched.map((p) => ({ SourcePolicyId: p.id, SourcePolicyType: p.type })),
        MissingContextValues: missing,
      });
    }
  }
  const page = paginate(results, ctx.params);
  return { EvaluationResults: page.items, ...pageFields(page) };
};
