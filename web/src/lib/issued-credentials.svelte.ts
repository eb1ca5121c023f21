import {
  type CredentialBundle,
  type CredentialFormat,
  getRoleCredentials,
  getSessionCredentials,
  type RoleCredentialsRequest,
} from './api/credentials-service.ts';
import { t } from './i18n/i18n.ts';
import { Loadable } from './loadable.svelte.ts';
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
  readonly #issued = new Loadable<CredentialBundle | null>(null);
  /** The profile name the user edits; the server's default until they change it. */
  profile = $derived(this.#issued.data?.profile ?? '');
  profileProblem = $derived(profileNameProblem(this.profile));
  expiresAt = $derived(this.credentials === null ? null : new Date(this.credentials.expiration));
  /** Set when credentials were dropped because they expired. */
  expiredNotice = $state<string | null>(null);

  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #stopListening: () => void;

  constructor() {
    this.#stopListening = session.onEnd(() => this.clear());
  }

  get credentials(): CredentialBundle | null {
    return this.#issued.data;
  }

  get busy(): boolean {
    return this.#issued.loading;
  }

  get error(): string | null {
    return this.#issued.error;
  }

  /** True when the last error says a fresh MFA code would help. */
  get suggestsNewCode(): boolean {
    const code = this.#issued.errorCode;
    return code !== null && NEEDS_NEW_CODE.has(code);
  }

  /** The body of a format with the user's profile name in its section header. */
  bodyFor(format: CredentialFormat): string | undefined {
    const rendered = this.credentials?.formats[format];
    if (rendered === undefined) return undefined;
    return this.profileProblem === null ? withProfileName(format, rendered.body, this.profile) : rendered.body;
  }

  requestRole(request: RoleCredentialsRequest): Promise<boolean> {
    return this.#request(() => getRoleCredentials(request));
  }

  requestSession(): Promise<boolean> {
    return this.#request(() => getSessionCredentials());
  }

  /** Drops the credentials (and a request still on its way: its answer is not shown). */
  clear(): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    this.#issued.reset();
  }

  dismissError(): void {
    if (this.#issued.status === 'error') this.#issued.reset();
  }

  dispose(): void {
    this.clear();
    this.#stopListening();
  }

  async #request(call: () => Promise<CredentialBundle>): Promise<boolean> {
    this.clear();
    const issued = await this.#issued.run(call);
    if (issued && this.#issued.data !== null) this.#show(this.#issued.data);
    return issued;
  }

  #show(credentials: CredentialBundle): void {
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
    this.expiredNotice = t('credentials.expired', { time: formatClockTime(new Date(expiresAt)) });
  }
}
