import { authorizeTrust } from '../auth/authorizer.ts';
import { type ConditionKeys, callerConditionKeys, mfaKeys } from '../auth/condition-keys.ts';
import { AwsError, notAuthorized } from '../protocol/aws-error.ts';
import type { Caller, Operation, OperationContext } from '../protocol/operation.ts';
import type { QueryParams } from '../protocol/query-params.ts';
import { roleArn as arnOfRole } from '../state/store.ts';
import { verifyCallerMfa } from './mfa-verification.ts';
import { issueSession } from './session-issuer.ts';
import {
  ARN,
  EXTERNAL_ID,
  ROLE_SESSION_NAME,
  readMfaParams,
  requireMfaPair,
  SESSION_POLICY,
  SOURCE_IDENTITY,
  TAG_KEY,
  TAG_VALUE,
  ValidationCollector,
} from './sts-validation.ts';

export const ASSUME_ROLE_DURATION = { min: 900, max: 43_200, default: 3600 };
/** Credentials that are themselves temporary may only assume roles for up to an hour. */
export const ROLE_CHAINING_MAX_DURATION = 3600;
/** Session policies and tags are packed into the token; AWS reports their share of this budget. */
const PACKED_POLICY_BUDGET = 2048;

interface AssumeRoleRequest {
  roleArn: string;
  sessionName: string;
  duration: number | undefined;
  externalId: string | undefined;
  sourceIdentity: string | undefined;
  serialNumber: string | undefined;
  tokenCode: string | undefined;
  tags: Array<{ key: string; value: string }>;
  packedSize: number | undefined;
}

function readRequest(params: QueryParams): AssumeRoleRequest {
  const errors = new ValidationCollector();
  const roleArn = params.required('RoleArn');
  const sessionName = params.required('RoleSessionName');
  errors.string(roleArn, 'roleArn', ARN);
  errors.string(sessionName, 'roleSessionName', ROLE_SESSION_NAME);
  const duration = params.integer('DurationSeconds');
  errors.range(duration, 'durationSeconds', ASSUME_ROLE_DURATION.min, ASSUME_ROLE_DURATION.max);
  const externalId = params.string('ExternalId');
  errors.string(externalId, 'externalId', EXTERNAL_ID);
  const sourceIdentity = params.string('SourceIdentity');
  errors.string(sourceIdentity, 'sourceIdentity', SOURCE_IDENTITY);
  const mfa = readMfaParams(params, errors);

  // Session policies, policy ARNs and tags are accepted and validated, but do not narrow the
  // session's permissions in this emulator.
  const policy = params.string('Policy');
  errors.string(policy, 'policy', SESSION_POLICY);
  params.structList('PolicyArns').forEach((entry, i) => {
    errors.string(entry.string('arn') ?? '', `policyArns.${i + 1}.member.arn`, ARN);
  });
  const tags = params.structList('Tags').map((entry, i) => {
    const key = entry.string('Key') ?? '';
    const value = entry.string('Value') ?? '';
    errors.string(key, `tags.${i + 1}.member.key`, TAG_KEY);
    errors.string(value, `tags.${i + 1}.member.value`, TAG_VALUE);
    return { key, value };
  });
  if (tags.length > 50)
    errors.violation(`${tags.length} tags`, 'tags', 'Member must have length less than or equal to 50');
  params.list('TransitiveTagKeys').forEach((key, i) => {
    errors.string(key, `transitiveTagKeys.${i + 1}.member`, TAG_KEY);
  });
  errors.throwIfAny();
  requireMfaPair(mfa);

  if (policy !== undefined) {
    try {
      JSON.parse(policy);
    } catch {
      throw new AwsError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
    }
  }
  const packedBytes = (policy?.length ?? 0) + tags.reduce((sum, t) => sum + t.key.length + t.value.length + 2, 0);
  const packedSize =
    policy !== undefined || tags.length > 0 ? Math.ceil((100 * packedBytes) / PACKED_POLICY_BUDGET) : undefined;
  if (packedSize !== undefined && packedSize > 100) {
    throw new AwsError(
      'PackedPolicyTooLarge',
      `Packed size of session policies and session tags exceeds the limit: ${packedSize}% of allowed size.`,
    );
  }
  return { roleArn, sessionName, duration, externalId, sourceIdentity, ...mfa, tags, packedSize };
}

/** MFA context of the new session: a fresh code now, or the one the calling session carries. */
function mfaContext(ctx: OperationContext, request: AssumeRoleRequest): Date | null {
  if (request.serialNumber !== undefined && request.tokenCode !== undefined) {
    return verifyCallerMfa(ctx, request.serialNumber, request.tokenCode);
  }
  return ctx.caller.kind === 'user' ? null : ctx.caller.mfaAuthenticatedAt;
}

function requestKeys(request: AssumeRoleRequest, sourceIdentity: string | null): ConditionKeys {
  const keys: ConditionKeys = { 'sts:RoleSessionName': request.sessionName };
  if (request.externalId !== undefined) keys['sts:ExternalId'] = request.externalId;
  if (request.sourceIdentity !== undefined) keys['sts:SourceIdentity'] = request.sourceIdentity;
  if (sourceIdentity !== null) keys['aws:SourceIdentity'] = sourceIdentity;
  if (request.tags.length > 0) keys['aws:TagKeys'] = request.tags.map((t) => t.key);
  for (const tag of request.tags) keys[`aws:RequestTag/${tag.key}`] = tag.value;
  return keys;
}

/** Source identity is set once and carried through role chaining; it cannot be changed later. */
function resolveSourceIdentity(caller: Caller, requested: string | undefined, roleArn: string): string | null {
  const inherited = caller.kind === 'role-session' ? caller.sourceIdentity : null;
  if (inherited !== null && requested !== undefined && requested !== inherited)
    throw notAuthorized(caller.arn, 'sts:AssumeRole', roleArn);
  return requested ?? inherited;
}

export const assumeRole: Operation = (ctx) => {
  const { caller, store, now } = ctx;
  const request = readRequest(ctx.params);
  const sourceIdentity = resolveSourceIdentity(caller, request.sourceIdentity, request.roleArn);
  const keys = requestKeys(request, sourceIdentity);

  // AWS does not reveal whether a role exists: a missing role is just "not authorized".
  const role = store.findRoleByArn(request.roleArn);
  if (!role) throw notAuthorized(caller.arn, 'sts:AssumeRole', request.roleArn);
  const roleArn = arnOfRole(role);

  // A code given with the call is checked first: the trust policy needs its MFA context.
  const mfaAuthenticatedAt = mfaContext(ctx, request);
  // The caller's own policies must allow sts:AssumeRole on the role (also within one account:
  // the emulator does not let a trust policy naming the user grant access on its own).
  ctx.authorize(roleArn, keys);
  const trustKeys = { ...callerConditionKeys(caller, now), ...keys, ...mfaKeys(mfaAuthenticatedAt, now) };
  // Long-term keys without a code carry no MFA keys at all (absent, not "false").
  if (caller.kind === 'user' && mfaAuthenticatedAt === null) delete trustKeys['aws:MultiFactorAuthPresent'];
  authorizeTrust(caller, role.trustPolicy, roleArn, trustKeys);

  const duration = request.duration ?? ASSUME_ROLE_DURATION.default;
  if (caller.kind !== 'user' && duration > ROLE_CHAINING_MAX_DURATION) {
    throw new AwsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (duration > (role.maxSessionDuration ?? 3600)) {
    throw new AwsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }

  const issuedAt = Math.floor(now.getTime() / 1000) * 1000;
  const expiresAt = new Date(issuedAt + duration * 1000);
  const roleId = role.id ?? '';
  const sessionArn = `arn:aws:sts::${role.account}:assumed-role/${role.name}/${request.sessionName}`;
  const credentials = issueSession(store, now, expiresAt, (accessKeyId) => ({
    kind: 'role-session',
    account: role.account,
    arn: sessionArn,
    roleArn,
    roleName: role.name,
    roleId,
    sessionName: request.sessionName,
    sourceIdentity,
    accessKeyId,
    mfaAuthenticatedAt,
    issuedAt: new Date(issuedAt),
    expiresAt,
    chained: caller.kind !== 'user',
  }));
  return {
    Credentials: credentials,
    AssumedRoleUser: { AssumedRoleId: `${roleId}:${request.sessionName}`, Arn: sessionArn },
    PackedPolicySize: request.packedSize,
    SourceIdentity: sourceIdentity ?? undefined,
  };
};
