/** Shapes shared by the credential renderers. index.ts re-exports them as the public contract. */

export { CREDENTIAL_FORMATS, type CredentialFormat } from './credential-formats.ts';
export type { RenderedCredentials } from './output-schemas.ts';

/** Temporary credentials as STS issued them, plus who and what they are for. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  /** 12 digits. */
  accountId: string;
  /** Absent for the user's own MFA session (GetSessionToken). */
  roleArn?: string;
  roleName?: string;
  /** arn:aws:sts::<acct>:assumed-role/<role>/<session> */
  assumedRoleArn?: string;
  roleSessionName?: string;
  sourceIdentity?: string;
  userName: string;
  region?: string;
}

export interface RenderOptions {
  /** Validated; defaults to defaultProfileName(creds). */
  profile?: string;
  /** Base URL of the portal, for the `config` format's credential_process line. */
  portalUrl?: string;
  /** The portal's catalog alias, used as `--role <alias>` in the `config` format. */
  roleAlias?: string;
}

/**
 * Thrown when a value would not be safe (or not meaningful) in the requested output.
 * `source: 'options'` means the caller's input was bad (answer 400 with the message);
 * `source: 'credentials'` means an AWS-produced value had an unexpected shape (a server fault:
 * answer 500 and log the field name). The message names the field, never the value, because the
 * value may be a secret.
 */
export class InvalidRenderInputError extends Error {
  readonly field: string;
  readonly source: 'options' | 'credentials';

  constructor(field: string, source: 'options' | 'credentials', message: string) {
    super(message);
    this.name = 'InvalidRenderInputError';
    this.field = field;
    this.source = source;
  }
}
