import { createHash, randomBytes } from 'node:crypto';
import { unauthorized } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { CredentialService, RoleCredentials } from '../credentials/credential-service.ts';
import type { SignInService } from '../sign-in/sign-in-service.ts';

export interface CliTokenServiceDeps {
  prisma: PrismaClient;
  signIn: Pick<SignInService, 'openMfaSession'>;
  credentials: Pick<CredentialService, 'issueForCliSession'>;
  /** Lifetime of the MFA session behind a token (GetSessionToken DurationSeconds). */
  tokenSeconds: number;
  now?: () => Date;
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
  signIn,
  credentials,
  tokenSeconds,
  now = () => new Date(),
}: CliTokenServiceDeps) {
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
          await tx.cliToken.create({
            data: {
              tokenHash: hashToken(token),
              userName: user.userName,
              mfaSessionId: sessionId,
              expiresAt: session.expiration,
            },
          });
        },
      );
      return { token, expiresAt: opened.credentials.expiration };
    },

    async issue(input: {
      token: string;
      roleAlias: string;
      durationSeconds?: number;
      origin: RequestOrigin;
    }): Promise<RoleCredentials> {
      if (!TOKEN_SHAPE.test(input.token))
        throw unauthorized('invalid_token', 'The portal token is not valid. Get a new one with a fresh MFA code.');
      const row = await prisma.cliToken.findUnique({ where: { tokenHash: hashToken(input.token) } });
      if (!row || row.revokedAt)
        throw unauthorized('invalid_token', 'The portal token is not valid. Get a new one with a fresh MFA code.');
      if (row.expiresAt.getTime() <= now().getTime())
        throw unauthorized('token_expired', 'The portal token has expired. Get a new one with a fresh MFA code.');
      await prisma.cliToken.update({ where: { id: row.id }, data: { lastUsedAt: now() } });
      return credentials.issueForCliSession({
        mfaSessionId: row.mfaSessionId,
        roleAlias: input.roleAlias,
        ...(input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : {}),
        origin: { ...input.origin },
      });
    },
  };
}

export type CliTokenService = ReturnType<typeof createCliTokenService>;
