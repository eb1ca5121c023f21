import {
  type AlertDeliveryList,
  type CisFailingPage,
  type CisResults,
  type ForceMfaPolicy,
  getAlertDeliveries,
  getCisFailing,
  getCisResults,
  getForceMfaPolicy,
  type RequireMfaResult,
  requireMfa,
} from '../api/admin-cis-service.ts';
import { Loadable } from '../loadable.svelte.ts';

/** The CIS table, the users failing the check an admin opened, and "Require MFA for this user's keys". */
export class CisState {
  readonly #results = new Loadable<CisResults | null>(null, getCisResults);
  readonly #failing = new Loadable<CisFailingPage | null, [string, string?]>(null, getCisFailing);
  readonly #deliveries = new Loadable<AlertDeliveryList['deliveries']>(
    [],
    async () => (await getAlertDeliveries()).deliveries,
  );
  readonly #policy = new Loadable<ForceMfaPolicy | null>(null, getForceMfaPolicy);
  readonly #fix = new Loadable<RequireMfaResult | null>(null);
  /** The check whose failing users are shown. */
  opened = $state<string | null>(null);
  /** The user whose keys the admin is about to make require MFA (the document is shown first). */
  reviewing = $state<string | null>(null);

  get results(): CisResults | null {
    return this.#results.data;
  }
  get failing(): CisFailingPage | null {
    return this.#failing.data;
  }
  get failedDeliveries(): AlertDeliveryList['deliveries'] {
    return this.#deliveries.data.filter((d) => d.status === 'failed');
  }
  get policy(): ForceMfaPolicy | null {
    return this.#policy.data;
  }
  get fixResult(): RequireMfaResult | null {
    return this.#fix.data;
  }
  get fixing(): boolean {
    return this.#fix.loading;
  }
  get error(): string | null {
    return this.#fix.error ?? this.#policy.error ?? this.#failing.error ?? this.#results.error;
  }

  async load(): Promise<void> {
    await Promise.all([this.#results.load(), this.#deliveries.load()]);
  }

  async open(check: string, cursor?: string): Promise<void> {
    this.opened = check;
    this.reviewing = null;
    await this.#failing.load(check, cursor);
  }

  async review(userName: string): Promise<void> {
    this.reviewing = userName;
    if (!this.#policy.data) await this.#policy.load();
  }

  async apply(userName: string): Promise<void> {
    const done = await this.#fix.run(() => requireMfa(userName));
    if (!done) return;
    this.reviewing = null;
    await this.#results.load();
    if (this.opened) await this.#failing.load(this.opened);
  }
}
