import type { CheckedRenderInput } from './render-input.ts';

/**
 * Environment-variable snippets. `env`, `env-no-export`, `fish`, `powershell` and `windows-cmd`
 * reproduce `aws configure export-credentials --format <same>` byte for byte: the same variables
 * in the same order, the same quoting (none for sh and cmd, double quotes for fish and PowerShell)
 * and the same expiry text. The CLI writes "\n", which Windows turns into "\r\n" for PowerShell
 * and cmd; we emit "\r\n" for those two so a downloaded .ps1/.cmd file is what Windows expects.
 * Values are interpolated unescaped: render-input.ts admits only characters that are inert in
 * every one of these languages.
 */

type Line = (name: string, value: string) => string;

function credentialVariables(input: CheckedRenderInput): Array<[string, string]> {
  return [
    ['AWS_ACCESS_KEY_ID', input.creds.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', input.creds.secretAccessKey],
    ['AWS_SESSION_TOKEN', input.creds.sessionToken],
    ['AWS_CREDENTIAL_EXPIRATION', input.expiration],
  ];
}

function renderLines(variables: Array<[string, string]>, line: Line, eol: string): string {
  return variables.map(([name, value]) => line(name, value) + eol).join('');
}

export const renderEnv = (input: CheckedRenderInput) =>
  renderLines(credentialVariables(input), (name, value) => `export ${name}=${value}`, '\n');

export const renderEnvNoExport = (input: CheckedRenderInput) =>
  renderLines(credentialVariables(input), (name, value) => `${name}=${value}`, '\n');

export const renderFish = (input: CheckedRenderInput) =>
  renderLines(credentialVariables(input), (name, value) => `set -gx ${name} "${value}"`, '\n');

export const renderPowershell = (input: CheckedRenderInput) =>
  renderLines(credentialVariables(input), (name, value) => `$Env:${name}="${value}"`, '\r\n');

export const renderWindowsCmd = (input: CheckedRenderInput) =>
  renderLines(credentialVariables(input), (name, value) => `set ${name}=${value}`, '\r\n');

/**
 * `docker run --env-file` / dotenv: the CLI's variables plus the region when known, because a
 * container has no ~/.aws/config to take it from. (Docker reads values literally, no quotes.)
 */
export function renderDotenv(input: CheckedRenderInput): string {
  const variables = credentialVariables(input);
  if (input.creds.region !== undefined) {
    variables.push(['AWS_REGION', input.creds.region], ['AWS_DEFAULT_REGION', input.creds.region]);
  }
  return renderLines(variables, (name, value) => `${name}=${value}`, '\n');
}
