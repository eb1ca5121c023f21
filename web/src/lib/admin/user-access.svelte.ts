import { type CliToken, listUserTokens, revokeUserToken, unenrollUser } from '../api/devices-service.ts';
import { describeError, isSessionEnded } from '../api/error-text.ts';
import { session } from '../session.svelte.ts';

/** The admin's view of one user's access: their CLI tokens, revoking one, and unenrolling the user. */
export class UserAccessState {
  userName = $state<string | null>(null);
  tokens = $state.raw<CliToken[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  busy = $state(false);
  /** The last change, in words, announced to screen readers. */
  message = $state<string | null>(null);

  async load(userName: string): Promise<void> {
    this.userName = userName;
    this.status = 'loading';
    this.message = null;
    await this.#refresh();
  }

  async revoke(id: string): Promise<void> {
    const userName = this.userName;
    if (userName === null) return;
    await this.#change(async () => {
      await revokeUserToken(userName, id, session.csrfToken);
      this.message = `Revoked a token of ${userName}.`;
    });
  }

  async unenroll(): Promise<void> {
    const userName = this.userName;
    if (userName === null) return;
    await this.#change(async () => {
      const { ended } = await unenrollUser(userName, session.csrfToken);
      this.message = `Unenrolled ${userName}: deleted the portal's key and ended ${ended.webSessions} browser sessions, ${ended.mfaSessions} MFA sessions and ${ended.cliTokens} CLI tokens.`;
    });
  }

  async #refresh(): Promise<void> {
    if (this.userName === null) return;
    try {
      this.tokens = (await listUserTokens(this.userName)).tokens;
      this.error = null;
      this.status = 'ready';
    } catch (error) {
      this.error = this.#problem(error);
      this.status = 'error';
    }
  }

  async #change(action: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.message = null;
    try {
      await action();
      await this.#refresh();
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
