import { queryString } from './admin-compliance-service.ts';
import { apiRequest } from './client.ts';

/** The admin audit API (server/src/routes/admin-audit-routes.ts). */

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEvent {
  seq: number;
  id: string;
  time: string;
  actor: string;
  action: string;
  outcome: string;
  targetRoleArn: string | null;
  roleSessionName: string | null;
  errorCode: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, string | number | boolean | null> | null;
  prevHash: string;
  hash: string;
}

export interface AuditFilters {
  actor?: string | undefined;
  roleArn?: string | undefined;
  action?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** ISO date-times. */
  from?: string | undefined;
  to?: string | undefined;
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  brokenAtSeq: number | null;
  verifiedAt: string;
}

const base = '/api/v1/admin/audit';

export const getAuditPage = (
  filters: AuditFilters,
  limit: number,
  cursor?: string,
): Promise<{ events: AuditEvent[]; nextCursor: string | null }> =>
  apiRequest(`${base}${queryString({ ...filters, limit, cursor })}`);

export const auditExportUrl = (format: 'csv' | 'json', filters: AuditFilters): string =>
  `${base}.${format}${queryString({ ...filters })}`;

export const verifyAuditChain = (): Promise<ChainCheck> => apiRequest<ChainCheck>(`${base}/verify`);
