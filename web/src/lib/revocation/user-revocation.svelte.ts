import { offboardUser, revokeUserAwsSessions } from '../api/revocation-service.ts';
import { t } from '../i18n/i18n.ts';
import { Loadable } from '../loadable.svelte.ts';
import { describeApplied } from './revocation-text.ts';

/** The admin's "Revoke AWS sessions" and "Offboard" for one user; `message` says what happened. */
export class UserRevocationState {
  readonly #change = new Loadable<string | null>(null);

  get busy(): boolean {
    return this.#change.loading;
  }
  get message(): string | null {
    return this.#change.data;
  }
  get error(): string | null {
    return this.#change.error;
  }

  forget(): void {
    this.#change.reset();
  }

  async revoke(userName: string): Promise<void> {
    await this.#change.run(async () => describeApplied(userName, (await revokeUserAwsSessions(userName)).applied));
  }

  async offboard(userName: string, options: { deactivateOtherKeys: boolean; deactivateMfaDevices: boolean }) {
    await this.#change.run(async () => {
      const result = await offboardUser(userName, options);
      if (result.status === 'done')
        return t('revoke.offboarded', {
          user: userName,
          extra:
            (options.deactivateOtherKeys ? t('revoke.offboardedKeys') : '') +
            (options.deactivateMfaDevices ? t('revoke.offboardedDevices') : ''),
        });
      const why = result.applied ? ` ${describeApplied(userName, result.applied)}` : '';
      return t('revoke.offboardStopped', { user: userName, step: result.step, why });
    });
  }
}
