/**
 * The credential output formats, the one list the route's `format` schema, the renderers, the
 * web's tabs and the tests build their unions from.
 */
export const CREDENTIAL_FORMATS = [
  'credentials',
  'config',
  'env',
  'env-no-export',
  'fish',
  'powershell',
  'windows-cmd',
  'dotenv',
  'process',
  'json',
] as const;

export type CredentialFormat = (typeof CREDENTIAL_FORMATS)[number];

/** What a request may ask to have rendered: one format, or `all` (every format, as the web UI shows). */
export const REQUESTED_FORMATS = [...CREDENTIAL_FORMATS, 'all'] as const;
export type RequestedFormat = (typeof REQUESTED_FORMATS)[number];
