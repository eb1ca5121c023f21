import { UnsupportedPolicyError } from '../policy/errors.ts';
import { countedSize, ROLE_INLINE_POLICY_LIMIT, USER_INLINE_POLICY_LIMIT } from '../policy/inline-policy-quotas.ts';
import { checkPolicy } from '../policy/statements.ts';
import { AwsError, noSuchEntity, validationError } from '../protocol/aws-error.ts';
import type { Operation, OperationContext } from '../protocol/operation.ts';
import type { InlinePolicySpec, PolicyDocument, RoleSpec, UserSpec } from '../state/state-file.ts';
import { roleArn } from '../state/store.ts';
import { pageFields, paginate } from './pagination.ts';
import { authorizedUser, storeChanged } from './target.ts';
import { requiredChecked } from './validation.ts';

/**
 * Inline (embedded) policies of roles and users: PutRolePolicy, GetRolePolicy, DeleteRolePolicy,
 * ListRolePolicies, PutUserPolicy, GetUserPolicy, DeleteUserPolicy (ListUserPolicies is in
 * users.ts), with IAM's size quotas (policy/inline-policy-quotas.ts).
 */

const POLICY_NAME = { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' };
/** `policyDocumentType` in the IAM API model. */
const POLICY_DOCUMENT_MAX = 131_072;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the documented character set
const POLICY_DOCUMENT_PATTERN = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

function policyName(ctx: OperationContext): string {
  const value = ctx.params.required('PolicyName');
  if (value.length < POLICY_NAME.min || value.length > POLICY_NAME.max) {
    const bound = value.length < POLICY_NAME.min ? 'greater than or equal to 1' : 'less than or equal to 128';
    throw validationError(value, 'policyName', `Member must have length ${bound}`);
  }
  if (!POLICY_NAME.pattern.test(value))
    throw validationError(
      value,
      'policyName',
      `Member must satisfy regular expression pattern: ${POLICY_NAME.patternText}`,
    );
  return value;
}

/** The document as AWS checks it when saved: JSON, then the grammar of an identity policy. */
function policyDocument(ctx: OperationContext): { text: string; document: PolicyDocument } {
  const text = ctx.params.required('PolicyDocument');
  if (text.length > POLICY_DOCUMENT_MAX)
    throw validationError(
      '...',
      'policyDocument',
      `Member must have length less than or equal to ${POLICY_DOCUMENT_MAX}`,
    );
  if (!POLICY_DOCUMENT_PATTERN.test(text))
    throw validationError(
      '...',
      'policyDocument',
      'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
    );
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new AwsError('MalformedPolicyDocument', 'This policy contains invalid Json');
  }
  try {
    checkPolicy(document, 'identity', 'the policy');
  } catch (error) {
    if (!(error instanceof UnsupportedPolicyError)) throw error;
    throw new AwsError('MalformedPolicyDocument', error.message);
  }
  if (
    !Array.isArray((document as PolicyDocument).Statement) &&
    typeof (document as PolicyDocument).Statement !== 'object'
  )
    throw new AwsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  return { text, document: document as PolicyDocument };
}

function putInline(
  owner: { inlinePolicies?: InlinePolicySpec[] },
  name: string,
  document: PolicyDocument,
  limit: number,
  tooLarge: string,
): void {
  const others = (owner.inlinePolicies ?? []).filter((p) => p.name !== name);
  const total = others.reduce((sum, p) => sum + countedSize(p.document), countedSize(document));
  if (total > limit) throw new AwsError('LimitExceeded', tooLarge, 409);
  const existing = owner.inlinePolicies?.find((p) => p.name === name);
  if (existing) existing.document = document;
  else owner.inlinePolicies = [...(owner.inlinePolicies ?? []), { name, document }];
}

function findInline(owner: { inlinePolicies?: InlinePolicySpec[] }, name: string): InlinePolicySpec | undefined {
  // Policy names are unique per entity, case-sensitively (unconfirmed; the strict reading).
  return owner.inlinePolicies?.find((p) => p.name === name);
}

/** The role named by `RoleName` in the caller's account, authorized before its existence is revealed. */
function authorizedRole(ctx: OperationContext): RoleSpec {
  const name = requiredChecked(ctx.params, 'RoleName', 'roleName');
  const role = ctx.store.findRole(ctx.caller.account, name);
  ctx.authorize(role ? roleArn(role) : `arn:aws:iam::${ctx.caller.account}:role/${name}`);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

export const putRolePolicy: Operation = (ctx) => {
  const name = policyName(ctx);
  const { document } = policyDocument(ctx);
  const role = authorizedRole(ctx);
  putInline(
    role,
    name,
    document,
    ROLE_INLINE_POLICY_LIMIT,
    `Maximum policy size of ${ROLE_INLINE_POLICY_LIMIT} bytes exceeded for role ${role.name}`,
  );
  storeChanged(ctx);
  return null;
};

export const getRolePolicy: Operation = (ctx) => {
  const name = policyName(ctx);
  const role = authorizedRole(ctx);
  const policy = findInline(role, name);
  if (!policy) throw noSuchEntity(`The role policy with name ${name} cannot be found.`);
  // AWS returns the document URL-encoded (RFC 3986); SDKs and the CLI leave decoding to the caller.
  return {
    RoleName: role.name,
    PolicyName: policy.name,
    PolicyDocument: encodeURIComponent(JSON.stringify(policy.document)),
  };
};

export const deleteRolePolicy: Operation = (ctx) => {
  const name = policyName(ctx);
  const role = authorizedRole(ctx);
  if (!findInline(role, name)) throw noSuchEntity(`The role policy with name ${name} cannot be found.`);
  role.inlinePolicies = (role.inlinePolicies ?? []).filter((p) => p.name !== name);
  storeChanged(ctx);
  return null;
};

export const listRolePolicies: Operation = (ctx) => {
  const role = authorizedRole(ctx);
  const names = (role.inlinePolicies ?? []).map((p) => p.name).sort();
  const page = paginate(names, ctx.params);
  return { PolicyNames: page.items, ...pageFields(page) };
};

const policyUser = (ctx: OperationContext): UserSpec => authorizedUser(ctx, { defaultToCaller: false });

export const putUserPolicy: Operation = (ctx) => {
  const name = policyName(ctx);
  const { document } = policyDocument(ctx);
  const user = policyUser(ctx);
  putInline(
    user,
    name,
    document,
    USER_INLINE_POLICY_LIMIT,
    `Maximum policy size of ${USER_INLINE_POLICY_LIMIT} bytes exceeded for user ${user.name}`,
  );
  storeChanged(ctx);
  return null;
};

export const getUserPolicy: Operation = (ctx) => {
  const name = policyName(ctx);
  const user = policyUser(ctx);
  const policy = findInline(user, name);
  if (!policy) throw noSuchEntity(`The user policy with name ${name} cannot be found.`);
  return {
    UserName: user.name,
    PolicyName: policy.name,
    PolicyDocument: encodeURIComponent(JSON.stringify(policy.document)),
  };
};

export const deleteUserPolicy: Operation = (ctx) => {
  const name = policyName(ctx);
  const user = policyUser(ctx);
  if (!findInline(user, name)) throw noSuchEntity(`The user policy with name ${name} cannot be found.`);
  user.inlinePolicies = (user.inlinePolicies ?? []).filter((p) => p.name !== name);
  storeChanged(ctx);
  return null;
};
