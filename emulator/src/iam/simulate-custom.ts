import { UnsupportedPolicyError } from '../policy/errors.ts';
import { AwsError, validationError } from '../protocol/aws-error.ts';
import type { Operation } from '../protocol/operation.ts';
import type { XmlObject } from '../protocol/xml.ts';
import { pageFields, paginate } from './pagination.ts';
import {
  type BoundedOutcome,
  type ContextKeys,
  conditionKeysFor,
  evaluationResult,
  parseContextEntries,
  simulateWithinBoundary,
} from './simulate.ts';
import { checkOneBoundary, parsePolicyInputs } from './simulate-inputs.ts';
import { resolveSimulationSource } from './simulate-sources.ts';
import { ANY_RESOURCE } from './target.ts';
import { optionalChecked } from './validation.ts';

/**
 * SimulateCustomPolicy: evaluates the given identity policies (and, when given, a permissions
 * boundary: an action must be allowed by both, and a Deny in either wins, as SimulatePrincipalPolicy
 * and real requests decide it) for `ActionNames` on `ResourceArns` (default `*`) with
 * `ContextEntries`. No principal is needed; with `CallerArn` naming a user of the account, that
 * user's own keys (aws:username, ...) join the context (not the user's policies or boundary).
 * Resource policies are not modelled.
 */
export const simulateCustomPolicy: Operation = (ctx) => {
  const policies = parsePolicyInputs(ctx.params, 'PolicyInputList', 'policyInputList', true);
  const boundaries = parsePolicyInputs(
    ctx.params,
    'PermissionsBoundaryPolicyInputList',
    'permissionsBoundaryPolicyInputList',
    false,
  );
  checkOneBoundary(boundaries);
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
      let outcome: BoundedOutcome;
      try {
        outcome = simulateWithinBoundary(policies, boundaries, action, resource, keys);
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
