import { type CliToken, listMyTokens, revokeMyToken } from './api/devices-service.ts';
import { Loadable } from './loadable.svelte.ts';
import { session } from './session.svelte.ts';

/** "Devices and tokens": the signed-in user's CLI tokens and revoking them. */
export class DevicesState {
  readonly #tokens = new Loadable<CliToken[]>([], async () => (await listMyTokens()).tokens);
  /** The last change; its data is what it did, in words, announced to screen readers. */
  readonly #change = new Loadable<string | null>(null);

  get tokens(): CliToken[] {
    return this.#tokens.data;
  }
  /** Loading until the first answer (the page loads on arrival). */
  get status(): 'loading' | 'ready' | 'error' {
    return this.#tokens.status === 'idle' ? 'loading' : this.#tokens.status;
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

  async load(): Promise<void> {
    await this.#tokens.load();
  }

  async revoke(id: string): Promise<void> {
    const revoked = await this.#change.run(async () => {
      await revokeMyToken(id);
      return 'Token revoked. The AWS CLI on that device needs a new token (and a new code).';
    });
    if (revoked) await this.load();
  }

  /** Ends every session and token of the user, this browser's included (the page then shows sign-in). */
  async signOutEverywhere(): Promise<void> {
    await this.#change.run(async () => {
      await session.signOutEverywhere();
      return null;
    });
  }
}
