import { InvalidRenderInputError, type RenderOptions, type TemporaryCredentials } from './render-types.ts';

/**
 * Allow-lists for every value that reaches a rendered snippet. Renderers interpolate values
 * without quoting or escaping, so safety rests entirely on these patterns: none of them admits
 * whitespace, quotes, `$`, backticks, `;`, `%`, `^`, `&`, `!`, `[`/`]`, `#` or control characters,
 * which keeps every value inert in INI files, POSIX shells, fish, PowerShell, cmd.exe and dotenv.
 */

const PROFILE_NAME = /^[A-Za-z0-9_.@+=,][A-Za-z0-9_.@+=,-]{0,63}$/;
const PROFILE_NAME_MAX = 64;
const ROLE_ALIAS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,3}-\d{1,2}$/;

// Values AWS produces. Access key ids are upper-case base32 (`ASIA` + 16); secrets and session
// tokens are base64.
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const SECRET_ACCESS_KEY = /^[A-Za-z0-9/+=]{16,128}$/;
const SESSION_TOKEN = /^[A-Za-z0-9/+=]{16,8192}$/;
const ACCOUNT_ID = /^\d{12}$/;
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
// IAM allows any printable ASCII in role paths; we accept the conventional `[\w+=,.@-]` segments
// only, so an ARN can appear in a comment line without further thought.
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const ASSUMED_ROLE_ARN = /^arn:aws(?:-[a-z]+)*:sts::\d{12}:assumed-role\/[\w+=,.@-]{1,64}\/[\w+=,.@-]{2,64}$/;

// Host names and IPv4 addresses only: an IPv6 literal would put `[`/`]` into an INI file.
const PORTAL_URL =
  /^https?:\/\/[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::\d{1,5})?(?:\/[A-Za-z0-9._~-]+)*\/?$/;
const PORTAL_URL_MAX = 2048;
const CLEAR_TEXT_HOSTS = new Set(['localhost', '127.0.0.1']);

export const PROFILE_NAME_RULE =
  'A profile name is 1 to 64 characters: letters, digits and _ . @ + = , - (it must not start with -).';
export const ROLE_ALIAS_RULE =
  'A role alias is 1 to 64 characters: letters, digits and _ . - (it must start with a letter or digit).';

/** null when `name` is a usable profile name, else a message saying what is allowed. */
export function validateProfileName(name: string): string | null {
  if (typeof name !== 'string' || !PROFILE_NAME.test(name)) return PROFILE_NAME_RULE;
  return null;
}

/** null when `alias` is a usable role alias, else a message saying what is allowed. */
export function validateRoleAlias(alias: string): string | null {
  if (typeof alias !== 'string' || !ROLE_ALIAS.test(alias)) return ROLE_ALIAS_RULE;
  return null;
}

/**
 * The portal base URL as it will appear in a credential_process line: https (or http to
 * localhost only, since the helper sends a bearer token), no user info, query or fragment,
 * no trailing slash.
 */
export function checkPortalUrl(raw: string): string {
  const fail = (why: string) => new InvalidRenderInputError('portalUrl', 'options', `The portal URL ${why}.`);
  if (typeof raw !== 'string' || raw.length > PORTAL_URL_MAX || !PORTAL_URL.test(raw)) {
    throw fail('must be a plain http(s)://host[:port][/path] URL (letters, digits, . _ ~ - in the path)');
  }
  const url = new URL(raw);
  if (url.protocol === 'http:' && !CLEAR_TEXT_HOSTS.has(url.hostname)) {
    throw fail('must use https:// (http:// is accepted for localhost only, because the helper sends a token)');
  }
  return raw.replace(/\/$/, '');
}

function requireMatch(
  value: unknown,
  pattern: RegExp,
  field: string,
  source: 'options' | 'credentials',
  expected: string,
): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new InvalidRenderInputError(field, source, `${field} must be ${expected}.`);
  }
  return value;
}

function optionalMatch(value: unknown, pattern: RegExp, field: string, expected: string): string | undefined {
  if (value === undefined) return undefined;
  return requireMatch(value, pattern, field, 'credentials', expected);
}

/** `2030-01-02T03:04:05+00:00`: what `aws configure export-credentials` prints (Python isoformat). */
export function formatExpiration(expiration: Date): string {
  const time = expiration instanceof Date ? expiration.getTime() : Number.NaN;
  if (!Number.isFinite(time) || time < 0 || time >= Date.UTC(10000, 0, 1)) {
    throw new InvalidRenderInputError('expiration', 'credentials', 'expiration must be a valid date.');
  }
  // Whole seconds, rounded down, so a consumer never believes the credentials outlive STS's expiry.
  return `${new Date(time - (time % 1000)).toISOString().slice(0, 19)}+00:00`;
}

/** Every credential field checked against the shape AWS gives it; returns the role name if any. */
export function checkCredentials(creds: TemporaryCredentials): { roleName?: string } {
  if (typeof creds !== 'object' || creds === null) {
    throw new InvalidRenderInputError('credentials', 'credentials', 'credentials are missing.');
  }
  requireMatch(
    creds.accessKeyId,
    ACCESS_KEY_ID,
    'accessKeyId',
    'credentials',
    '16 to 128 upper-case letters and digits',
  );
  requireMatch(
    creds.secretAccessKey,
    SECRET_ACCESS_KEY,
    'secretAccessKey',
    'credentials',
    'base64 (16 to 128 characters)',
  );
  requireMatch(creds.sessionToken, SESSION_TOKEN, 'sessionToken', 'credentials', 'base64 (16 to 8192 characters)');
  formatExpiration(creds.expiration);
  requireMatch(creds.accountId, ACCOUNT_ID, 'accountId', 'credentials', '12 digits');
  requireMatch(creds.userName, IAM_NAME, 'userName', 'credentials', 'an IAM user name ([\\w+=,.@-], 1 to 64)');
  const roleArn = optionalMatch(creds.roleArn, ROLE_ARN, 'roleArn', 'an IAM role ARN');
  optionalMatch(creds.assumedRoleArn, ASSUMED_ROLE_ARN, 'assumedRoleArn', 'an STS assumed-role ARN');
  optionalMatch(creds.roleSessionName, SESSION_NAME, 'roleSessionName', 'a role session name ([\\w+=,.@-], 2 to 64)');
  optionalMatch(creds.sourceIdentity, SESSION_NAME, 'sourceIdentity', 'a source identity ([\\w+=,.@-], 2 to 64)');
  optionalMatch(creds.region, REGION, 'region', 'an AWS region name such as eu-west-1');
  const roleName =
    optionalMatch(creds.roleName, IAM_NAME, 'roleName', 'an IAM role name ([\\w+=,.@-], 1 to 64)') ??
    roleArn?.slice(roleArn.lastIndexOf('/') + 1);
  return roleName === undefined ? {} : { roleName };
}

/**
 * `<accountId>_<RoleName>` (IAM Identity Center's naming) for role credentials,
 * `<accountId>_<userName>-mfa` for the user's own MFA session. The name part is cut so the whole
 * stays within 64 characters.
 */
export function defaultProfileName(creds: TemporaryCredentials): string {
  const { roleName } = checkCredentials(creds);
  const prefix = `${creds.accountId}_`;
  const name =
    roleName !== undefined
      ? prefix + roleName.slice(0, PROFILE_NAME_MAX - prefix.length)
      : `${prefix}${creds.userName.slice(0, PROFILE_NAME_MAX - prefix.length - '-mfa'.length)}-mfa`;
  // IAM names and account ids only use profile-safe characters; assert it rather than assume it.
  if (validateProfileName(name) !== null) {
    throw new InvalidRenderInputError('profile', 'credentials', 'could not derive a default profile name.');
  }
  return name;
}

export interface CheckedRenderInput {
  creds: TemporaryCredentials;
  profile: string;
  expiration: string;
  roleName?: string;
  portalUrl?: string;
  roleAlias?: string;
}

/** Validates the credentials and every option once, before any renderer runs. */
export function checkRenderInput(creds: TemporaryCredentials, options: RenderOptions = {}): CheckedRenderInput {
  const { roleName } = checkCredentials(creds);
  let profile: string;
  if (options.profile === undefined) {
    profile = defaultProfileName(creds);
  } else {
    const problem = validateProfileName(options.profile);
    if (problem !== null) throw new InvalidRenderInputError('profile', 'options', problem);
    profile = options.profile;
  }
  const checked: CheckedRenderInput = { creds, profile, expiration: formatExpiration(creds.expiration) };
  if (roleName !== undefined) checked.roleName = roleName;
  if (options.portalUrl !== undefined) checked.portalUrl = checkPortalUrl(options.portalUrl);
  if (options.roleAlias !== undefined) {
    const problem = validateRoleAlias(options.roleAlias);
    if (problem !== null) throw new InvalidRenderInputError('roleAlias', 'options', problem);
    checked.roleAlias = options.roleAlias;
  }
  return checked;
}
