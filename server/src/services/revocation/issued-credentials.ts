import type { DbClient } from '../../db/prisma-types.ts';
import { AuditAction } from '../audit/audit-events.ts';

/**
 * What the portal handed out to a person and AWS may still honour, read from the audit log
 * (read-only: the audit area owns the table and its writers). An issuance row records the key id,
 * role, path, address and expiry; the MFA session rows record the expiry of the session the
 * portal holds for the user.
 */
export interface IssuedCredential {
  /** The audit row the entry was made from: unique in a list (two entries can share every other field). */
  auditSeq: number;
  time: Date;
  accessKeyId: string | null;
  /** The role's ARN, or null for the user's own MFA session (GetSessionToken). */
  roleArn: string | null;
  roleAlias: string | null;
  via: string;
  sourceIp: string | null;
  /** When AWS issued them (its clock), where the row says. */
  issuedAt: Date | null;
  expiresAt: Date;
}

const ISSUING_ACTIONS = [
  AuditAction.IssueCredentials,
  AuditAction.ProcessCredentials,
  AuditAction.SessionCredentials,
  AuditAction.SignIn,
  AuditAction.CliTokenCreate,
] as const;

/** The longest any portal-issued credential lives (GetSessionToken's maximum, 36 h). */
const LONGEST_LIFETIME_MS = 129_600 * 1000;

export interface IssuedCredentialsOptions {
  /** Lifetimes the portal asks for its MFA sessions, to date them from their expiry. */
  signInSeconds: number;
  cliTokenSeconds: number;
}

export function createIssuedCredentialsReader({ signInSeconds, cliTokenSeconds }: IssuedCredentialsOptions) {
  return {
    /** Credentials of `userName` that were still valid at `now` (expiry after it), newest first. */
    async outstanding(db: DbClient, userName: string, now: Date): Promise<IssuedCredential[]> {
      const rows = await db.auditEvent.findMany({
        where: {
          actor: userName,
          action: { in: [...ISSUING_ACTIONS] },
          outcome: 'success',
          time: { gt: new Date(now.getTime() - LONGEST_LIFETIME_MS) },
        },
        orderBy: { seq: 'desc' },
        take: 1000,
      });
      const found: IssuedCredential[] = [];
      // An MFA session is one credential however often it was downloaded: its sign-in (or CLI
      // token) row dates it, a download row names its key.
      const bySession = new Map<string, IssuedCredential>();
      for (const row of rows) {
        const meta = (row.metadata ?? {}) as Record<string, unknown>;
        const mfaSessionId = typeof meta.mfaSessionId === 'string' ? meta.mfaSessionId : null;
        const expiresAt = typeof meta.expiresAt === 'string' ? new Date(meta.expiresAt) : null;
        if (!expiresAt || Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now.getTime()) continue;
        const duration =
          typeof meta.durationSeconds === 'number'
            ? meta.durationSeconds
            : row.action === AuditAction.SignIn
              ? signInSeconds
              : row.action === AuditAction.CliTokenCreate
                ? cliTokenSeconds
                : null;
        const issuedAt = duration === null ? null : new Date(expiresAt.getTime() - duration * 1000);
        const seen = mfaSessionId ? bySession.get(mfaSessionId) : undefined;
        if (seen) {
          if (!seen.accessKeyId && typeof meta.issuedAccessKeyId === 'string')
            seen.accessKeyId = meta.issuedAccessKeyId;
          if (row.action !== AuditAction.SessionCredentials) {
            Object.assign(seen, { via: viaOf(row.action), time: row.time, sourceIp: row.sourceIp, issuedAt });
          }
          continue;
        }
        const isRole = row.action === AuditAction.IssueCredentials || row.action === AuditAction.ProcessCredentials;
        const credential: IssuedCredential = {
          auditSeq: row.seq,
          time: row.time,
          accessKeyId: typeof meta.issuedAccessKeyId === 'string' ? meta.issuedAccessKeyId : null,
          roleArn: isRole ? row.targetRoleArn : null,
          roleAlias: isRole && typeof meta.roleAlias === 'string' ? meta.roleAlias : null,
          via: isRole && typeof meta.via === 'string' ? meta.via : viaOf(row.action),
          sourceIp: row.sourceIp,
          issuedAt,
          expiresAt,
        };
        found.push(credential);
        if (mfaSessionId) bySession.set(mfaSessionId, credential);
      }
      return found;
    },
  };
}

function viaOf(action: string): string {
  if (action === AuditAction.SignIn) return 'browser_sign_in';
  if (action === AuditAction.CliTokenCreate) return 'cli_token';
  return 'mfa_session_download';
}

export type IssuedCredentialsReader = ReturnType<typeof createIssuedCredentialsReader>;
