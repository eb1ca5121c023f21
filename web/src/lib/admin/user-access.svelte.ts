import { type CliToken, listUserTokens, revokeUserToken, unenrollUser } from '../api/devices-service.ts';
import { Loadable } from '../loadable.svelte.ts';

/** The admin's view of one user's access: their CLI tokens, revoking one, and unenrolling the user. */
export class UserAccessState {
  userName = $state<string | null>(null);
  readonly #tokens = new Loadable<CliToken[], [string]>(
    [],
    async (userName) => (await listUserTokens(userName)).tokens,
  );
  /** The last change; its data is what it did, in words, announced to screen readers. */
  readonly #change = new Loadable<string | null>(null);

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

  async load(userName: string): Promise<void> {
    this.userName = userName;
    this.#change.reset();
    await this.#tokens.load(userName);
  }

  async revoke(id: string): Promise<void> {
    await this.#changeThenRefresh(async (userName) => {
      await revokeUserToken(userName, id);
      return `Revoked a token of ${userName}.`;
    });
  }

  async unenroll(): Promise<void> {
    await this.#changeThenRefresh(async (userName) => {
      const { ended } = await unenrollUser(userName);
      return `Unenrolled ${userName}: deleted the portal's key and ended ${ended.webSessions} browser sessions, ${ended.mfaSessions} MFA sessions and ${ended.cliTokens} CLI tokens.`;
    });
  }

  async #changeThenRefresh(action: (userName: string) => Promise<string>): Promise<void> {
    const userName = this.userName;
    if (userName === null) return;
    if (await this.#change.run(() => action(userName))) await this.#tokens.load(userName);
  }
}
