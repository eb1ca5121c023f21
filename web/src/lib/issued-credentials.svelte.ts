import { ApiError } from './api/client.ts';
import {
  type CredentialBundle,
  type CredentialFormat,
  getRoleCredentials,
  getSessionCredentials,
  type RoleCredentialsRequest,
} from './api/credentials-service.ts';
import { describeError, isSessionEnded } from './api/error-text.ts';
import { profileNameProblem, withProfileName } from './profile-name.ts';
import { session } from './session.svelte.ts';
import { formatClockTime } from './time-format.ts';

/** Codes after which the "Get credentials with a new code" path is the way forward. */
const NEEDS_NEW_CODE = new Set(['role_not_assumable', 'invalid_duration']);

/**
 * One set of temporary credentials on the page, from request to expiry. They live only in this
 * object's memory: never in storage or a URL. They are dropped when they expire, when the session
 * ends, and when the component that owns this object goes away (dispose).
 */
export class IssuedCredentialsState {
  credentials = $state.raw<CredentialBundle | null>(null);
  /** The profile name the user edits; the server's default until they change it. */
  profile = $state('');
  profileProblem = $derived(profileNameProblem(this.profile));
  expiresAt = $derived(this.credentials === null ? null : new Date(this.credentials.expiration));
  busy = $state(false);
  error = $state<string | null>(null);
  errorCode = $state<string | null>(null);
  /** Set when credentials were dropped because they expired. */
  expiredNotice = $state<string | null>(null);

  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #stopListening: () => void;

  constructor() {
    this.#stopListening = session.onEnd(() => this.clear());
  }

  /** True when the last error says a fresh MFA code would help. */
  get suggestsNewCode(): boolean {
    return this.errorCode !== null && NEEDS_NEW_CODE.has(this.errorCode);
  }

  /** The body of a format with the user's profile name in its section header. */
  bodyFor(format: CredentialFormat): string | undefined {
    const rendered = this.credentials?.formats[format];
    if (rendered === undefined) return undefined;
    return this.profileProblem === null ? withProfileName(format, rendered.body, this.profile) : rendered.body;
  }

  requestRole(request: RoleCredentialsRequest): Promise<boolean> {
    return this.#request(() => getRoleCredentials(request, session.csrfToken));
  }

  requestSession(): Promise<boolean> {
    return this.#request(() => getSessionCredentials(undefined, session.csrfToken));
  }

  clear(): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    this.credentials = null;
    this.profile = '';
  }

  dismissError(): void {
    this.error = null;
    this.errorCode = null;
  }

  dispose(): void {
    this.clear();
    this.#stopListening();
  }

  async #request(call: () => Promise<CredentialBundle>): Promise<boolean> {
    this.dismissError();
    this.clear();
    this.busy = true;
    try {
      this.#show(await call());
      return true;
    } catch (error) {
      if (isSessionEnded(error)) {
        session.expire('server');
        return false;
      }
      this.error = describeError(error);
      this.errorCode = error instanceof ApiError ? error.code : null;
      return false;
    } finally {
      this.busy = false;
    }
  }

  #show(credentials: CredentialBundle): void {
    this.credentials = credentials;
    this.profile = credentials.profile;
    this.expiredNotice = null;
    const expiresAt = Date.parse(credentials.expiration);
    this.#expiryTimer = setTimeout(() => this.#expire(expiresAt), Math.max(0, expiresAt - Date.now()));
  }

  #expire(expiresAt: number): void {
    // A timer can fire early after the machine slept or clocks moved; check before dropping.
    const remaining = expiresAt - Date.now();
    if (remaining > 0) {
      this.#expiryTimer = setTimeout(() => this.#expire(expiresAt), remaining);
      return;
    }
    this.clear();
    this.expiredNotice = `Those credentials expired at ${formatClockTime(new Date(expiresAt))} and were cleared from the page.`;
  }
}
