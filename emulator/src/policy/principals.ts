import { UnsupportedPolicyError } from './errors.ts';

/**
 * Principal and NotPrincipal of role trust policies (IAM User Guide, "AWS JSON policy elements:
 * Principal" and "NotPrincipal").
 *
 * The caller is an AWS principal: an IAM user, an account root, or a role session. For a role
 * session the caller passes the ROLE ARN as `arn` (AWS matches a role ARN in Principal against the
 * sessions of that role).
 */
export interface CallerPrincipal {
  arn: string;
  account: string;
}

const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[a-z-]+:iam::(\d{12}):root$/;
const IDENTITY_ARN =
  /^arn:[a-z-]+:(iam::\d{12}:(user|role)\/.+|sts::\d{12}:(assumed-role\/[^/]+\/.+|federated-user\/.+))$/;

/** Throws UnsupportedPolicyError for a Principal/NotPrincipal AWS would reject or we cannot match. */
export function checkPrincipalElement(element: unknown, name: 'Principal' | 'NotPrincipal', where: string): void {
  if (element === '*') return;
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    throw new UnsupportedPolicyError(`Malformed ${name} in ${where}: expected "*" or an object`);
  }
  if (Object.keys(element).length === 0) {
    throw new UnsupportedPolicyError(`Malformed ${name} in ${where}: it names no principal`);
  }
  for (const [type, raw] of Object.entries(element)) {
    if (!PRINCIPAL_TYPES.has(type)) {
      throw new UnsupportedPolicyError(`Unsupported principal type '${type}' in ${name} of ${where}`);
    }
    const values: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (values.length === 0 || values.some((value) => typeof value !== 'string' || value === '')) {
      throw new UnsupportedPolicyError(
        `Malformed ${name} in ${where}: '${type}' must be a string or a list of strings`,
      );
    }
    if (type !== 'AWS') continue;
    for (const value of values as string[]) {
      // Wildcards are not allowed inside principal ARNs: "*" alone is the only wildcard form.
      const valid =
        value === '*' ||
        ACCOUNT_ID.test(value) ||
        ROOT_ARN.test(value) ||
        (IDENTITY_ARN.test(value) && !value.includes('*'));
      if (!valid) throw new UnsupportedPolicyError(`Unsupported AWS principal '${value}' in ${name} of ${where}`);
    }
  }
}

function awsEntries(element: unknown): string[] | 'everyone' {
  if (element === '*') return 'everyone';
  const raw = (element as Record<string, string | string[]>).AWS;
  if (raw === undefined) return []; // Service, Federated, CanonicalUser never name an AWS principal
  return Array.isArray(raw) ? raw : [raw];
}

function accountOf(entry: string): string | undefined {
  if (ACCOUNT_ID.test(entry)) return entry;
  return ROOT_ARN.exec(entry)?.[1];
}

/**
 * Principal: `"*"` and `{"AWS": "*"}` match everyone; an account ID or its root ARN matches every
 * principal of that account (the account then delegates through its own identity policies, which
 * the caller evaluates separately); a user, role or session ARN matches exactly.
 */
export function principalMatches(element: unknown, caller: CallerPrincipal): boolean {
  const entries = awsEntries(element);
  if (entries === 'everyone') return true;
  return entries.some((entry) => entry === '*' || entry === caller.arn || accountOf(entry) === caller.account);
}

/**
 * NotPrincipal (Deny only): true when the caller is named and so exempt from the Deny.
 * Stricter than Principal on purpose: an account entry exempts only the account's root user, not
 * every principal in it. AWS's own guidance is to list the account ARN *and* the user or role ARN
 * ("you must also specify the account ARN of the not-denied principal"); listing only the account
 * is the case where this emulator denies more rather than less.
 */
export function notPrincipalNames(element: unknown, caller: CallerPrincipal): boolean {
  const entries = awsEntries(element);
  if (entries === 'everyone') return true;
  const callerIsRoot = ROOT_ARN.exec(caller.arn)?.[1] === caller.account;
  return entries.some(
    (entry) => entry === '*' || entry === caller.arn || (callerIsRoot && accountOf(entry) === caller.account),
  );
}
