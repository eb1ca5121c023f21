import type { CredentialFormat } from './api/credentials-service.ts';
import { t } from './i18n/i18n.ts';

/**
 * AWS CLI profile names, under the same rule the server applies, so a name typed here renders
 * the same way in a downloaded file: letters, digits and _ . @ + = , - and not starting with -.
 * Nothing in it can open a new INI section or line.
 */
const PROFILE_NAME = /^[A-Za-z0-9_.@+=,-]{1,64}$/;

/** null when usable, else what is wrong in plain words. */
export function profileNameProblem(name: string): string | null {
  if (name.length === 0) return t('profile.missing');
  if (name.startsWith('-')) return t('profile.leadingDash');
  if (!PROFILE_NAME.test(name)) return t('profile.rule');
  return null;
}

const CREDENTIALS_SECTION = /^\[[^\]\r\n]*\]$/m;
const CONFIG_SECTION = /^\[(?:profile [^\]\r\n]*|default)\]$/m;

/**
 * The server renders each format for the profile it was asked for; when the user renames the
 * profile afterwards, only the section header of the INI files (and the JSON's `profile`) change,
 * so the page rewrites them instead of asking AWS for new credentials.
 */
export function withProfileName(format: CredentialFormat, body: string, profile: string): string {
  if (profileNameProblem(profile) !== null) return body;
  switch (format) {
    case 'credentials':
      return body.replace(CREDENTIALS_SECTION, () => `[${profile}]`);
    case 'config':
      return body.replace(CONFIG_SECTION, () => (profile === 'default' ? '[default]' : `[profile ${profile}]`));
    case 'json':
      return renameJsonProfile(body, profile);
    default:
      return body;
  }
}

function renameJsonProfile(body: string, profile: string): string {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null || !('profile' in value)) return body;
    return `${JSON.stringify({ ...value, profile }, null, 2)}\n`;
  } catch {
    return body;
  }
}
