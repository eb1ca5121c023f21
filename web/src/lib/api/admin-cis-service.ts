import type {
  AlertDeliveryList,
  CisFailingPage,
  CisResults,
  Exemption,
  ExemptionList,
  ExemptionRequest,
  ForceMfaPolicy,
  RequireMfaResult,
} from '../../../../server/src/routes/admin-cis-schemas.ts';
import { queryString } from './admin-compliance-service.ts';
import { apiRequest } from './client.ts';

/** CIS checks, remediation, exemptions and alert deliveries (server/src/routes/admin-cis-routes.ts). */

export type {
  AlertDeliveryList,
  CisCheck,
  CisFailingPage,
  CisResults,
  Exemption,
  ExemptionList,
  ExemptionRequest,
  ForceMfaPolicy,
  ListedExemption,
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

const exemption = (userName: string) => `${base}/compliance/exemptions/${encodeURIComponent(userName)}`;

export const getExemptions = (): Promise<ExemptionList> => apiRequest<ExemptionList>(`${base}/compliance/exemptions`);

/** Grants (or replaces) a user's exemption from "keys work without MFA". */
export const grantExemption = (userName: string, request: ExemptionRequest): Promise<Exemption> =>
  apiRequest<Exemption>(exemption(userName), { method: 'PUT', json: request });

export const revokeExemption = (userName: string): Promise<void> =>
  apiRequest<void>(exemption(userName), { method: 'DELETE' });
