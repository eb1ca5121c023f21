import type { MeResponse } from '../../../../server/src/routes/session-schemas.ts';
import { apiRequest } from './client.ts';

export type { MeResponse, PortalRole } from '../../../../server/src/routes/session-schemas.ts';

export const getMe = (): Promise<MeResponse> => apiRequest<MeResponse>('/api/v1/me');
