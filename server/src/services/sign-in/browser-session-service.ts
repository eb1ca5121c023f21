import { AwsCallError } from '../../aws/aws-errors.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { appErrorFromAws } from '../aws-error-mapping.ts';
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
  /**
   * Whether the user is in the admin IAM group now, as far as the group cache knows
   * (GROUP_CACHE_SECONDS): asked at sign-in and again on every admin request.
   */
  async function isAdmin(userName: string): Promise<boolean> {
    try {
      return await directory.isMember(userName, adminGroup);
    } catch (error) {
      // A user IAM no longer knows is nobody's admin; other failures (AWS unreachable) fail closed.
      if (error instanceof AwsCallError && error.kind === 'not_found') return false;
      throw appErrorFromAws(error);
    }
  }

  return {
    isAdmin,

    async signIn(input: { userName: string; code: string; origin: RequestOrigin }): Promise<SignedIn> {
      const opened = await signIn.openMfaSession(input, AuditAction.SignIn, sessionSeconds);
      return {
        userName: opened.user.userName,
        accountId: opened.user.accountId,
        isAdmin: await isAdmin(opened.user.userName).catch(() => false),
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
