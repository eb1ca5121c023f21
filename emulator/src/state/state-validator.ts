import { UnsupportedPolicyError } from '../policy/errors.ts';
import { countedSize, ROLE_INLINE_POLICY_LIMIT, USER_INLINE_POLICY_LIMIT } from '../policy/inline-policy-quotas.ts';
import { checkPolicy, STATEMENT_FIELDS } from '../policy/statements.ts';
import { stableUniqueId } from './identity-ids.ts';
import {
  arrayAt,
  booleanAt,
  describe,
  integerAt,
  isObject,
  type JsonObject,
  objectAt,
  Problems,
  reportDuplicates,
  stringAt,
  timestampAt,
} from './state-checks.ts';
import type { PolicyDocument, StateFile } from './state-file.ts';

/** A state file that does not describe a valid organisation; `problems` name each bad path. */
export class StateFileError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], source?: string) {
    const shown = problems.slice(0, 20);
    const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
    super(`Invalid emulator state${source ? ` in ${source}` : ''}:\n  ${shown.join('\n  ')}${more}`);
    this.name = 'StateFileError';
    this.problems = problems;
  }
}

// Formats and limits from the IAM API reference.
const ACCOUNT_ID = { pattern: /^\d{12}$/, expected: 'a 12-digit account id' };
const USER_OR_ROLE_NAME = { pattern: /^[\w+=,.@-]{1,64}$/, expected: 'an IAM name of 1..64 characters [\\w+=,.@-]' };
const GROUP_OR_POLICY_NAME = {
  pattern: /^[\w+=,.@-]{1,128}$/,
  expected: 'an IAM name of 1..128 characters [\\w+=,.@-]',
};
const IAM_PATH = {
  pattern: /^\/(?:[\x21-\x7E]*\/)?$/,
  expected: 'an IAM path such as "/" or "/engineering/"',
  max: 512,
};
const ACCESS_KEY_ID = {
  pattern: /^AKIA[A-Z0-9]{16}$/,
  expected: 'an access key id: AKIA followed by 16 characters [A-Z0-9]',
};
const SECRET_KEY = { pattern: /^[A-Za-z0-9/+]{40}$/, expected: 'a secret access key of 40 characters [A-Za-z0-9/+]' };
const VIRTUAL_SERIAL = /^arn:aws:iam::(\d{12}):mfa\/(?:[\x21-\x7E]*\/)?[\w+=,.@-]{1,128}$/;
/** FIDO security keys: `arn:aws:iam::<account>:u2f/user/<user name>/<id>` (AWS's form). */
const FIDO_SERIAL = /^arn:aws:iam::(\d{12}):u2f\/user\/[\w+=,.@-]{1,64}\/[\w+=,.@-]{1,128}$/;
const HARDWARE_SERIAL = { pattern: /^[\w+=/:,.@-]{9,256}$/, expected: 'a serial of 9..256 characters [\\w+=/:,.@-]' };
const MANAGED_POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy\/(?:[\x21-\x7E]*\/)?[\w+=,.@-]{1,128}$/;
const ACCOUNT_ALIAS = {
  pattern: /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/,
  expected: 'an account alias (3..63 of a-z, 0-9, single hyphens)',
};

/** RFC 4226 asks for at least 128-bit secrets (otplib enforces it); AWS seeds are 40 bytes. */
const MIN_SEED_BYTES = 16;
const MAX_SEED_BYTES = 64;

function checkSeed(problems: Problems, object: JsonObject, path: string): void {
  const seed = stringAt(problems, object, 'seed', path, { required: true });
  if (seed === undefined) return;
  const compact = seed.replace(/=+$/, '');
  if (!/^[A-Z2-7]+$/.test(compact)) {
    problems.add(`${path}.seed`, 'must be base32 (A-Z, 2-7, upper case, optional = padding)');
    return;
  }
  const bytes = Math.floor((compact.length * 5) / 8);
  if (bytes < MIN_SEED_BYTES || bytes > MAX_SEED_BYTES) {
    problems.add(
      `${path}.seed`,
      `must encode ${MIN_SEED_BYTES}..${MAX_SEED_BYTES} bytes (RFC 4226), got ${bytes} (${compact.length} base32 characters)`,
    );
  }
}

function checkStringOrList(problems: Problems, value: unknown, path: string): void {
  const ok = typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
  if (!ok) problems.add(path, `must be a string or a list of strings, got ${describe(value)}`);
}

/**
 * The structure of a policy document. What its conditions mean is the policy evaluator's
 * business (it fails closed on what it does not support); this only rejects shapes AWS rejects.
 */
export function checkPolicyDocument(problems: Problems, value: unknown, path: string): void {
  const doc = objectAt(problems, value, path, ['Version', 'Id', 'Statement']);
  if (!doc) return;
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    problems.add(`${path}.Version`, `must be "2012-10-17" or "2008-10-17", got ${describe(doc.Version)}`);
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') problems.add(`${path}.Id`, 'must be a string');
  if (doc.Statement === undefined) return;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const statementPath = (i: number) => (Array.isArray(doc.Statement) ? `${path}.Statement[${i}]` : `${path}.Statement`);
  statements.forEach((raw, i) => {
    const at = statementPath(i);
    const statement = objectAt(problems, raw, at, STATEMENT_FIELDS);
    if (!statement) return;
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')
      problems.add(`${at}.Effect`, `must be "Allow" or "Deny", got ${describe(statement.Effect)}`);
    if ((statement.Action === undefined) === (statement.NotAction === undefined))
      problems.add(at, 'must have exactly one of Action and NotAction');
    if (statement.Resource !== undefined && statement.NotResource !== undefined)
      problems.add(at, 'must not have both Resource and NotResource');
    for (const field of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
      if (statement[field] !== undefined) checkStringOrList(problems, statement[field], `${at}.${field}`);
    }
    for (const field of ['Principal', 'NotPrincipal'] as const) {
      const principal = statement[field];
      if (principal === undefined || (field === 'Principal' && principal === '*')) continue;
      if (!isObject(principal))
        problems.add(
          `${at}.${field}`,
          `must be "*" or an object such as {"AWS": "arn:..."}, got ${describe(principal)}`,
        );
      else
        for (const [kind, ids] of Object.entries(principal)) checkStringOrList(problems, ids, `${at}.${field}.${kind}`);
    }
    if (statement.Condition !== undefined) {
      if (!isObject(statement.Condition))
        problems.add(`${at}.Condition`, 'must be an object of {operator: {key: value}}');
      else
        for (const [operator, block] of Object.entries(statement.Condition)) {
          if (!isObject(block)) problems.add(`${at}.Condition.${operator}`, 'must be an object of {key: value}');
        }
    }
  });
}

interface Context {
  problems: Problems;
  accounts: Set<string>;
  /** `account/lower-case group name` */
  groups: Set<string>;
  policies: Set<string>;
}

function checkAccount(ctx: Context, object: JsonObject, path: string): string | undefined {
  const account = stringAt(ctx.problems, object, 'account', path, { required: true, ...ACCOUNT_ID });
  if (account !== undefined && ACCOUNT_ID.pattern.test(account) && !ctx.accounts.has(account)) {
    ctx.problems.add(`${path}.account`, `refers to account ${account}, which is not in "accounts"`);
  }
  return account;
}

/**
 * What PutRolePolicy / PutUserPolicy accept, for the inline policies of roles and users: the
 * identity-policy grammar they check a document against, and the owner's size quota.
 */
interface SavedInlinePolicies {
  quota: number;
  owner: 'role' | 'user';
}

function checkInlinePolicies(ctx: Context, value: unknown, path: string, saved?: SavedInlinePolicies): void {
  const before = ctx.problems.list.length;
  let size = 0;
  const entries = arrayAt(ctx.problems, value, path).map((raw, i) => {
    const at = `${path}[${i}]`;
    const policy = objectAt(ctx.problems, raw, at, ['name', 'document']);
    if (!policy) return { key: '', path: at };
    const name = stringAt(ctx.problems, policy, 'name', at, { required: true, ...GROUP_OR_POLICY_NAME });
    const problemsBefore = ctx.problems.list.length;
    checkPolicyDocument(ctx.problems, policy.document, `${at}.document`);
    if (saved && ctx.problems.list.length === problemsBefore) {
      checkSavedDocument(ctx.problems, policy.document, `${at}.document`);
      size += countedSize(policy.document as PolicyDocument);
    }
    return { key: name ?? '', path: `${at}.name` };
  });
  reportDuplicates(
    ctx.problems,
    entries.filter((e) => e.key !== ''),
    'inline policy name',
  );
  if (saved && ctx.problems.list.length === before && size > saved.quota)
    ctx.problems.add(
      path,
      `total ${size} characters (not counting whitespace), more than IAM's quota of ${saved.quota} for a ${saved.owner}'s inline policies`,
    );
}

/** The identity-policy grammar PutRolePolicy and PutUserPolicy hold a document to (a Statement included). */
function checkSavedDocument(problems: Problems, document: unknown, path: string): void {
  const statement = (document as PolicyDocument).Statement;
  if (typeof statement !== 'object' || statement === null) {
    problems.add(path, 'must have a Statement (an object or a list), as PutRolePolicy and PutUserPolicy require');
    return;
  }
  try {
    checkPolicy(document, 'identity', 'the policy');
  } catch (error) {
    if (!(error instanceof UnsupportedPolicyError)) throw error;
    problems.add(path, `IAM would refuse this inline policy: ${error.message}`);
  }
}

function checkAttachedPolicies(ctx: Context, value: unknown, path: string): void {
  const arns = arrayAt(ctx.problems, value, path);
  arns.forEach((arn, i) => {
    if (typeof arn !== 'string') ctx.problems.add(`${path}[${i}]`, `must be a policy ARN string, got ${describe(arn)}`);
    else if (!ctx.policies.has(arn)) ctx.problems.add(`${path}[${i}]`, `refers to ${arn}, which is not in "policies"`);
  });
  reportDuplicates(
    ctx.problems,
    arns.flatMap((arn, i) => (typeof arn === 'string' ? [{ key: arn, path: `${path}[${i}]` }] : [])),
    'attached policy',
  );
}

function checkTags(ctx: Context, value: unknown, path: string): void {
  const entries = arrayAt(ctx.problems, value, path, { max: 50 }).map((raw, i) => {
    const at = `${path}[${i}]`;
    const tag = objectAt(ctx.problems, raw, at, ['Key', 'Value']);
    if (!tag) return { key: '', path: at };
    const key = stringAt(ctx.problems, tag, 'Key', at, { required: true, min: 1, max: 128 });
    stringAt(ctx.problems, tag, 'Value', at, { required: true, max: 256 });
    return { key: key ?? '', path: `${at}.Key` };
  });
  reportDuplicates(
    ctx.problems,
    entries.filter((e) => e.key !== ''),
    'tag key',
  );
}

export interface SerialEntry {
  key: string;
  path: string;
}

function checkUser(ctx: Context, raw: unknown, path: string, serials: SerialEntry[], keyIds: SerialEntry[]): void {
  const p = ctx.problems;
  const user = objectAt(p, raw, path, [
    'account',
    'name',
    'path',
    'id',
    'created',
    'groups',
    'password',
    'accessKeys',
    'mfaDevices',
    'inlinePolicies',
    'attachedPolicies',
    'permissionsBoundary',
    'tags',
  ]);
  if (!user) return;
  const account = checkAccount(ctx, user, path);
  stringAt(p, user, 'name', path, { required: true, ...USER_OR_ROLE_NAME });
  stringAt(p, user, 'path', path, IAM_PATH);
  stringAt(p, user, 'id', path, {
    pattern: /^AIDA[A-Z0-9]{12,124}$/,
    expected: 'a user id: AIDA followed by [A-Z0-9]',
  });
  timestampAt(p, user, 'created', path);
  const groups = arrayAt(p, user.groups, `${path}.groups`);
  groups.forEach((group, i) => {
    if (typeof group !== 'string') p.add(`${path}.groups[${i}]`, `must be a group name, got ${describe(group)}`);
    else if (account !== undefined && !ctx.groups.has(`${account}/${group.toLowerCase()}`)) {
      p.add(`${path}.groups[${i}]`, `refers to group "${group}", which is not in "groups" for account ${account}`);
    }
  });
  if (user.password !== undefined) {
    const at = `${path}.password`;
    const password = objectAt(p, user.password, at, ['enabled', 'lastUsed', 'lastChanged']);
    if (password) {
      booleanAt(p, password, 'enabled', at, true);
      timestampAt(p, password, 'lastUsed', at);
      timestampAt(p, password, 'lastChanged', at);
    }
  }
  arrayAt(p, user.accessKeys, `${path}.accessKeys`, { max: 2 }).forEach((rawKey, i) => {
    const at = `${path}.accessKeys[${i}]`;
    const key = objectAt(p, rawKey, at, [
      'id',
      'secret',
      'status',
      'created',
      'lastUsed',
      'lastUsedService',
      'lastUsedRegion',
    ]);
    if (!key) return;
    const id = stringAt(p, key, 'id', at, { required: true, ...ACCESS_KEY_ID });
    if (id !== undefined) keyIds.push({ key: id, path: `${at}.id` });
    stringAt(p, key, 'secret', at, { required: true, ...SECRET_KEY });
    if (key.status !== 'Active' && key.status !== 'Inactive')
      p.add(`${at}.status`, `must be "Active" or "Inactive", got ${describe(key.status)}`);
    timestampAt(p, key, 'created', at);
    timestampAt(p, key, 'lastUsed', at);
    stringAt(p, key, 'lastUsedService', at, { nullable: true, max: 64 });
    stringAt(p, key, 'lastUsedRegion', at, { nullable: true, max: 64 });
  });
  // AWS allows up to 8 MFA devices per user.
  arrayAt(p, user.mfaDevices, `${path}.mfaDevices`, { max: 8 }).forEach((rawDevice, i) => {
    const at = `${path}.mfaDevices[${i}]`;
    const device = objectAt(p, rawDevice, at, ['serial', 'type', 'seed', 'enabledAt']);
    if (!device) return;
    if (device.type !== 'virtual' && device.type !== 'hardware' && device.type !== 'fido')
      p.add(`${at}.type`, `must be "virtual", "hardware" or "fido", got ${describe(device.type)}`);
    const serial =
      device.type === 'virtual'
        ? checkVirtualSerial(p, device, at, account)
        : device.type === 'fido'
          ? checkFidoSerial(p, device, at, account)
          : stringAt(p, device, 'serial', at, { required: true, ...HARDWARE_SERIAL });
    if (serial !== undefined) serials.push({ key: serial, path: `${at}.serial` });
    // A security key has no TOTP secret.
    if (device.type === 'fido') {
      if (device.seed !== undefined) p.add(`${at}.seed`, 'a FIDO security key has no seed');
    } else checkSeed(p, device, at);
    timestampAt(p, device, 'enabledAt', at);
  });
  checkInlinePolicies(ctx, user.inlinePolicies, `${path}.inlinePolicies`, {
    quota: USER_INLINE_POLICY_LIMIT,
    owner: 'user',
  });
  checkAttachedPolicies(ctx, user.attachedPolicies, `${path}.attachedPolicies`);
  checkPermissionsBoundary(ctx, user.permissionsBoundary, `${path}.permissionsBoundary`);
  checkTags(ctx, user.tags, `${path}.tags`);
}

/** A permissions boundary is one managed policy of "policies", named by its ARN. */
function checkPermissionsBoundary(ctx: Context, value: unknown, path: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string') ctx.problems.add(path, `must be a policy ARN string, got ${describe(value)}`);
  else if (!ctx.policies.has(value)) ctx.problems.add(path, `refers to ${value}, which is not in "policies"`);
}

function checkFidoSerial(
  p: Problems,
  device: JsonObject,
  path: string,
  account: string | undefined,
): string | undefined {
  const serial = stringAt(p, device, 'serial', path, {
    required: true,
    pattern: FIDO_SERIAL,
    expected: 'a FIDO security key ARN like arn:aws:iam::111111111111:u2f/user/alice/key-1',
  });
  const owner = serial === undefined ? undefined : FIDO_SERIAL.exec(serial)?.[1];
  if (owner !== undefined && account !== undefined && owner !== account)
    p.add(`${path}.serial`, `belongs to account ${owner}, not ${account}`);
  return serial;
}

function checkVirtualSerial(
  p: Problems,
  device: JsonObject,
  path: string,
  account: string | undefined,
): string | undefined {
  const serial = stringAt(p, device, 'serial', path, {
    required: true,
    pattern: VIRTUAL_SERIAL,
    expected: 'a virtual MFA ARN like arn:aws:iam::111111111111:mfa/alice',
  });
  const owner = serial === undefined ? undefined : VIRTUAL_SERIAL.exec(serial)?.[1];
  if (owner !== undefined && account !== undefined && owner !== account)
    p.add(`${path}.serial`, `belongs to account ${owner}, not ${account}`);
  return serial;
}

function checkRole(ctx: Context, raw: unknown, path: string): void {
  const p = ctx.problems;
  const role = objectAt(p, raw, path, [
    'account',
    'name',
    'path',
    'id',
    'description',
    'maxSessionDuration',
    'trustPolicy',
    'inlinePolicies',
    'attachedPolicies',
    'permissionsBoundary',
    'tags',
    'created',
  ]);
  if (!role) return;
  checkAccount(ctx, role, path);
  stringAt(p, role, 'name', path, { required: true, ...USER_OR_ROLE_NAME });
  stringAt(p, role, 'path', path, IAM_PATH);
  stringAt(p, role, 'id', path, {
    pattern: /^AROA[A-Z0-9]{12,124}$/,
    expected: 'a role id: AROA followed by [A-Z0-9]',
  });
  stringAt(p, role, 'description', path, { max: 1000 });
  integerAt(p, role, 'maxSessionDuration', path, 3600, 43200);
  if (role.trustPolicy === undefined) p.add(`${path}.trustPolicy`, 'is required');
  else checkPolicyDocument(p, role.trustPolicy, `${path}.trustPolicy`);
  checkInlinePolicies(ctx, role.inlinePolicies, `${path}.inlinePolicies`, {
    quota: ROLE_INLINE_POLICY_LIMIT,
    owner: 'role',
  });
  checkAttachedPolicies(ctx, role.attachedPolicies, `${path}.attachedPolicies`);
  checkPermissionsBoundary(ctx, role.permissionsBoundary, `${path}.permissionsBoundary`);
  checkTags(ctx, role.tags, `${path}.tags`);
  timestampAt(p, role, 'created', path);
}

/** Validates parsed JSON as a state file; throws StateFileError listing every problem found. */
export function validateStateFile(json: unknown, source?: string): StateFile {
  const problems = new Problems();
  const root = objectAt(problems, json, '$', [
    'accounts',
    'users',
    'groups',
    'policies',
    'roles',
    'roots',
    'unassignedMfaDevices',
  ]);
  if (!root) throw new StateFileError(problems.list, source);
  const ctx: Context = { problems, accounts: new Set(), groups: new Set(), policies: new Set() };

  const accountEntries = arrayAt(problems, root.accounts, 'accounts', { required: true }).map((raw, i) => {
    const account = objectAt(problems, raw, `accounts[${i}]`, ['id', 'alias']);
    const id = account && stringAt(problems, account, 'id', `accounts[${i}]`, { required: true, ...ACCOUNT_ID });
    if (account) stringAt(problems, account, 'alias', `accounts[${i}]`, ACCOUNT_ALIAS);
    if (id !== undefined) ctx.accounts.add(id);
    return { key: id ?? '', path: `accounts[${i}].id` };
  });
  if (Array.isArray(root.accounts) && root.accounts.length === 0)
    problems.add('accounts', 'must list at least one account');
  reportDuplicates(
    problems,
    accountEntries.filter((e) => e.key !== ''),
    'account id',
  );

  // Policies and groups first: users and roles refer to them.
  const policyEntries = arrayAt(problems, root.policies, 'policies').map((raw, i) => {
    const at = `policies[${i}]`;
    const policy = objectAt(problems, raw, at, ['arn', 'document', 'description', 'id', 'created']);
    if (!policy) return { key: '', path: at };
    const arn = stringAt(problems, policy, 'arn', at, {
      required: true,
      pattern: MANAGED_POLICY_ARN,
      expected: 'a policy ARN like arn:aws:iam::111111111111:policy/Name',
    });
    const owner = arn === undefined ? undefined : MANAGED_POLICY_ARN.exec(arn)?.[1];
    if (owner !== undefined && owner !== 'aws' && !ctx.accounts.has(owner))
      problems.add(`${at}.arn`, `refers to account ${owner}, which is not in "accounts"`);
    if (arn !== undefined) ctx.policies.add(arn);
    checkPolicyDocument(problems, policy.document, `${at}.document`);
    stringAt(problems, policy, 'description', at, { max: 1000 });
    stringAt(problems, policy, 'id', at, { pattern: /^ANPA[A-Z2-7]{17}$/, expected: 'ANPA and 17 characters' });
    timestampAt(problems, policy, 'created', at);
    return { key: arn ?? '', path: `${at}.arn` };
  });
  reportDuplicates(
    problems,
    policyEntries.filter((e) => e.key !== ''),
    'policy ARN',
  );

  const groupEntries = arrayAt(problems, root.groups, 'groups').map((raw, i) => {
    const at = `groups[${i}]`;
    const group = objectAt(problems, raw, at, ['account', 'name', 'path', 'inlinePolicies', 'attachedPolicies']);
    if (!group) return { key: '', path: at };
    const account = checkAccount(ctx, group, at);
    const name = stringAt(problems, group, 'name', at, { required: true, ...GROUP_OR_POLICY_NAME });
    stringAt(problems, group, 'path', at, IAM_PATH);
    checkInlinePolicies(ctx, group.inlinePolicies, `${at}.inlinePolicies`);
    checkAttachedPolicies(ctx, group.attachedPolicies, `${at}.attachedPolicies`);
    if (account === undefined || name === undefined) return { key: '', path: at };
    ctx.groups.add(`${account}/${name.toLowerCase()}`);
    return { key: `${account}/${name}`, path: `${at}.name` };
  });
  reportDuplicates(
    problems,
    groupEntries.filter((e) => e.key !== ''),
    'group (account/name)',
  );

  const serials: SerialEntry[] = [];
  const keyIds: SerialEntry[] = [];
  const users = arrayAt(problems, root.users, 'users', { required: true });
  users.forEach((raw, i) => {
    checkUser(ctx, raw, `users[${i}]`, serials, keyIds);
  });
  reportDuplicates(problems, nameEntries(users, 'users'), 'user (account/name)');

  const roles = arrayAt(problems, root.roles, 'roles');
  roles.forEach((raw, i) => {
    checkRole(ctx, raw, `roles[${i}]`);
  });
  reportDuplicates(problems, nameEntries(roles, 'roles'), 'role (account/name)');

  const rootEntries = arrayAt(problems, root.roots, 'roots').map((raw, i) => {
    const at = `roots[${i}]`;
    const spec = objectAt(problems, raw, at, ['account', 'mfa', 'hardwareMfa', 'passwordLastUsed', 'activeAccessKeys']);
    if (!spec) return { key: '', path: at };
    const account = checkAccount(ctx, spec, at);
    booleanAt(problems, spec, 'mfa', at);
    booleanAt(problems, spec, 'hardwareMfa', at);
    timestampAt(problems, spec, 'passwordLastUsed', at);
    integerAt(problems, spec, 'activeAccessKeys', at, 0, 2);
    return { key: account ?? '', path: `${at}.account` };
  });
  reportDuplicates(
    problems,
    rootEntries.filter((e) => e.key !== ''),
    'root entry for account',
  );

  arrayAt(problems, root.unassignedMfaDevices, 'unassignedMfaDevices').forEach((raw, i) => {
    const at = `unassignedMfaDevices[${i}]`;
    const device = objectAt(problems, raw, at, ['serial', 'seed', 'created']);
    if (!device) return;
    const serial = checkVirtualSerial(problems, device, at, undefined);
    const owner = serial === undefined ? undefined : VIRTUAL_SERIAL.exec(serial)?.[1];
    if (owner !== undefined && !ctx.accounts.has(owner))
      problems.add(`${at}.serial`, `refers to account ${owner}, which is not in "accounts"`);
    if (serial !== undefined) serials.push({ key: serial, path: `${at}.serial` });
    checkSeed(problems, device, at);
    timestampAt(problems, device, 'created', at);
  });
  // Serials, key ids and unique ids are global in AWS lookups (a key id alone identifies its user).
  reportDuplicates(problems, serials, 'MFA serial');
  reportDuplicates(problems, keyIds, 'access key id');
  reportDuplicates(problems, [...idEntries(users, 'users'), ...idEntries(roles, 'roles')], 'unique id');

  if (problems.list.length > 0) throw new StateFileError(problems.list, source);
  return withDefaults(structuredClone(json) as StateFile);
}

function idEntries(items: unknown[], list: string): Array<{ key: string; path: string }> {
  return items.flatMap((item, i) =>
    isObject(item) && typeof item.id === 'string' ? [{ key: item.id, path: `${list}[${i}].id` }] : [],
  );
}

function nameEntries(items: unknown[], list: string): Array<{ key: string; path: string }> {
  return items.flatMap((item, i) =>
    isObject(item) && typeof item.account === 'string' && typeof item.name === 'string'
      ? [{ key: `${item.account}/${item.name}`, path: `${list}[${i}].name` }]
      : [],
  );
}

/** Fills what AWS would have assigned: "/" paths and stable unique ids. */
function withDefaults(state: StateFile): StateFile {
  for (const user of state.users) {
    user.path ??= '/';
    user.id ??= stableUniqueId('AIDA', user.account, user.name);
  }
  for (const group of state.groups ?? []) group.path ??= '/';
  for (const role of state.roles ?? []) {
    role.path ??= '/';
    role.id ??= stableUniqueId('AROA', role.account, role.name);
    role.maxSessionDuration ??= 3600;
  }
  return state;
}
