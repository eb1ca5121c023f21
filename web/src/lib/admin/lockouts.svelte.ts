import { type Lockout, liftLockout, listLockouts } from '../api/admin-lockouts-service.ts';
import { describeError, isSessionEnded } from '../api/error-text.ts';
import { session } from '../session.svelte.ts';

/** Who is locked out of signing in by the MFA attempt budgets, and lifting a lockout. */
export class LockoutsState {
  lockouts = $state.raw<Lockout[]>([]);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);
  /** The key being lifted, while its request runs. */
  lifting = $state<string | null>(null);
  /** The last change, in words, announced to screen readers. */
  message = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      this.lockouts = (await listLockouts()).lockouts;
      this.error = null;
      this.status = 'ready';
    } catch (error) {
      this.error = this.#problem(error);
      this.status = 'error';
    }
  }

  async lift(lockout: Lockout, description: string): Promise<void> {
    this.lifting = lockout.key;
    this.message = null;
    try {
      await liftLockout(lockout.key, session.csrfToken);
      this.message = `Lifted the lockout of ${description}.`;
      await this.load();
    } catch (error) {
      this.error = this.#problem(error);
    } finally {
      this.lifting = null;
    }
  }

  #problem(error: unknown): string {
    if (isSessionEnded(error)) session.expire('server');
    return describeError(error);
  }
}
