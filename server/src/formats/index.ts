import { renderConfigFile, renderCredentialsFile } from './ini-renderers.ts';
import { renderFullJson, renderProcessJson } from './json-renderers.ts';
import {
  type CheckedRenderInput,
  checkPortalUrl,
  checkRenderInput,
  validateProfileName,
  validateRoleAlias,
} from './render-input.ts';
import {
  CREDENTIAL_FORMATS,
  type CredentialFormat,
  InvalidRenderInputError,
  type RenderedCredentials,
  type RenderOptions,
  type TemporaryCredentials,
} from './render-types.ts';
import {
  renderDotenv,
  renderEnv,
  renderEnvNoExport,
  renderFish,
  renderPowershell,
  renderWindowsCmd,
} from './shell-renderers.ts';

/**
 * Credential output formats: one call turns issued STS credentials into a file body for the AWS
 * CLI, a shell, PowerShell, cmd, Docker or a script. Every input is validated before rendering
 * (see render-input.ts); anything unsafe throws InvalidRenderInputError and nothing is rendered.
 */

import type { RequestedFormat } from './credential-formats.ts';

export {
  type AwsConfigProfile,
  BLOCK_BEGIN,
  BLOCK_END,
  PROFILE_SOURCE_NAMES,
  PROFILE_SOURCES,
  type ProfileSource,
  type ProfileSourceName,
  profilesFor,
  renderAwsConfig,
} from './aws-config-profiles.ts';
export { REQUESTED_FORMATS, type RequestedFormat } from './credential-formats.ts';
export {
  defaultProfileName,
  PROFILE_NAME_RULE,
  ROLE_ALIAS_RULE,
  validateProfileName,
  validateRoleAlias,
} from './render-input.ts';
export {
  CREDENTIAL_FORMATS,
  type CredentialFormat,
  InvalidRenderInputError,
  type RenderedCredentials,
  type RenderOptions,
  type TemporaryCredentials,
} from './render-types.ts';

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';

interface FormatSpec {
  render: (input: CheckedRenderInput) => string;
  contentType: string;
  filename: string;
}

const FORMATS: Record<CredentialFormat, FormatSpec> = {
  credentials: { render: renderCredentialsFile, contentType: TEXT, filename: 'credentials' },
  config: { render: renderConfigFile, contentType: TEXT, filename: 'config' },
  env: { render: renderEnv, contentType: TEXT, filename: 'aws-env.sh' },
  'env-no-export': { render: renderEnvNoExport, contentType: TEXT, filename: 'aws-env.sh' },
  fish: { render: renderFish, contentType: TEXT, filename: 'aws-env.fish' },
  powershell: { render: renderPowershell, contentType: TEXT, filename: 'aws-env.ps1' },
  'windows-cmd': { render: renderWindowsCmd, contentType: TEXT, filename: 'aws-env.cmd' },
  dotenv: { render: renderDotenv, contentType: TEXT, filename: '.env' },
  process: { render: renderProcessJson, contentType: JSON_TYPE, filename: 'credential-process.json' },
  json: { render: renderFullJson, contentType: JSON_TYPE, filename: 'credentials.json' },
};

export function isCredentialFormat(value: unknown): value is CredentialFormat {
  return typeof value === 'string' && Object.hasOwn(FORMATS, value);
}

export function renderCredentials(
  format: CredentialFormat,
  creds: TemporaryCredentials,
  options: RenderOptions = {},
): RenderedCredentials {
  if (!isCredentialFormat(format)) {
    throw new InvalidRenderInputError(
      'format',
      'options',
      `Unknown format; use one of ${Object.keys(FORMATS).join(', ')}.`,
    );
  }
  const spec = FORMATS[format];
  const body = spec.render(checkRenderInput(creds, options));
  return { body, contentType: spec.contentType, filename: spec.filename };
}

/** The formats `all` renders: the credential_process config only when there is a role to name. */
export function formatsOf(format: RequestedFormat, options: RenderOptions): CredentialFormat[] {
  if (format !== 'all') return [format];
  return CREDENTIAL_FORMATS.filter((f) => f !== 'config' || options.roleAlias !== undefined);
}

/**
 * Checks the request's own part of rendering (format, profile, role alias, portal URL) before any
 * credentials exist, so a request that cannot be rendered is refused before AWS is asked for them.
 * Throws InvalidRenderInputError (source 'options') as the renderers would.
 */
export function checkRenderRequest(format: string, options: RenderOptions): void {
  if (format !== 'all' && !isCredentialFormat(format))
    throw new InvalidRenderInputError(
      'format',
      'options',
      `Unknown format; use one of ${Object.keys(FORMATS).join(', ')}.`,
    );
  if (options.profile !== undefined) {
    const problem = validateProfileName(options.profile);
    if (problem !== null) throw new InvalidRenderInputError('profile', 'options', problem);
  }
  if (options.roleAlias !== undefined) {
    const problem = validateRoleAlias(options.roleAlias);
    if (problem !== null) throw new InvalidRenderInputError('roleAlias', 'options', problem);
  }
  if (options.portalUrl !== undefined) checkPortalUrl(options.portalUrl);
  if (formatsOf(format, options).includes('config')) {
    if (options.roleAlias === undefined)
      throw new InvalidRenderInputError(
        'roleAlias',
        'options',
        'The config format needs the role alias from the portal catalog.',
      );
    if (options.portalUrl === undefined)
      throw new InvalidRenderInputError('portalUrl', 'options', 'The config format needs the portal URL.');
  }
}
