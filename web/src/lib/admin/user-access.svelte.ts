import { listUserTokens, revokeUserToken, unenrollUser } from '../api/devices-service.ts';
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
      return `Revoked a token of ${userName}.`;
    }, [userName]);
  }

  async unenroll(): Promise<void> {
    const userName = this.userName;
    if (userName === null) return;
    await this.change(async () => {
      const { ended } = await unenrollUser(userName);
      return `Unenrolled ${userName}: deleted the portal's key and ended ${ended.webSessions} browser sessions, ${ended.mfaSessions} MFA sessions and ${ended.cliTokens} CLI tokens.`;
    }, [userName]);
  }
}
