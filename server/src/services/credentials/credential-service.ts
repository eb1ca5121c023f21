import type { AssumedRoleCredentials, AwsGateway } from '../../aws/aws-gateway.ts';
import { type AppError, badRequest, forbidden, notFound, unauthorized } from '../../errors/app-error.ts';
import {
  checkRenderRequest,
  InvalidRenderInputError,
  type RequestedFormat,
  type TemporaryCredentials,
} from '../../formats/index.ts';
import { AuditAction, type AuditAction as AuditActionName, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { appErrorFromAws, auditErrorCode } from '../aws-error-mapping.ts';
import type { CatalogRole, CatalogService } from '../catalog/catalog-service.ts';
import type { IamDirectory } from '../catalog/iam-directory.ts';
import type { CustodyService, UserKey } from '../custody/custody-service.ts';
import type { MfaSession, MfaSessionStore } from '../sessions/mfa-session-store.ts';
import {
  type AdmittedAttempt,
  answerRejection,
  attemptActor,
  type Rejection,
  type SignInService,
} from '../sign-in/sign-in-service.ts';
import { MIN_DURATION_SECONDS, resolveDuration } from './duration.ts';
import { createIssuanceAudit, type IssuanceRequest, type IssueVia } from './issuance-audit.ts';
import { roleSessionNameFor } from './role-session-name.ts';

export interface RoleCredentials {
  credentials: TemporaryCredentials;
  role: CatalogRole;
  /** The DurationSeconds AWS was asked for. */
  durationSeconds: number;
}

/** How an issuing request is audited: its action (default per entry point) and extra details. */
export interface IssueAudit {
  action?: AuditActionName;
  details?: IssuanceRequest['details'];
}

/** How the caller will render the credentials: checked before AWS is asked for any. */
export interface RenderRequest {
  /** A credential format or `all` (RequestedFormat); anything else is refused. */
  format: RequestedFormat | (string & {});
  profile?: string;
  portalUrl?: string;
}

export interface CredentialServiceDeps {
  aws: Pick<AwsGateway, 'assumeRole'>;
  custody: Pick<CustodyService, 'find'>;
  signIn: Pick<SignInService, 'admit' | 'verifyByAssumeRole' | 'verifyBySessionToken' | 'refuse'>;
  catalog: Pick<CatalogService, 'resolve' | 'rolesFor' | 'find'>;
  directory: Pick<IamDirectory, 'accountAliases'>;
  audit: Pick<AuditService, 'append' | 'lastIssuedByRole'>;
  mfaSessions: Pick<MfaSessionStore, 'find'>;
  region: string;
}

/** Why the portal cannot grant a request, or how it will ask AWS for it. */
type CodePlan =
  | { refusal: AppError }
  | { refusal?: never; role: CatalogRole; via: 'assume_role' | 'mfa_session_one_shot'; durationSeconds: number };

/**
 * Issues role credentials: with an MFA session the user already opened (browser, CLI token), or
 * with a fresh code (one-shot requests, and longer sessions than role chaining allows). AWS
 * verifies every code (through the sign-in service); the portal only decides who may ask for
 * which role. Every audit row of an issuing action is written by `recordIssuance`, and
 * credentials are returned only after their row is committed.
 */
export function createCredentialService({
  aws,
  custody,
  signIn,
  catalog,
  directory,
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

  const { recordIssuance, commitAudit } = createIssuanceAudit(audit);

  /** Records a turned-away request, then answers it (no sooner than the rejection allows). */
  async function turnAway(
    request: IssuanceRequest,
    role: CatalogRole | null,
    rejection: Rejection,
    via?: IssueVia,
  ): Promise<never> {
    if (!rejection.countedOnly) await recordIssuance({ ...request, role, rejection, ...(via ? { via } : {}) });
    return answerRejection(rejection);
  }

  /** A request whose output cannot be rendered is refused before any credentials exist. */
  function checkRenderable(render: RenderRequest | undefined, roleAlias?: string): void {
    if (!render) return;
    try {
      checkRenderRequest(render.format, {
        ...(render.profile !== undefined ? { profile: render.profile } : {}),
        ...(render.portalUrl !== undefined ? { portalUrl: render.portalUrl } : {}),
        ...(roleAlias !== undefined ? { roleAlias: roleAlias.toLowerCase() } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidRenderInputError) throw badRequest('invalid_request', error.message);
      throw error;
    }
  }

  /** An MFA session outlives nothing: its user must still be enrolled for every request. */
  async function requireEnrolled(session: MfaSession): Promise<void> {
    if (!(await custody.find(session.userName)))
      throw forbidden(
        'not_enrolled',
        'You are no longer enrolled in the portal, so it issues you nothing. Ask an administrator to enroll you again.',
      );
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
    details?: IssuanceRequest['details'],
  ): Promise<RoleCredentials> {
    const request: IssuanceRequest = {
      action,
      actor: session.userName,
      roleAlias,
      roleSessionName: roleSessionNameFor(session.userName),
      origin,
      ...(details ? { details } : {}),
    };
    let role: CatalogRole | null = null;
    let issued: TemporaryCredentials;
    let duration: number;
    try {
      await requireEnrolled(session);
      role = await catalog.resolve(session.userName, roleAlias, true);
      duration = resolveDuration(role.maxDurationSeconds, durationSeconds, true);
      const assumed = await aws.assumeRole(session.credentials, assumeInput(session, role, duration));
      issued = describe(session, role, assumed, request.roleSessionName);
    } catch (error) {
      const answer = appErrorFromAws(error, role?.alias ?? roleAlias);
      const rejection = {
        error: answer,
        errorCode: auditErrorCode(error, answer),
        outcome: answer.statusCode === 403 ? ('denied' as const) : ('failure' as const),
      };
      await recordIssuance({ ...request, role, rejection, via: 'mfa_session' });
      throw answer;
    }
    await recordIssuance({ ...request, role, issued, via: 'mfa_session', durationSeconds: duration });
    return { credentials: issued, role, durationSeconds: duration };
  }

  /**
   * What a fresh code would buy this user: the role if the catalog grants it, and the path its
   * key takes (AssumeRole with the code, or GetSessionToken first for users whose policy denies
   * AssumeRole without MFA; AWS caps that one at an hour).
   */
  async function planWithCode(
    user: UserKey,
    known: CatalogRole | null,
    input: { roleAlias: string; durationSeconds?: number },
  ): Promise<CodePlan> {
    try {
      if (!known)
        throw notFound(
          'unknown_role',
          `There is no role called "${input.roleAlias.slice(0, 64)}" in the portal's catalog.`,
        );
      // An admitted attempt is an enrolled user's: the sign-in service read their key.
      const role = await catalog.resolve(user.userName, known.alias, true);
      const via = user.issuePath === 'assume_role' ? 'assume_role' : 'mfa_session_one_shot';
      const durationSeconds = resolveDuration(role.maxDurationSeconds, input.durationSeconds, via !== 'assume_role');
      return { role, via, durationSeconds };
    } catch (error) {
      return { refusal: appErrorFromAws(error) };
    }
  }

  return {
    /** Role credentials for a signed-in browser session (no new code; at most one hour). */
    async issueForSession(input: {
      mfaSessionId: string;
      roleAlias: string;
      durationSeconds?: number;
      render?: RenderRequest;
      origin: RequestOrigin;
      audit?: IssueAudit;
    }): Promise<RoleCredentials> {
      checkRenderable(input.render, input.roleAlias);
      const session = await mfaSessions.find(input.mfaSessionId);
      if (!session)
        throw unauthorized('session_expired', 'Your MFA session has expired. Sign in again with a new code.');
      return issueWithMfaSession(
        session,
        input.roleAlias,
        input.durationSeconds,
        input.origin,
        input.audit?.action ?? AuditAction.IssueCredentials,
        input.audit?.details,
      );
    },

    /** Role credentials for a CLI token's MFA session. */
    async issueForCliSession(input: {
      mfaSessionId: string;
      roleAlias: string;
      durationSeconds?: number;
      origin: RequestOrigin;
      audit?: IssueAudit;
    }): Promise<RoleCredentials> {
      const session = await mfaSessions.find(input.mfaSessionId);
      if (!session)
        throw unauthorized('token_expired', 'The portal token has expired. Get a new one with a fresh MFA code.');
      return issueWithMfaSession(
        session,
        input.roleAlias,
        input.durationSeconds,
        input.origin,
        input.audit?.action ?? AuditAction.ProcessCredentials,
        input.audit?.details,
      );
    },

    /**
     * Role credentials proven by a fresh code: the sign-in service admits the attempt and has AWS
     * verify the code (AssumeRole with SerialNumber and TokenCode, or GetSessionToken first, then
     * AssumeRole with that session); `recordIssuance` writes the one row of the outcome.
     */
    async issueWithCode(input: {
      userName: string;
      code: string;
      roleAlias: string;
      durationSeconds?: number;
      render?: RenderRequest;
      origin: RequestOrigin;
      audit?: IssueAudit;
    }): Promise<RoleCredentials> {
      checkRenderable(input.render, input.roleAlias);
      const known = await catalog.find(input.roleAlias);
      const request: IssuanceRequest = {
        action: input.audit?.action ?? AuditAction.IssueCredentials,
        actor: attemptActor(input),
        roleAlias: input.roleAlias,
        roleSessionName: roleSessionNameFor(input.userName),
        origin: input.origin,
        ...(input.audit?.details ? { details: input.audit.details } : {}),
      };
      const admission = await signIn.admit(input);
      if (admission.rejected) return turnAway(request, known, admission.rejected);
      const attempt: AdmittedAttempt = admission.admitted;
      const user = attempt.user;

      const plan = await planWithCode(user, known, input);
      if (plan.refusal) return turnAway(request, known, await signIn.refuse(attempt, plan.refusal));
      const { role, via, durationSeconds } = plan;

      let assumed: AssumedRoleCredentials;
      if (via === 'assume_role') {
        const verification = await signIn.verifyByAssumeRole(attempt, assumeInput(user, role, durationSeconds));
        if (verification.rejected) return turnAway(request, role, verification.rejected, via);
        assumed = verification.verified.credentials;
      } else {
        const verification = await signIn.verifyBySessionToken(attempt, MIN_DURATION_SECONDS);
        if (verification.rejected) return turnAway(request, role, verification.rejected, via);
        try {
          assumed = await aws.assumeRole(verification.verified.credentials, assumeInput(user, role, durationSeconds));
        } catch (error) {
          const answer = appErrorFromAws(error);
          const outcome = answer.statusCode === 403 ? ('denied' as const) : ('failure' as const);
          return turnAway(
            request,
            role,
            { error: answer, errorCode: auditErrorCode(error, answer), outcome, answerAt: Date.now() },
            via,
          );
        }
      }
      const issued = describe(user, role, assumed, request.roleSessionName);
      await recordIssuance({ ...request, actor: user.userName, role, issued, via, durationSeconds });
      return { credentials: issued, role, durationSeconds };
    },

    /** The user's own MFA session credentials (the get-session-token flow), for download. */
    async sessionCredentials(input: {
      mfaSessionId: string;
      render?: RenderRequest;
      origin: RequestOrigin;
    }): Promise<TemporaryCredentials> {
      checkRenderable(input.render);
      const session = await mfaSessions.find(input.mfaSessionId);
      if (!session)
        throw unauthorized('session_expired', 'Your MFA session has expired. Sign in again with a new code.');
      await requireEnrolled(session);
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
    ): Promise<
      Array<CatalogRole & { lastUsedAt: Date | null; accountAlias: string | null; consoleMaxSecondsWithCode: number }>
    > {
      const [roles, aliases, lastIssued, user] = await Promise.all([
        catalog.rolesFor(userName),
        directory.accountAliases(),
        audit.lastIssuedByRole(userName),
        custody.find(userName),
      ]);
      // A new code buys a direct AssumeRole (up to the role's maximum and the console's 12 h),
      // unless the user's policy sends the portal through an MFA session: then AWS caps it at 1 h.
      const direct = user?.issuePath === 'assume_role';
      return roles
        .map((role) => ({
          ...role,
          lastUsedAt: lastIssued.get(role.roleArn) ?? null,
          accountAlias: aliases.get(role.accountId) ?? null,
          consoleMaxSecondsWithCode: Math.min(direct ? role.maxDurationSeconds : 3600, 43_200),
        }))
        .sort(
          (a, b) => (b.lastUsedAt?.getTime() ?? 0) - (a.lastUsedAt?.getTime() ?? 0) || a.alias.localeCompare(b.alias),
        );
    },
  };
}

export type CredentialService = ReturnType<typeof createCredentialService>;
