import { type Lockout, liftLockout, listLockouts } from '../api/admin-lockouts-service.ts';
import { t } from '../i18n/i18n.ts';
import { Loadable } from '../loadable.svelte.ts';

/** Who is locked out of signing in by the MFA attempt budgets, and lifting a lockout. */
export class LockoutsState {
  readonly #list = new Loadable<Lockout[]>([], async () => (await listLockouts()).lockouts);
  /** The last lift; its data is what it did, in words, announced to screen readers. */
  readonly #change = new Loadable<string | null>(null);
  /** The key being lifted, while its request runs. */
  lifting = $state<string | null>(null);

  get lockouts(): Lockout[] {
    return this.#list.data;
  }
  /** Loading until the first answer (the panel loads on arrival). */
  get status(): 'loading' | 'ready' | 'error' {
    return this.#list.status === 'idle' ? 'loading' : this.#list.status;
  }
  get error(): string | null {
    return this.#change.error ?? this.#list.error;
  }
  get message(): string | null {
    return this.#change.data;
  }

  async load(): Promise<void> {
    await this.#list.load();
  }

  async lift(lockout: Lockout, description: string): Promise<void> {
    this.lifting = lockout.key;
    try {
      const lifted = await this.#change.run(async () => {
        await liftLockout(lockout.key);
        return t('lockouts.lifted', { who: description });
      });
      if (lifted) await this.load();
    } finally {
      this.lifting = null;
    }
  }
}
