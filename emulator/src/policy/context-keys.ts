import { UnsupportedPolicyError } from './errors.ts';

/**
 * The condition keys the emulator puts into request contexts. Key names are case-insensitive
 * ("Key names are case-insensitive. For example, aws:CurrentTime is equivalent to
 * AWS:currenttime": IAM User Guide, "IAM policy elements: Variables and tags"), so everything here
 * is lower case. A policy that tests any other key on a statement that applies is refused with
 * UnsupportedPolicyError rather than evaluated as if the key were absent.
 */
export const SUPPORTED_CONDITION_KEYS: readonly string[] = [
  'aws:multifactorauthpresent',
  'aws:multifactorauthage',
  'aws:username',
  'aws:userid',
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principaltype',
  'aws:sourceidentity',
  'aws:currenttime',
  'aws:epochtime',
  'aws:tokenissuetime',
  'aws:securetransport',
  'aws:requestedregion',
  'sts:externalid',
  'sts:sourceidentity',
  'sts:rolesessionname',
  'aws:tagkeys',
  // Set by Attach/Detach User/Group Policy (managed-policies.ts): which policy is attached.
  'iam:policyarn',
  // Set by CreateUser and PutUserPermissionsBoundary (permissions-boundaries.ts): the boundary.
  'iam:permissionsboundary',
];

/** Tag keys: the part after the slash is the tag name, any tag name is supported. */
export const SUPPORTED_CONDITION_KEY_PREFIXES: readonly string[] = [
  'aws:principaltag/',
  'aws:requesttag/',
  'iam:resourcetag/',
];

/** Keys whose request value is a list; they cannot be used as policy variables. */
const MULTIVALUED_KEYS = new Set(['aws:tagkeys']);

const supportedKeys = new Set(SUPPORTED_CONDITION_KEYS);

export function isSupportedConditionKey(lowerKey: string): boolean {
  if (supportedKeys.has(lowerKey)) return true;
  return SUPPORTED_CONDITION_KEY_PREFIXES.some(
    (prefix) => lowerKey.startsWith(prefix) && lowerKey.length > prefix.length,
  );
}

/** The request context: lower-cased key -> value(s). Absent keys (and empty lists) are not stored. */
export type RequestContext = ReadonlyMap<string, string | readonly string[]>;

export function toRequestContext(keys: Record<string, string | string[]>): RequestContext {
  const context = new Map<string, string | readonly string[]>();
  for (const [key, value] of Object.entries(keys)) {
    if (Array.isArray(value) && value.length === 0) continue;
    context.set(key.toLowerCase(), value);
  }
  return context;
}

/** The request values of a key as a list, or undefined when the key is absent. */
export function contextValues(context: RequestContext, lowerKey: string): readonly string[] | undefined {
  const value = context.get(lowerKey);
  if (value === undefined) return undefined;
  return typeof value === 'string' ? [value] : value;
}

/**
 * Resolves the name inside `${...}` to its value, or undefined when the request has no such key
 * (the caller then applies the documented default or treats the pattern as unresolvable).
 * Unknown and multivalued keys cannot be substituted faithfully: they throw.
 */
export type VariableResolver = (name: string) => string | undefined;

export function variableResolver(context: RequestContext, where: string): VariableResolver {
  return (name) => {
    const lowerName = name.toLowerCase();
    if (!isSupportedConditionKey(lowerName) || MULTIVALUED_KEYS.has(lowerName)) {
      throw new UnsupportedPolicyError(`Unsupported policy variable '\${${name}}' in ${where}`);
    }
    const value = context.get(lowerName);
    return typeof value === 'string' ? value : undefined;
  };
}
