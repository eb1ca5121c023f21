import type { CredentialsJson, ProcessCredentialsJson } from './output-schemas.ts';
import type { CheckedRenderInput } from './render-input.ts';

/**
 * credential_process output, as `aws configure export-credentials --format process` prints it:
 * Python's json.dumps(indent=2, separators=(',', ': ')) plus a newline, which is exactly what
 * JSON.stringify(value, null, 2) produces for this flat object, in the same key order.
 */
export function renderProcessJson(input: CheckedRenderInput): string {
  const { creds } = input;
  const output: ProcessCredentialsJson = {
    Version: 1,
    AccessKeyId: creds.accessKeyId,
    SecretAccessKey: creds.secretAccessKey,
    SessionToken: creds.sessionToken,
    Expiration: input.expiration,
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}

/**
 * Everything the portal knows about the credentials, for scripts (`jq`). Keys are always present
 * (null when not applicable, e.g. no role for an MFA session) so scripts see one shape.
 */
export function renderFullJson(input: CheckedRenderInput): string {
  const { creds } = input;
  const output: CredentialsJson = {
    profile: input.profile,
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    sessionToken: creds.sessionToken,
    expiration: input.expiration,
    accountId: creds.accountId,
    userName: creds.userName,
    roleArn: creds.roleArn ?? null,
    roleName: input.roleName ?? null,
    assumedRoleArn: creds.assumedRoleArn ?? null,
    roleSessionName: creds.roleSessionName ?? null,
    sourceIdentity: creds.sourceIdentity ?? null,
    region: creds.region ?? null,
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}
