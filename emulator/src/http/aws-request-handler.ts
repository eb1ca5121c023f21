import { authorizeIdentity, checkSessionLimits } from '../auth/authorizer.ts';
import { resolveCaller } from '../auth/caller-resolver.ts';
import { AwsError } from '../protocol/aws-error.ts';
import type { OperationContext, OperationTable } from '../protocol/operation.ts';
import { QueryParams } from '../protocol/query-params.ts';
import { renderError, renderResponse, type ServiceName } from '../protocol/xml.ts';
import { readSignatureClaim, signatureDoesNotMatch, type WireRequest } from '../sigv4/signature-verifier.ts';
import type { Store } from '../state/store.ts';
import { type RateLimiter, THROTTLING } from './rate-limit.ts';

export const API_VERSIONS: Record<ServiceName, string> = { sts: '2011-06-15', iam: '2010-05-08' };

export interface AwsHandlerDeps {
  store: Store;
  operations: Record<ServiceName, OperationTable>;
  /** Reports unexpected failures (never request contents: they hold credentials and codes). */
  logError: (message: string, error: unknown) => void;
  /** IAM's per-account request-rate limit, when configured. */
  rateLimiter?: RateLimiter;
}

export interface AwsAnswer {
  status: number;
  body: string;
}

const isService = (name: string): name is ServiceName => name === 'sts' || name === 'iam';

function serviceOfAction(
  operations: AwsHandlerDeps['operations'],
  action: string | undefined,
): ServiceName | undefined {
  if (action === undefined) return undefined;
  return (Object.keys(operations) as ServiceName[]).find((service) => Object.hasOwn(operations[service], action));
}

/** Query-protocol parameters: the URL's query string plus, for POST, the form body. */
export function requestParams(wire: WireRequest): QueryParams {
  const body = wire.method === 'POST' ? Buffer.from(wire.body).toString('utf8') : '';
  return QueryParams.fromForm([wire.rawQuery, body].filter((part) => part !== '').join('&'));
}

/**
 * One AWS Query-protocol request, from signature to XML: verify SigV4, identify the caller,
 * route by Action within the service the credential is scoped to, apply the limits on temporary
 * credentials, run the operation with an authorizer bound to the caller.
 */
export async function handleAwsRequest(
  deps: AwsHandlerDeps,
  wire: WireRequest,
  now: Date,
  requestId: string,
): Promise<AwsAnswer> {
  const params = requestParams(wire);
  const action = params.string('Action');
  // Errors are rendered in the namespace of the service the client meant.
  let service: ServiceName = serviceOfAction(deps.operations, action) ?? 'sts';
  try {
    const claim = readSignatureClaim(wire, now);
    if (isService(claim.scope.service) && serviceOfAction(deps.operations, action) === undefined)
      service = claim.scope.service;
    const caller = resolveCaller(deps.store, claim, now);

    if (action === undefined || action === '') throw new AwsError('MissingAction', 'Missing Action');
    const version = params.string('Version') ?? 'null';
    const owner = serviceOfAction(deps.operations, action);
    if (owner === undefined || (params.has('Version') && version !== API_VERSIONS[owner])) {
      throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
    }
    if (claim.scope.service !== owner) {
      throw signatureDoesNotMatch(`Credential should be scoped to correct service: '${owner}'. `);
    }
    // Like IAM, an account that calls too fast is refused before the operation runs.
    if (owner === 'iam' && deps.rateLimiter && !deps.rateLimiter.take(caller.account))
      throw new AwsError(THROTTLING.code, THROTTLING.message, THROTTLING.status);
    checkSessionLimits(caller, owner, action);

    const ctx: OperationContext = {
      service: owner,
      action,
      params,
      caller,
      store: deps.store,
      requestId,
      now,
      authorize: (resource, extraKeys) =>
        authorizeIdentity(deps.store, caller, `${owner}:${action}`, resource, now, extraKeys),
    };
    const result = await deps.operations[owner][action]!(ctx);
    return { status: 200, body: renderResponse(owner, action, result, requestId) };
  } catch (error) {
    if (error instanceof AwsError) {
      return { status: error.status, body: renderError(service, error.type, error.code, error.message, requestId) };
    }
    deps.logError(`unexpected failure in ${service}:${action ?? '(no action)'} (request ${requestId})`, error);
    return {
      status: 500,
      body: renderError(
        service,
        'Receiver',
        'InternalFailure',
        'The request processing has failed because of an unknown error, exception or failure.',
        requestId,
      ),
    };
  }
}
