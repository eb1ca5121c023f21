import { listUserTokens, revokeUserToken, unenrollUser } from '../api/devices-service.ts';
import { t } from '../i18n/i18n.ts';
import { TokenList } from '../token-list.svelte.ts';

/** The admin's view of one user's access: their CLI tokens, revoking one, and unenrolling the user. */
export class UserAccessState extends TokenList<[string]> {
  userName = $state<string | null>(null);

  constructor() {
    super(async (userName) => (await listUserTokens(userName)).tokens);
  }

  override async load(userName: string): Promise<void> {
    this.userName = userName;
    this.forgetChange();
    await super.load(userName);
  }

  async revoke(id: string): Promise<void> {
    const userName = this.userName;
    if (userName === null) return;
    await this.change(async () => {
      await revokeUserToken(userName, id);
      return t('access.tokenRevoked', { user: userName });
    }, [userName]);
  }

  async unenroll(): Promise<void> {
    const userName = this.userName;
    if (userName === null) return;
    await this.change(async () => {
      const { ended } = await unenrollUser(userName);
      return t('access.unenrolled', {
        user: userName,
        webSessions: ended.webSessions,
        mfaSessions: ended.mfaSessions,
        cliTokens: ended.cliTokens,
      });
    }, [userName]);
  }
}
