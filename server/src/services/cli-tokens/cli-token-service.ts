import { createHash, randomBytes } from 'node:crypto';
import { notFound, unauthorized } from '../../errors/app-error.ts';
import type { CliToken, PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import type { CredentialService, IssueAudit, RoleCredentials } from '../credentials/credential-service.ts';
import type { MfaSessionStore } from '../sessions/mfa-session-store.ts';
import type { SignInService } from '../sign-in/sign-in-service.ts';
import type { CliTokenRepository } from './cli-token-repository.ts';

export interface CliTokenServiceDeps {
  prisma: PrismaClient;
  tokens: CliTokenRepository;
  signIn: Pick<SignInService, 'openMfaSession'>;
  credentials: Pick<CredentialService, 'issueForCliSession'>;
  mfaSessions: Pick<MfaSessionStore, 'revoke'>;
  audit: Pick<AuditService, 'append'>;
  /** Lifetime of the MFA session behind a token (GetSessionToken DurationSeconds). */
  tokenSeconds: number;
  now?: () => Date;
}

/** A token as its owner and admins see it: never the token itself (only its hash is kept). */
export interface CliTokenSummary {
  id: string;
  status: 'active' | 'revoked' | 'expired';
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** Where the token was created. */
  sourceIp: string | null;
  userAgent: string | null;
}

/** Who revokes a token, for the audit log: its owner or an admin. */
export interface RevokedBy {
  actor: string;
  origin: RequestOrigin;
}

const TOKEN_PREFIX = 'amp_';
const TOKEN_SHAPE = /^amp_[A-Za-z0-9_-]{43}$/;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Bearer tokens for the AWS CLI's credential_process: one MFA code buys a token that lives as
 * long as the MFA session behind it. Only the token's SHA-256 is stored, so the table is useless
 * to someone who reads it.
 */
export function createCliTokenService({
  prisma,
  tokens,
  signIn,
  credentials,
  mfaSessions,
  audit,
  tokenSeconds,
  now = () => new Date(),
}: CliTokenServiceDeps) {
  const invalidToken = () =>
    unauthorized('invalid_token', 'The portal token is not valid. Get a new one with a fresh MFA code.');

  function summary(row: CliToken): CliTokenSummary {
    const status = row.revokedAt ? 'revoked' : row.expiresAt.getTime() <= now().getTime() ? 'expired' : 'active';
    return {
      id: row.id,
      status,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      lastUsedAt: row.lastUsedAt,
      revokedAt: row.revokedAt,
      sourceIp: row.sourceIp,
      userAgent: row.userAgent,
    };
  }

  return {
    async create(input: {
      userName: string;
      code: string;
      origin: RequestOrigin;
    }): Promise<{ token: string; expiresAt: Date }> {
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const opened = await signIn.openMfaSession(
        { userName: input.userName, code: input.code, origin: input.origin },
        AuditAction.CliTokenCreate,
        tokenSeconds,
        async (tx, { sessionId, user, credentials: session }) => {
          // The token cannot outlive the MFA session AWS granted.
          await tokens.create(tx, {
            tokenHash: hashToken(token),
            userName: user.userName,
            mfaSessionId: sessionId,
            expiresAt: session.expiration,
            sourceIp: input.origin.sourceIp ?? null,
            userAgent: input.origin.userAgent ?? null,
          });
        },
      );
      return { token, expiresAt: opened.credentials.expiration };
    },

    /** Whose token this is, if it is still valid (the same checks as `issue`, without issuing anything). */
    async ownerOf(token: string): Promise<{ userName: string }> {
      if (!TOKEN_SHAPE.test(token)) throw invalidToken();
      const row = await tokens.findByHash(prisma, hashToken(token));
      if (!row || row.revokedAt) throw invalidToken();
      if (row.expiresAt.getTime() <= now().getTime())
        throw unauthorized('token_expired', 'The portal token has expired. Get a new one with a fresh MFA code.');
      return { userName: row.userName };
    },

    async issue(input: {
      token: string;
      roleAlias: string;
      durationSeconds?: number;
      origin: RequestOrigin;
      /** How the issuance is audited (credential_process by default). */
      audit?: IssueAudit;
    }): Promise<RoleCredentials> {
      if (!TOKEN_SHAPE.test(input.token)) throw invalidToken();
      const row = await tokens.findByHash(prisma, hashToken(input.token));
      if (!row || row.revokedAt) throw invalidToken();
      if (row.expiresAt.getTime() <= now().getTime())
        throw unauthorized('token_expired', 'The portal token has expired. Get a new one with a fresh MFA code.');
      await tokens.recordUse(prisma, row);
      return credentials.issueForCliSession({
        mfaSessionId: row.mfaSessionId,
        roleAlias: input.roleAlias,
        ...(input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : {}),
        origin: { ...input.origin },
        ...(input.audit ? { audit: input.audit } : {}),
      });
    },

    /** The user's tokens, newest first. */
    async listOf(userName: string): Promise<CliTokenSummary[]> {
      return (await tokens.listOf(prisma, userName)).map(summary);
    },

    /**
     * Revokes one of the user's tokens and the MFA session behind it, audited in the same
     * transaction; the token's next request gets 401 invalid_token. Revoking twice is harmless.
     */
    async revoke(input: { userName: string; tokenId: string; by: RevokedBy }): Promise<CliTokenSummary> {
      const row = await tokens.findOf(prisma, input.userName, input.tokenId);
      if (!row) throw notFound('unknown_token', `${input.userName} has no portal token with id ${input.tokenId}.`);
      return auditedTransaction(prisma, async (tx) => {
        if (await tokens.revoke(tx, row.id)) {
          await mfaSessions.revoke(row.mfaSessionId, tx);
          await audit.append(
            {
              actor: input.by.actor,
              action: AuditAction.CliTokenRevoke,
              outcome: 'success',
              ...input.by.origin,
              metadata: { userName: row.userName, tokenId: row.id, mfaSessionId: row.mfaSessionId },
            },
            tx,
          );
        }
        return summary((await tokens.findOf(tx, row.userName, row.id)) ?? row);
      });
    },
  };
}

export type CliTokenService = ReturnType<typeof createCliTokenService>;
