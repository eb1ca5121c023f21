import { ApiError, api } from './api/client.ts';
import { signOutEverywhere } from './api/devices-service.ts';
import { describeError } from './api/error-text.ts';
import { revokeMyAwsSessions } from './api/revocation-service.ts';
import { getSession, type PortalUser, type SessionInfo, signIn, signOut } from './api/session-service.ts';
import { t } from './i18n/i18n.ts';
import { formatClockTime } from './time-format.ts';

export type SessionStatus = 'checking' | 'signed-out' | 'signed-in';

/** Longest delay setTimeout honours (about 24.8 days); longer sessions are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Longest wait before a rate-limited session check runs again. */
const MAX_RECHECK_SECONDS = 60;

/**
 * The browser's MFA session. The session cookie is HttpOnly, so this only knows what the API
 * says: who is signed in and when the session ends (the API client keeps its CSRF token). When it
 * ends (sign-out, expiry, or the server saying so through the API client) every registered
 * listener clears what it holds, so no credential outlives the session on the page.
 */
export class SessionState {
  status = $state<SessionStatus>('checking');
  user = $state<PortalUser | null>(null);
  expiresAt = $state<Date | null>(null);
  /** Why the last session ended, shown on the sign-in page ("Your session ended at ..."). */
  endNotice = $state<string | null>(null);
  /** The problem when the first session check could not reach the portal. */
  loadError = $state<string | null>(null);

  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  #recheckTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #endListeners = new Set<() => void>();

  constructor() {
    // Any request the server answers with "not signed in" or "session expired" ends it here.
    api.onSessionEnded(() => this.expire('server'));
  }

  /**
   * Asks the server whether the cookie still holds a session (on page load). When the portal is
   * too busy to say (429), the sign-in form shows why and the check runs again after Retry-After:
   * a rate-limited reload must not cost a signed-in user a new MFA code.
   */
  async load(): Promise<void> {
    clearTimeout(this.#recheckTimer);
    try {
      this.#start(await getSession());
      this.loadError = null;
    } catch (error) {
      this.#reset();
      if (error instanceof ApiError && error.status === 401) this.loadError = null;
      else this.loadError = error instanceof ApiError ? describeError(error) : t('session.unreachable');
      if (error instanceof ApiError && error.status === 429) {
        const seconds = Math.min(Math.max(error.retryAfterSeconds ?? 5, 1), MAX_RECHECK_SECONDS);
        this.#recheckTimer = setTimeout(() => {
          if (this.status === 'signed-out') void this.load();
        }, seconds * 1000);
      }
    }
  }

  /** Throws ApiError for the sign-in form to explain; spaces in a pasted code are dropped. */
  async signIn(userName: string, code: string): Promise<void> {
    const session = await signIn(userName.trim(), code.replace(/\s+/g, ''));
    clearTimeout(this.#recheckTimer);
    this.endNotice = null;
    this.loadError = null;
    this.#start(session);
  }

  async signOut(): Promise<void> {
    const request = this.status === 'signed-in' ? signOut() : undefined;
    this.#end(t('session.signedOut'));
    await request?.catch(() => undefined);
  }

  /** Ends every browser session, MFA session and CLI token of the user, this one included. */
  async signOutEverywhere(): Promise<void> {
    const ended = await signOutEverywhere();
    this.#end(t('session.signedOutEverywhere', { webSessions: ended.webSessions, cliTokens: ended.cliTokens }));
  }

  /** "I lost my laptop": denies every AWS credential the portal gave the user, and signs out everywhere. */
  async revokeAwsSessions(): Promise<void> {
    const { applied } = await revokeMyAwsSessions();
    const failed = applied.targets.filter((target) => target.status === 'failed').length;
    this.#end(failed === 0 ? t('session.awsRevoked') : t('session.awsRevokedPartly', { failed }));
  }

  /**
   * The session ran out (`timeout`: its end time passed on this page), or the server no longer
   * knows it (`server`: it expired there, or was signed out from another tab).
   */
  expire(cause: 'timeout' | 'server' = 'timeout'): void {
    if (this.status !== 'signed-in') return;
    // Make sure the server forgets it too, in case the two clocks disagree.
    if (cause === 'timeout') void signOut().catch(() => undefined);
    const endedAt = this.expiresAt ?? new Date();
    this.#end(
      cause === 'timeout' ? t('session.endedAt', { time: formatClockTime(endedAt) }) : t('session.endedElsewhere'),
    );
  }

  /** Registers a callback run whenever the session ends; returns the unregister function. */
  onEnd(listener: () => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
  }

  /** For a page that comes back from sleep: timers may have been held back. */
  checkExpiry(): void {
    if (this.status === 'signed-in' && this.expiresAt !== null && Date.now() >= this.expiresAt.getTime()) this.expire();
  }

  #start(session: SessionInfo): void {
    this.user = session.user;
    this.expiresAt = new Date(session.expiresAt);
    this.status = 'signed-in';
    this.#armExpiryTimer();
  }

  #armExpiryTimer(): void {
    clearTimeout(this.#expiryTimer);
    if (this.expiresAt === null) return;
    const remaining = this.expiresAt.getTime() - Date.now();
    if (remaining <= 0) {
      this.expire();
      return;
    }
    this.#expiryTimer = setTimeout(
      () => {
        if (Date.now() >= (this.expiresAt?.getTime() ?? 0)) this.expire();
        else this.#armExpiryTimer();
      },
      Math.min(remaining, MAX_TIMER_MS),
    );
  }

  #end(notice: string): void {
    this.#reset();
    this.endNotice = notice;
    for (const listener of this.#endListeners) listener();
  }

  #reset(): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    this.user = null;
    this.expiresAt = null;
    this.status = 'signed-out';
  }
}

export const session = new SessionState();
