import type { DbClient } from '../../db/prisma-types.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import type { CliTokenRepository } from '../cli-tokens/cli-token-repository.ts';
import type { MfaSessionStore } from './mfa-session-store.ts';
import { endSessionsOf } from './session-store.ts';

/** How many of each a revocation ended. */
export interface EndedSessions {
  webSessions: number;
  mfaSessions: number;
  cliTokens: number;
}

export interface RevocationServiceDeps {
  prisma: PrismaClient;
  mfaSessions: Pick<MfaSessionStore, 'revokeAllOf'>;
  tokens: Pick<CliTokenRepository, 'revokeAllOf'>;
  audit: Pick<AuditService, 'append'>;
}

/**
 * Ends everything a user signed in with: browser sessions (rows deleted, so the next request
 * with the cookie is signed out), MFA sessions and CLI tokens (revoked, so the next use gets
 * 401). Used when a user signs out everywhere and, inside the unenrollment's transaction, when
 * an administrator unenrolls them.
 */
export function createRevocationService({ prisma, mfaSessions, tokens, audit }: RevocationServiceDeps) {
  async function endAllOf(db: DbClient, userName: string): Promise<EndedSessions> {
    const cliTokens = await tokens.revokeAllOf(db, userName);
    const revokedMfaSessions = await mfaSessions.revokeAllOf(db, userName);
    const webSessions = await endSessionsOf(db, userName);
    return { webSessions, mfaSessions: revokedMfaSessions, cliTokens };
  }

  return {
    endAllOf,

    /** The user's own "sign out everywhere", audited with what it ended. */
    async signOutEverywhere(input: { userName: string; origin: RequestOrigin }): Promise<EndedSessions> {
      return auditedTransaction(prisma, async (tx) => {
        const ended = await endAllOf(tx, input.userName);
        await audit.append(
          {
            actor: input.userName,
            action: AuditAction.SignOutEverywhere,
            outcome: 'success',
            ...input.origin,
            metadata: { ...ended },
          },
          tx,
        );
        return ended;
      });
    },
  };
}

export type RevocationService = ReturnType<typeof createRevocationService>;
