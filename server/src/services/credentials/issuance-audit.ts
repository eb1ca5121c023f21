import { serviceUnavailable } from '../../errors/app-error.ts';
import type { TemporaryCredentials } from '../../formats/index.ts';
import type { AuditAction, AuditEntry, RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { CatalogRole } from '../catalog/catalog-service.ts';
import type { Rejection } from '../sign-in/sign-in-service.ts';

/** How the credentials were (or would have been) obtained, as the audit row records it. */
export type IssueVia = 'mfa_session' | 'assume_role' | 'mfa_session_one_shot';

/** One request for role credentials, as its audit row names it. */
export interface IssuanceRequest {
  action: AuditAction;
  actor: string;
  roleAlias: string;
  roleSessionName: string;
  origin: RequestOrigin;
  /** Extra facts for the row's metadata (e.g. a console sign-in's destination). Never secrets. */
  details?: Record<string, string>;
}

/** How a request for role credentials ended: everything `recordIssuance` writes. */
export type IssuanceOutcome = IssuanceRequest &
  (
    | { issued: TemporaryCredentials; role: CatalogRole; via: IssueVia; durationSeconds: number }
    | { rejection: Pick<Rejection, 'error' | 'errorCode' | 'outcome'>; role: CatalogRole | null; via?: IssueVia }
  );

/** The audit rows of issuing actions (`credentials.issue`, `credentials.process`, `session.credentials`). */
export function createIssuanceAudit(audit: Pick<AuditService, 'append'>) {
  /**
   * The one writer of `credentials.issue` and `credentials.process` rows, with one failure rule:
   * the row is committed before the answer leaves, and when it cannot be written the answer is
   * 503 audit_unavailable, so no credentials leave unaudited (they expire unused).
   */
  async function recordIssuance(outcome: IssuanceOutcome): Promise<void> {
    const common = {
      actor: outcome.actor,
      action: outcome.action,
      roleSessionName: outcome.roleSessionName,
      ...outcome.origin,
    };
    const entry: AuditEntry =
      'issued' in outcome
        ? {
            ...common,
            outcome: 'success',
            targetRoleArn: outcome.role.roleArn,
            metadata: {
              ...outcome.details,
              roleAlias: outcome.role.alias,
              via: outcome.via,
              durationSeconds: outcome.durationSeconds,
              issuedAccessKeyId: outcome.issued.accessKeyId,
              expiresAt: outcome.issued.expiration.toISOString(),
              // What CloudTrail records for these credentials, so a SIEM can join the two.
              accountId: outcome.issued.accountId,
              ...(outcome.issued.sourceIdentity ? { sourceIdentity: outcome.issued.sourceIdentity } : {}),
            },
          }
        : {
            ...common,
            outcome: outcome.rejection.outcome,
            errorCode: outcome.rejection.errorCode,
            targetRoleArn: outcome.role?.roleArn,
            metadata: {
              ...outcome.details,
              roleAlias: outcome.role?.alias ?? outcome.roleAlias.slice(0, 64),
              ...(outcome.via ? { via: outcome.via } : {}),
            },
          };
    await commitAudit(entry);
  }

  async function commitAudit(entry: AuditEntry): Promise<void> {
    try {
      await audit.append(entry);
    } catch {
      throw serviceUnavailable(
        'audit_unavailable',
        'The portal could not record this request in its audit log, so it issued nothing. Try again.',
        5,
      );
    }
  }

  return { recordIssuance, commitAudit };
}
