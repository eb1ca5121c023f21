import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { IamDirectory } from '../catalog/iam-directory.ts';
import type { MfaSessionStore } from '../sessions/mfa-session-store.ts';
import type { SignInService } from './sign-in-service.ts';

export interface SignedIn {
  userName: string;
  accountId: string;
  isAdmin: boolean;
  mfaSessionId: string;
  expiresAt: Date;
}

export interface BrowserSessionServiceDeps {
  signIn: Pick<SignInService, 'openMfaSession'>;
  directory: Pick<IamDirectory, 'isMember'>;
  mfaSessions: Pick<MfaSessionStore, 'revoke'>;
  audit: AuditService;
  adminGroup: string;
  sessionSeconds: number;
}

/** Browser sign-in: an MFA session opened with the user's code, and who the user is to the portal. */
export function createBrowserSessionService({
  signIn,
  directory,
  mfaSessions,
  audit,
  adminGroup,
  sessionSeconds,
}: BrowserSessionServiceDeps) {
  return {
    async signIn(input: { userName: string; code: string; origin: RequestOrigin }): Promise<SignedIn> {
      const opened = await signIn.openMfaSession(input, AuditAction.SignIn, sessionSeconds);
      const isAdmin = await directory.isMember(opened.user.userName, adminGroup).catch(() => false);
      return {
        userName: opened.user.userName,
        accountId: opened.user.accountId,
        isAdmin,
        mfaSessionId: opened.sessionId,
        expiresAt: opened.credentials.expiration,
      };
    },

    async signOut(input: { userName: string; mfaSessionId: string; origin: RequestOrigin }): Promise<void> {
      await mfaSessions.revoke(input.mfaSessionId);
      await audit.append({
        actor: input.userName,
        action: AuditAction.SignOut,
        outcome: 'success',
        ...input.origin,
        metadata: { mfaSessionId: input.mfaSessionId },
      });
    },
  };
}

export type BrowserSessionService = ReturnType<typeof createBrowserSessionService>;
