import type { AuditRecord } from '../audit/audit-events.ts';

/**
 * One audit event as the SIEM receives it: the audit row flattened, with the fields a SOC joins
 * with CloudTrail named the way CloudTrail names them. `seq` orders the events and, with `id`,
 * lets a receiver drop the duplicates at-least-once delivery may send.
 */
export interface SiemEvent {
  seq: number;
  id: string;
  time: string;
  actor: string;
  action: string;
  outcome: string;
  errorCode: string | null;
  roleArn: string | null;
  account: string | null;
  roleSessionName: string | null;
  sourceIdentity: string | null;
  issuedAccessKeyId: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** The row's remaining details (role alias, duration, ...). */
  details: Record<string, string | number | boolean | null>;
  /** The row's hash in the audit chain, so the SIEM copy can be checked against the portal's. */
  hash: string;
}

const ACCOUNT_IN_ARN = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/;
const JOINED = new Set(['issuedAccessKeyId', 'sourceIdentity', 'accountId']);

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export function toSiemEvent(record: AuditRecord): SiemEvent {
  const metadata = record.metadata ?? {};
  const details = Object.fromEntries(Object.entries(metadata).filter(([key]) => !JOINED.has(key)));
  return {
    seq: record.seq,
    id: record.id,
    time: record.time.toISOString(),
    actor: record.actor,
    action: record.action,
    outcome: record.outcome,
    errorCode: record.errorCode ?? null,
    roleArn: record.targetRoleArn ?? null,
    account: text(metadata.accountId) ?? ACCOUNT_IN_ARN.exec(record.targetRoleArn ?? '')?.[1] ?? null,
    roleSessionName: record.roleSessionName ?? null,
    sourceIdentity: text(metadata.sourceIdentity),
    issuedAccessKeyId: text(metadata.issuedAccessKeyId),
    clientAddress: record.sourceIp ?? null,
    userAgent: record.userAgent ?? null,
    requestId: record.requestId ?? null,
    details,
    hash: record.hash,
  };
}
