import type { AssumedRoleCredentials, AwsGateway, AwsKey } from '../../aws/aws-gateway.ts';
import { notFound, serviceUnavailable, unauthorized } from '../../errors/app-error.ts';
import type { TemporaryCredentials } from '../../formats/index.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import {
  AuditAction,
  type AuditAction as AuditActionName,
  type AuditEntry,
  type RequestOrigin,
} from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { appErrorFromAws } from '../aws-error-mapping.ts';
import type { CatalogRole, CatalogService } from '../catalog/catalog-service.ts';
import type { UserKey } from '../custody/custody-service.ts';
import type { MfaSession, MfaSessionStore } from '../sessions/mfa-session-store.ts';
import type { SignInService } from '../sign-in/sign-in-service.ts';
import { MIN_DURATION_SECONDS, resolveDuration } from './duration.ts';
import { roleSessionNameFor } from './role-session-name.ts';

export interface RoleCredentials {
  credentials: TemporaryCredentials;
  role: CatalogRole;
}

export interface CredentialServiceDeps {
  prisma: PrismaClient;
  aws: Pick<AwsGateway, 'assumeRole' | 'getSessionToken'>;
  signIn: Pick<SignInService, 'withVerifiedCode'>;
  catalog: Pick<CatalogService, 'resolve' | 'rolesFor' | 'find' | 'accountAliases'>;
  audit: AuditService;
  mfaSessions: Pick<MfaSessionStore, 'find'>;
  region: string;
}

/**
 * Issues role credentials: with an MFA session the user already opened (browser, CLI token), or
 * with a fresh code (one-shot requests, and longer sessions than role chaining allows). AWS
 * verifies every code; the portal only decides who may ask for which role, and audits each
 * attempt. Credentials are returned only after their audit row is committed.
 */
export function createCredentialService({
  prisma,
  aws,
  signIn,
  catalog,
  audit,
  mfaSessions,
  region,
}: CredentialServiceDeps) {
  function describe(
    user: { userName: string },
    role: CatalogRole,
    assumed: AssumedRoleCredentials,
    sessionName: string,
  ): TemporaryCredentials {
    return {
      accessKeyId: assumed.accessKeyId,
      secretAccessKey: assumed.secretAccessKey,
      sessionToken: assumed.sessionToken,
      expiration: assumed.expiration,
      accountId: role.accountId,
      roleArn: role.roleArn,
      roleName: role.roleName,
      assumedRoleArn: assumed.assumedRoleArn,
      roleSessionName: sessionName,
      ...(assumed.sourceIdentity ? { sourceIdentity: assumed.sourceIdentity } : {}),
      userName: user.userName,
      region,
    };
  }

  /**
   * Fail closed: the credentials leave only once this row is committed. If it cannot be written,
   * the caller gets a 503 and the credentials are dropped (they expire unused).
   */
  async function recordIssued(
    action: AuditActionName,
    userName: string,
    role: CatalogRole,
    issued: TemporaryCredentials,
    origin: RequestOrigin,
    details: { via: string; durationSeconds: number },
  ) {
    await commitAudit({
      actor: userName,
      action,
      outcome: 'success',
      targetRoleArn: role.roleArn,
      roleSessionName: issued.roleSessionName,
      ...origin,
      metadata: {
        roleAlias: role.alias,
        via: details.via,
        durationSeconds: details.durationSeconds,
        issuedAccessKeyId: issued.accessKeyId,
        expiresAt: issued.expiration.toISOString(),
      },
    });
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

  const assumeInput = (user: { userName: string }, role: CatalogRole, durationSeconds: number) => ({
    roleArn: role.roleArn,
    roleSessionName: roleSessionNameFor(user.userName),
    durationSeconds,
    sourceIdentity: roleSessionNameFor(user.userName),
    ...(role.externalId ? { externalId: role.externalId } : {}),
  });

  async function issueWithMfaSession(
    session: MfaSession,
    roleAlias: string,
    durationSeconds: number | undefined,
    origin: RequestOrigin,
    action: AuditActionName,
  ): Promise<RoleCredentials> {
    const sessionName = roleSessionNameFor(session.userName);
    let role: CatalogRole | undefined;
    try {
      role = await catalog.resolve(session.userName, roleAlias);
      const duration = resolveDuration(role.maxDurationSeconds, durationSeconds, true);
      const assumed = await aws.assumeRole(session.credentials, assumeInput(session, role, duration));
      const issued = describe(session, role, assumed, sessionName);
      await recordIssued(action, session.userName, role, issued, origin, {
        via: 'mfa_session',
        durationSeconds: duration,
      });
      return { credentials: issued, role };
    } catch (error) {
      const appError = appErrorFromAws(error, role?.alias ?? roleAlias);
      // Best effort: when the audit log itself is down, the original error still reaches the caller.
      await audit
        .append({
          actor: session.userName,
          action,
          outcome: appError.statusCode === 403 ? 'denied' : 'failure',
          errorCode: appError.code,
          targetRoleArn: role?.roleArn,
          roleSessionName: sessionName,
          ...origin,
          metadata: { roleAlias: roleAlias.slice(0, 64), via: 'mfa_session' },
        })
        .catch(() => undefined);
      throw appError;
    }
  }

  return {
    /** Role credentials for a signed-in browser session (no new code; at most one hour). */
    async issueForSession(input: {
      mfaSessionId: string;
      roleAlias: string;
      durationSeconds?: number;
      origin: RequestOrigin;
    }): Promise<RoleCredentials> {
      const session = await mfaSessions.find(input.mfaSessionId);
      if (!session)
        throw unauthorized('session_expired', 'Your MFA session has expired. Sign in again with a new code.');
      return issueWithMfaSession(
        session,
        input.roleAlias,
        input.durationSeconds,
        input.origin,
        AuditAction.IssueCredentials,
      );
    },

    /** Role credentials for a CLI token's MFA session. */
    async issueForCliSession(input: {
      mfaSessionId: string;
      roleAlias: string;
      durationSeconds?: number;
      origin: RequestOrigin;
    }): Promise<RoleCredentials> {
      const session = await mfaSessions.find(input.mfaSessionId);
      if (!session)
        throw unauthorized('token_expired', 'The portal token has expired. Get a new one with a fresh MFA code.');
      return issueWithMfaSession(
        session,
        input.roleAlias,
        input.durationSeconds,
        input.origin,
        AuditAction.ProcessCredentials,
      );
    },

    /**
     * Role credentials proven by a fresh code: AssumeRole with SerialNumber and TokenCode signed
     * with the user's key, or, for users whose policy denies AssumeRole without MFA, GetSessionToken
     * with the code first and AssumeRole with that session (capped at one hour by AWS).
     */
    async issueWithCode(input: {
      userName: string;
      code: string;
      roleAlias: string;
      durationSeconds?: number;
      origin: RequestOrigin;
    }): Promise<RoleCredentials> {
      const sessionName = roleSessionNameFor(input.userName);
      const known = await catalog.find(input.roleAlias);
      const { user, result } = await signIn.withVerifiedCode(
        { userName: input.userName, code: input.code, origin: input.origin },
        AuditAction.IssueCredentials,
        async (u: UserKey, code: string) => {
          if (!known)
            throw notFound(
              'unknown_role',
              `There is no role called "${input.roleAlias.slice(0, 64)}" in the portal's catalog.`,
            );
          const role = await catalog.resolve(u.userName, known.alias);
          if (u.issuePath === 'assume_role') {
            const duration = resolveDuration(role.maxDurationSeconds, input.durationSeconds, false);
            const assumed = await aws.assumeRole(u.key, {
              ...assumeInput(u, role, duration),
              serialNumber: u.mfaSerial,
              tokenCode: code,
            });
            return { role, assumed, via: 'assume_role', duration };
          }
          const duration = resolveDuration(role.maxDurationSeconds, input.durationSeconds, true);
          const session: AwsKey = await aws.getSessionToken(u.key, {
            serialNumber: u.mfaSerial,
            tokenCode: code,
            durationSeconds: MIN_DURATION_SECONDS,
          });
          const assumed = await aws.assumeRole(session, assumeInput(u, role, duration));
          return { role, assumed, via: 'mfa_session_one_shot', duration };
        },
        { ...(known ? { targetRoleArn: known.roleArn } : {}), roleSessionName: sessionName },
      );
      const issued = describe(user, result.role, result.assumed, sessionName);
      await recordIssued(AuditAction.IssueCredentials, user.userName, result.role, issued, input.origin, {
        via: result.via,
        durationSeconds: result.duration,
      });
      return { credentials: issued, role: result.role };
    },

    /** The user's own MFA session credentials (the get-session-token flow), for download. */
    async sessionCredentials(input: { mfaSessionId: string; origin: RequestOrigin }): Promise<TemporaryCredentials> {
      const session = await mfaSessions.find(input.mfaSessionId);
      if (!session)
        throw unauthorized('session_expired', 'Your MFA session has expired. Sign in again with a new code.');
      await commitAudit({
        actor: session.userName,
        action: AuditAction.SessionCredentials,
        outcome: 'success',
        ...input.origin,
        metadata: {
          mfaSessionId: session.id,
          issuedAccessKeyId: session.credentials.accessKeyId,
          expiresAt: session.expiresAt.toISOString(),
        },
      });
      return {
        ...session.credentials,
        accountId: session.accountId,
        userName: session.userName,
        region,
      };
    },

    /** The roles a user may request, most recently used first, then by alias. */
    async rolesFor(
      userName: string,
    ): Promise<Array<CatalogRole & { lastUsedAt: Date | null; accountAlias: string | null }>> {
      const [roles, aliases, usage] = await Promise.all([
        catalog.rolesFor(userName),
        catalog.accountAliases(),
        prisma.auditEvent.groupBy({
          by: ['targetRoleArn'],
          where: {
            actor: userName,
            action: { in: [AuditAction.IssueCredentials, AuditAction.ProcessCredentials] },
            outcome: 'success',
          },
          _max: { time: true },
        }),
      ]);
      const lastUsed = new Map(usage.map((u) => [u.targetRoleArn, u._max.time ?? null]));
      return roles
        .map((role) => ({
          ...role,
          lastUsedAt: lastUsed.get(role.roleArn) ?? null,
          accountAlias: aliases.get(role.accountId) ?? null,
        }))
        .sort(
          (a, b) => (b.lastUsedAt?.getTime() ?? 0) - (a.lastUsedAt?.getTime() ?? 0) || a.alias.localeCompare(b.alias),
        );
    },
  };
}

export type CredentialService = ReturnType<typeof createCredentialService>;
