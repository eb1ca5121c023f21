import { type CliToken, listMyTokens, revokeMyToken } from './api/devices-service.ts';
import { describeError, isSessionEnded } from './api/error-text.ts';
import { session } from './session.svelte.ts';

/** "Devices and tokens": the signed-in user's CLI tokens and revoking them. */
export class DevicesState {
  tokens = $state.raw<CliToken[]>([]);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);
  busy = $state(false);
  /** The last change, in words, announced to screen readers. */
  message = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      this.tokens = (await listMyTokens()).tokens;
      this.error = null;
      this.status = 'ready';
    } catch (error) {
      this.error = this.#problem(error);
      this.status = 'error';
    }
  }

  async revoke(id: string): Promise<void> {
    this.busy = true;
    this.message = null;
    try {
      await revokeMyToken(id, session.csrfToken);
      this.message = 'Token revoked. The AWS CLI on that device needs a new token (and a new code).';
      await this.load();
    } catch (error) {
      this.error = this.#problem(error);
    } finally {
      this.busy = false;
    }
  }

  /** Ends every session and token of the user, this browser's included (the page then shows sign-in). */
  async signOutEverywhere(): Promise<void> {
    this.busy = true;
    try {
      await session.signOutEverywhere();
    } catch (error) {
      this.error = this.#problem(error);
    } finally {
      this.busy = false;
    }
  }

  #problem(error: unknown): string {
    if (isSessionEnded(error)) session.expire('server');
    return describeError(error);
  }
}
