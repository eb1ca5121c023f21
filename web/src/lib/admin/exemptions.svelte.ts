import {
  type ExemptionList,
  getExemptions,
  grantExemption,
  type ListedExemption,
  revokeExemption,
} from '../api/admin-cis-service.ts';
import { Loadable } from '../loadable.svelte.ts';
import { activeByUser, splitByExpiry, startOfLocalDate } from './exemption-rules.ts';

/** The longest exemption before the list has said (the server's MAX_EXEMPTION_DAYS; it checks). */
const DEFAULT_MAX_DAYS = 366;

/** One grant form (a user's row in the compliance list): what the admin typed and the answer. */
export class ExemptionDraft {
  readonly #save = new Loadable<boolean>(false);
  reason = $state('');
  /** YYYY-MM-DD, as the date field writes it. */
  expiresOn = $state('');

  constructor(expiresOn: string) {
    this.expiresOn = expiresOn;
  }

  get saving(): boolean {
    return this.#save.loading;
  }
  get error(): string | null {
    return this.#save.error;
  }
  run(call: () => Promise<void>): Promise<boolean> {
    return this.#save.run(async () => {
      await call();
      return true;
    });
  }
}

/**
 * Exemptions from "keys work without MFA": the list (current and expired), granting one from a
 * user's row and ending one. `changes` counts grants and revocations, so the CIS table (whose
 * exempt counts the server updates at once) can be read again.
 */
export class ExemptionsState {
  readonly #list = new Loadable<ExemptionList | null>(null, getExemptions);
  readonly #revoke = new Loadable<string | null>(null);
  /** Open grant forms, by user name. */
  drafts = $state<Record<string, ExemptionDraft>>({});
  changes = $state(0);
  /** The user whose exemption was just granted (the row says so until the next change). */
  granted = $state<string | null>(null);
  readonly split = $derived(splitByExpiry(this.#list.data));
  readonly #active = $derived(activeByUser(this.#list.data));

  get list(): ExemptionList | null {
    return this.#list.data;
  }
  get maxDays(): number {
    return this.#list.data?.maxDays ?? DEFAULT_MAX_DAYS;
  }
  get loading(): boolean {
    return this.#list.loading;
  }
  get error(): string | null {
    return this.#list.error;
  }
  get revokeError(): string | null {
    return this.#revoke.error;
  }
  /** The user whose exemption was just ended (for the status line). */
  get revoked(): string | null {
    return this.#revoke.data;
  }
  get revoking(): boolean {
    return this.#revoke.loading;
  }

  activeFor(userName: string): ListedExemption | undefined {
    return this.#active.get(userName.toLowerCase());
  }

  load(): Promise<boolean> {
    return this.#list.load();
  }

  #loadedFor: string | null | undefined;
  /** Reads the list again when the dashboard shows another scan, so both describe the same one. */
  async loadFor(scanId: string | null): Promise<void> {
    if (this.#loadedFor === scanId) return;
    this.#loadedFor = scanId;
    await this.#list.load();
  }

  openDraft(userName: string, expiresOn: string): void {
    this.drafts[userName] ??= new ExemptionDraft(expiresOn);
    if (this.granted === userName) this.granted = null;
  }

  closeDraft(userName: string): void {
    delete this.drafts[userName];
  }

  /** Sends the form; the server checks the reason and expiry and its 4xx message is shown as is. */
  async grant(userName: string): Promise<boolean> {
    const draft = this.drafts[userName];
    if (!draft) return false;
    const done = await draft.run(async () => {
      // An unreadable date is sent as it is typed: the server answers why it is refused.
      const expiresAt = startOfLocalDate(draft.expiresOn)?.toISOString() ?? draft.expiresOn;
      await grantExemption(userName, { reason: draft.reason, expiresAt });
    });
    if (done) {
      this.changes += 1;
      this.granted = userName;
      this.closeDraft(userName);
      await this.#list.load();
    }
    return done;
  }

  async revoke(userName: string): Promise<boolean> {
    const done = await this.#revoke.run(async () => {
      await revokeExemption(userName);
      return userName;
    });
    if (done) {
      this.changes += 1;
      if (this.granted === userName) this.granted = null;
    }
    // Also after a 404 (another admin ended it first): show the list as it now is.
    await this.#list.load();
    return done;
  }
}
