import type { AuditFilters, AuditPage, ChainCheck } from '../../../../server/src/routes/admin-schemas.ts';
import { queryString } from './admin-compliance-service.ts';
import { apiRequest } from './client.ts';

/** The admin audit API (server/src/routes/admin-audit-routes.ts). */

export type {
  AuditEvent,
  AuditFilters,
  AuditOutcome,
  ChainCheck,
} from '../../../../server/src/routes/admin-schemas.ts';

const base = '/api/v1/admin/audit';

export const getAuditPage = (filters: AuditFilters, limit: number, cursor?: string): Promise<AuditPage> =>
  apiRequest<AuditPage>(`${base}${queryString({ ...filters, limit, cursor })}`);

export const auditExportUrl = (format: 'csv' | 'json', filters: AuditFilters): string =>
  `${base}.${format}${queryString({ ...filters })}`;

/** The rows added since the last good check, or with `full` every row (the page's "Check again"). */
export const verifyAuditChain = (full = false): Promise<ChainCheck> =>
  apiRequest<ChainCheck>(`${base}/verify${full ? '?full=true' : ''}`);
