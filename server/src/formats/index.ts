import { renderConfigFile, renderCredentialsFile } from './ini-renderers.ts';
import { renderFullJson, renderProcessJson } from './json-renderers.ts';
import { type CheckedRenderInput, checkRenderInput } from './render-input.ts';
import {
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
