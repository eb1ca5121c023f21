import { apiRequest } from './client.ts';
import type { PortalUser } from './session-service.ts';

/** A catalog role the signed-in user may assume. */
export interface PortalRole {
  alias: string;
  roleArn: string;
  roleName: string;
  accountId: string;
  accountAlias: string | null;
  description: string | null;
  maxDurationSeconds: number;
  defaultDurationSeconds: number;
  /** The trust policy demands an MFA sign-in younger than this many seconds. */
  mfaMaxAgeSeconds: number | null;
  lastUsedAt: string | null;
}

export interface MeResponse {
  user: PortalUser;
  session: { expiresAt: string };
  roles: PortalRole[];
}

export const getMe = (): Promise<MeResponse> => apiRequest<MeResponse>('/api/v1/me');
