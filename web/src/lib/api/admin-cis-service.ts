import type {
  AlertDeliveryList,
  CisFailingPage,
  CisResults,
  ForceMfaPolicy,
  RequireMfaResult,
} from '../../../../server/src/routes/admin-cis-schemas.ts';
import { queryString } from './admin-compliance-service.ts';
import { apiRequest } from './client.ts';

/** CIS checks, remediation and alert deliveries (server/src/routes/admin-cis-routes.ts). */

export type {
  AlertDeliveryList,
  CisCheck,
  CisFailingPage,
  CisResults,
  ForceMfaPolicy,
  RequireMfaResult,
} from '../../../../server/src/routes/admin-cis-schemas.ts';

const base = '/api/v1/admin';

export const getCisResults = (): Promise<CisResults> => apiRequest<CisResults>(`${base}/compliance/cis`);

export const getCisFailing = (check: string, cursor?: string): Promise<CisFailingPage> =>
  apiRequest<CisFailingPage>(
    `${base}/compliance/cis/${encodeURIComponent(check)}${queryString({ limit: 100, cursor })}`,
  );

export const getForceMfaPolicy = (): Promise<ForceMfaPolicy> =>
  apiRequest<ForceMfaPolicy>(`${base}/remediation/force-mfa-policy`);

export const requireMfa = (userName: string): Promise<RequireMfaResult> =>
  apiRequest<RequireMfaResult>(`${base}/users/${encodeURIComponent(userName)}/require-mfa`, {
    method: 'POST',
    json: { target: 'user' },
  });

export const getAlertDeliveries = (): Promise<AlertDeliveryList> =>
  apiRequest<AlertDeliveryList>(`${base}/alerts/deliveries`);
