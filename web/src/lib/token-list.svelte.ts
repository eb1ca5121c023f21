import type { CliToken } from './api/devices-service.ts';
import { Loadable } from './loadable.svelte.ts';

/**
 * A list of CLI tokens and the changes made to it (revoke, unenroll, sign out everywhere): what
 * "Devices and tokens" and the admin's "User access" both show. A change that works reloads the list.
 */
export class TokenList<Args extends unknown[]> {
  readonly #tokens: Loadable<CliToken[], Args>;
  /** The last change; its data is what it did, in words, announced to screen readers. */
  readonly #change = new Loadable<string | null>(null);

  constructor(fetch: (...args: Args) => Promise<CliToken[]>) {
    this.#tokens = new Loadable<CliToken[], Args>([], fetch);
  }

  get tokens(): CliToken[] {
    return this.#tokens.data;
  }
  get status(): 'idle' | 'loading' | 'ready' | 'error' {
    return this.#tokens.status;
  }
  get error(): string | null {
    return this.#change.error ?? this.#tokens.error;
  }
  get busy(): boolean {
    return this.#change.loading;
  }
  get message(): string | null {
    return this.#change.data;
  }

  async load(...args: Args): Promise<void> {
    await this.#tokens.load(...args);
  }

  /** Runs a change (its result is the message to show), then reloads the list with `args`. */
  async change(action: () => Promise<string | null>, reloadWith: Args | null): Promise<void> {
    if ((await this.#change.run(action)) && reloadWith) await this.#tokens.load(...reloadWith);
  }

  forgetChange(): void {
    this.#change.reset();
  }
}
