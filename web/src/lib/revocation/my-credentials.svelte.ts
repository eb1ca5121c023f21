import { listMyCredentials, type OutstandingCredential } from '../api/revocation-service.ts';
import { Loadable } from '../loadable.svelte.ts';
import { session } from '../session.svelte.ts';

/** "Your AWS credentials": what the portal gave the user that may still work, and revoking all of it. */
export class MyCredentialsState {
  readonly #list = new Loadable<OutstandingCredential[]>([], async () => (await listMyCredentials()).credentials);
  readonly #revoke = new Loadable<null>(null);

  get credentials(): OutstandingCredential[] {
    return this.#list.data;
  }
  get status() {
    return this.#list.status;
  }
  get error(): string | null {
    return this.#revoke.error ?? this.#list.error;
  }
  get busy(): boolean {
    return this.#revoke.loading;
  }

  async load(): Promise<void> {
    await this.#list.load();
  }

  async revokeAll(): Promise<void> {
    await this.#revoke.run(async () => {
      await session.revokeAwsSessions();
      return null;
    });
  }
}
