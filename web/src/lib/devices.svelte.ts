import { listMyTokens, revokeMyToken } from './api/devices-service.ts';
import { t } from './i18n/i18n.ts';
import { session } from './session.svelte.ts';
import { TokenList } from './token-list.svelte.ts';

/** "Devices and tokens": the signed-in user's CLI tokens and revoking them. */
export class DevicesState extends TokenList<[]> {
  constructor() {
    super(async () => (await listMyTokens()).tokens);
  }

  /** Loading until the first answer (the page loads on arrival). */
  override get status(): 'loading' | 'ready' | 'error' {
    const status = super.status;
    return status === 'idle' ? 'loading' : status;
  }

  async revoke(id: string): Promise<void> {
    await this.change(async () => {
      await revokeMyToken(id);
      return t('devices.revoked');
    }, []);
  }

  /** Ends every session and token of the user, this browser's included (the page then shows sign-in). */
  async signOutEverywhere(): Promise<void> {
    await this.change(async () => {
      await session.signOutEverywhere();
      return null;
    }, null);
  }
}
