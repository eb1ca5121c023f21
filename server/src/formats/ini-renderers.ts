import type { CheckedRenderInput } from './render-input.ts';
import { InvalidRenderInputError } from './render-types.ts';

/**
 * Blocks for the AWS CLI's INI files. botocore reads them with Python's configparser, which
 * accepts whole-line `#` comments (not inline ones), so the explanatory lines sit above the
 * section header. Every interpolated value passed render-input.ts's allow-lists: no newline,
 * `[`, `]`, `%` or `;` can reach these lines.
 */

export const HELPER_COMMAND = 'aws-mfa-portal-credentials';

function describe(input: CheckedRenderInput): string {
  const { creds } = input;
  if (creds.assumedRoleArn !== undefined) return creds.assumedRoleArn;
  if (creds.roleArn !== undefined) return creds.roleArn;
  return `MFA session of IAM user ${creds.userName} in account ${creds.accountId}`;
}

/** A `~/.aws/credentials` block, named like IAM Identity Center's `[<accountId>_<RoleName>]`. */
export function renderCredentialsFile(input: CheckedRenderInput): string {
  const { creds } = input;
  return [
    `# ${describe(input)}, expires ${input.expiration}`,
    `[${input.profile}]`,
    `aws_access_key_id = ${creds.accessKeyId}`,
    `aws_secret_access_key = ${creds.secretAccessKey}`,
    `aws_session_token = ${creds.sessionToken}`,
    '',
  ].join('\n');
}

/**
 * A `~/.aws/config` profile whose credentials come from the helper (bin/), which asks the portal
 * for fresh ones whenever the CLI or an SDK needs them. It carries no secret.
 */
export function renderConfigFile(input: CheckedRenderInput): string {
  if (input.roleAlias === undefined) {
    throw new InvalidRenderInputError(
      'roleAlias',
      'options',
      'The config format needs the role alias from the portal catalog.',
    );
  }
  if (input.portalUrl === undefined) {
    throw new InvalidRenderInputError('portalUrl', 'options', 'The config format needs the portal URL.');
  }
  // The CLI names the default profile `[default]` in the config file, every other `[profile x]`.
  const section = input.profile === 'default' ? '[default]' : `[profile ${input.profile}]`;
  const lines = [
    `# ${input.creds.roleArn ?? describe(input)}: fresh credentials on demand from the portal.`,
    `# Sign in once (and again when the portal token expires):`,
    `#   ${HELPER_COMMAND} login --portal ${input.portalUrl} --user ${input.creds.userName}`,
    section,
    `credential_process = ${HELPER_COMMAND} --portal ${input.portalUrl} --role ${input.roleAlias}`,
  ];
  if (input.creds.region !== undefined) lines.push(`region = ${input.creds.region}`);
  lines.push('');
  return lines.join('\n');
}
