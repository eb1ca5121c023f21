import { HELPER_COMMAND } from './ini-renderers.ts';
import { checkPortalUrl, validateProfileName, validateRoleAlias } from './render-input.ts';
import { InvalidRenderInputError } from './render-types.ts';

/**
 * The generated `~/.aws/config`: one profile per role a user may request. How a profile gets its
 * credentials is a `ProfileSource` (credential_process through the helper by default; the
 * container credentials endpoint as the alternative), so a new way plugs in without touching
 * the naming or the INI rendering. Every interpolated value passes an allow-list first: no
 * newline, `[`, `]`, `%`, `;` or `#` can reach a line.
 */

/** The markers `aws-mfa-portal-credentials configure` replaces between (keep them in step with bin/). */
export const BLOCK_BEGIN =
  '# >>> aws-mfa-portal profiles (managed by aws-mfa-portal-credentials configure; edits here are replaced)';
export const BLOCK_END = '# <<< aws-mfa-portal profiles';

export const PROFILE_PLACEHOLDERS = ['account', 'accountId', 'role', 'roleName'] as const;
export const DEFAULT_PROFILE_PATTERN = '{account}-{role}';

/** A role as the profile list needs it. */
export interface ProfileRole {
  alias: string;
  roleArn: string;
  roleName: string;
  accountId: string;
  accountAlias: string | null;
  /** What the portal grants through the helper (a role session from an MFA session: at most 1 hour). */
  durationSeconds: number;
}

export interface AwsConfigProfile {
  profile: string;
  roleAlias: string;
  roleArn: string;
  accountId: string;
  accountAlias: string | null;
  region: string;
  durationSeconds: number;
}

export interface ProfileSourceContext {
  portalUrl: string;
}

/** How a profile's credentials are obtained: the lines it adds to the profile, and comment lines above it. */
export interface ProfileSource {
  readonly name: string;
  comments(profile: AwsConfigProfile, context: ProfileSourceContext): string[];
  settings(profile: AwsConfigProfile, context: ProfileSourceContext): string[];
}

/** The default: the AWS CLI and SDKs run the helper, which asks the portal (and caches). */
export const credentialProcessSource: ProfileSource = {
  name: 'credential_process',
  comments: () => [],
  settings: (profile, { portalUrl }) => [
    `credential_process = ${HELPER_COMMAND} --portal ${portalUrl} --role ${profile.roleAlias} --duration ${profile.durationSeconds}`,
  ],
};

/**
 * The container credentials endpoint: a config file cannot name it (SDKs read it only from the
 * environment), so the profile carries region and duration and the comment says what to export.
 */
export const containerEndpointSource: ProfileSource = {
  name: 'container',
  comments: (profile, { portalUrl }) => [
    `# SDKs refresh by themselves with (instead of credential_process):`,
    `#   export AWS_CONTAINER_CREDENTIALS_FULL_URI=${portalUrl}/api/v1/container-credentials/${profile.roleAlias}`,
    `#   export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=<a file holding only your portal token>`,
  ],
  settings: () => [],
};

export const PROFILE_SOURCES = {
  credential_process: credentialProcessSource,
  container: containerEndpointSource,
} as const;
export type ProfileSourceName = keyof typeof PROFILE_SOURCES;
export const PROFILE_SOURCE_NAMES = Object.keys(PROFILE_SOURCES) as ProfileSourceName[];

const PLACEHOLDER = /\{([A-Za-z]*)\}/g;
const LITERAL = /^[A-Za-z0-9_.@+=,-]*$/;
const UNSAFE = /[^A-Za-z0-9_.@+=,-]/g;
const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,3}-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;
const MAX_PROFILE = 64;

/** null when `pattern` is a usable profile-name pattern, else what is wrong (for the boot-time config check). */
export function profilePatternProblem(pattern: string): string | null {
  const names = [...pattern.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
  const unknown = names.filter((n) => !(PROFILE_PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length > 0)
    return `unknown placeholder {${unknown[0]}}; use ${PROFILE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`;
  if (!names.includes('role')) return 'must contain {role} (the catalog alias keeps profile names unique)';
  if (!LITERAL.test(pattern.replace(PLACEHOLDER, ''))) {
    return 'may contain, besides placeholders, only letters, digits and _ . @ + = , -';
  }
  return null;
}

function nameFor(pattern: string, role: ProfileRole): string {
  const values: Record<(typeof PROFILE_PLACEHOLDERS)[number], string> = {
    account: role.accountAlias ?? role.accountId,
    accountId: role.accountId,
    role: role.alias,
    roleName: role.roleName,
  };
  const filled = pattern.replace(PLACEHOLDER, (_, name: keyof typeof values) => values[name] ?? '');
  // Role names may hold characters profile names do not; a profile name must not start with `-`.
  return filled.replace(UNSAFE, '-').replace(/^-+/, '').slice(0, MAX_PROFILE) || role.alias;
}

/**
 * One profile per role, named by `pattern`; names stay unique (a later duplicate gets `-2`, `-3`)
 * and never `default`, which the CLI treats specially and users keep for themselves.
 */
export function profilesFor(roles: ProfileRole[], pattern: string, region: string): AwsConfigProfile[] {
  const problem = profilePatternProblem(pattern);
  if (problem) throw new InvalidRenderInputError('pattern', 'options', `The profile pattern ${problem}.`);
  if (!REGION.test(region)) throw new InvalidRenderInputError('region', 'options', 'The region is not an AWS region.');
  const taken = new Set<string>(['default']);
  return [...roles]
    .sort((a, b) => a.alias.localeCompare(b.alias))
    .map((role) => {
      if (validateRoleAlias(role.alias) || !ACCOUNT_ID.test(role.accountId)) {
        throw new InvalidRenderInputError('role', 'credentials', 'A catalog role has an unexpected alias or account.');
      }
      const base = nameFor(pattern, role);
      let profile = base;
      for (let n = 2; taken.has(profile.toLowerCase()) || validateProfileName(profile); n += 1) {
        profile = `${base.slice(0, MAX_PROFILE - String(n).length - 1)}-${n}`;
      }
      taken.add(profile.toLowerCase());
      return {
        profile,
        roleAlias: role.alias,
        roleArn: role.roleArn,
        accountId: role.accountId,
        accountAlias: role.accountAlias,
        region,
        durationSeconds: role.durationSeconds,
      };
    });
}

/** The profiles as `~/.aws/config` text, between the markers `configure` looks for. */
export function renderAwsConfig(
  profiles: AwsConfigProfile[],
  options: { portalUrl: string; source?: ProfileSource; userName: string },
): string {
  const context = { portalUrl: checkPortalUrl(options.portalUrl) };
  const source = options.source ?? credentialProcessSource;
  const lines = [
    BLOCK_BEGIN,
    `# ${profiles.length} role${profiles.length === 1 ? '' : 's'} of ${options.userName.replace(UNSAFE, '-')} at ${context.portalUrl}.`,
    `# Sign in once (and again when the portal token expires):`,
    `#   ${HELPER_COMMAND} login --portal ${context.portalUrl} --user ${options.userName.replace(UNSAFE, '-')}`,
  ];
  for (const profile of profiles) {
    if (validateProfileName(profile.profile) || validateRoleAlias(profile.roleAlias)) {
      throw new InvalidRenderInputError('profile', 'credentials', 'A profile has an unexpected name or role alias.');
    }
    lines.push(
      '',
      `# ${profile.roleArn.replace(/[^\w+=,.@:/-]/g, '-')}`,
      ...source.comments(profile, context),
      `[profile ${profile.profile}]`,
      ...source.settings(profile, context),
      `region = ${profile.region}`,
      `duration_seconds = ${Math.trunc(profile.durationSeconds)}`,
    );
  }
  lines.push(BLOCK_END, '');
  return lines.join('\n');
}
