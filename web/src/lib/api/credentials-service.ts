import type { CredentialBundle, CredentialRequest } from '../../../../server/src/routes/credential-schemas.ts';
import type { SessionCredentialsRequest } from '../../../../server/src/routes/session-schemas.ts';
import { apiRequest } from './client.ts';

export type { CredentialFormat } from '../../../../server/src/formats/credential-formats.ts';
export type { CredentialBundle } from '../../../../server/src/routes/credential-schemas.ts';

/** `code` is present for "Get credentials with a new code": the server has AWS verify a fresh MFA code. */
export type RoleCredentialsRequest = Pick<CredentialRequest, 'role' | 'durationSeconds' | 'profile' | 'code'>;

export function getRoleCredentials(request: RoleCredentialsRequest): Promise<CredentialBundle> {
  const json: CredentialRequest = { ...request, format: 'all' };
  return apiRequest<CredentialBundle>('/api/v1/credentials', { method: 'POST', json });
}

export function getSessionCredentials(profile?: string): Promise<CredentialBundle> {
  const json: SessionCredentialsRequest = profile === undefined ? { format: 'all' } : { format: 'all', profile };
  return apiRequest<CredentialBundle>('/api/v1/session/credentials', { method: 'POST', json });
}
