import { apiRequest } from './client.ts';

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

export interface RenderedFormat {
  body: string;
  filename: string;
  contentType: string;
}

/** Temporary credentials with every rendering; role fields are absent for the user's own MFA session. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601. */
  expiration: string;
  accountId: string;
  roleArn?: string | null;
  roleName?: string | null;
  assumedRoleArn?: string | null;
  roleSessionName?: string | null;
  sourceIdentity?: string | null;
  userName: string;
  region?: string | null;
  profile: string;
  formats: Partial<Record<CredentialFormat, RenderedFormat>>;
}

export interface RoleCredentialsRequest {
  role: string;
  durationSeconds?: number;
  profile?: string;
  /** Present for "Get credentials with a new code": the server has AWS verify a fresh MFA code. */
  code?: string;
}

export const getRoleCredentials = (request: RoleCredentialsRequest): Promise<IssuedCredentials> =>
  apiRequest<IssuedCredentials>('/api/v1/credentials', {
    method: 'POST',
    json: { ...request, format: 'all' },
  });

export const getSessionCredentials = (profile?: string): Promise<IssuedCredentials> =>
  apiRequest<IssuedCredentials>('/api/v1/session/credentials', {
    method: 'POST',
    json: profile === undefined ? { format: 'all' } : { format: 'all', profile },
  });
