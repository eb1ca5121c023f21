import {
  type ComplianceFilter,
  type CompliancePage,
  type ComplianceSort,
  createSetupLink,
  type Enrollment,
  enrollUser,
  getCompliance,
  getHistory,
  getScan,
  type HistoryPoint,
  type ScanProgress,
  type SetupLink,
  startScan,
} from '../api/admin-compliance-service.ts';
import { Loadable, type LoadStatus } from '../loadable.svelte.ts';
import { CursorTrail } from './cursor-trail.svelte.ts';

const PAGE_SIZE = 25;
const SCAN_POLL_MS = 1000;

/** What the admin did for one user from the table: a setup link to hand over, or an enrollment. */
export class Remediation {
  readonly #action = new Loadable<void>(undefined);
  link = $state.raw<SetupLink | null>(null);
  /** From the enrollment: 'yes' means the user's keys work without MFA (a warning). */
  keysWorkWithoutMfa = $state<Enrollment['keysWorkWithoutMfa'] | null>(null);
  enrolled = $state(false);

  get busy(): boolean {
    return this.#action.loading;
  }

  get error(): string | null {
    return this.#action.error;
  }

  run(action: () => Promise<void>): Promise<boolean> {
    return this.#action.run(action);
  }
}

/**
 * The compliance dashboard: the latest snapshot's summary, one page of users for the current
 * filter, search and sort, the scan trend, a running scan's progress, and remediation results.
 */
export class ComplianceState {
  filter = $state<ComplianceFilter | ''>('');
  /** The search box as typed; it applies with the next reload (Search, a filter, a sort). */
  search = $state('');
  #appliedSearch = $state('');
  sort = $state<ComplianceSort>('userName');
  history = $state.raw<HistoryPoint[]>([]);
  remediation = $state<Record<string, Remediation>>({});
  readonly query = $derived({ filter: this.filter || undefined, q: this.#appliedSearch || undefined, sort: this.sort });
  readonly #page = new Loadable<CompliancePage | null, [cursor: string | undefined]>(null, (cursor) =>
    getCompliance({ ...this.query, limit: PAGE_SIZE, cursor }),
  );
  readonly #scan = new Loadable<ScanProgress | null>(null, async () => (await getScan()).scan);
  readonly pages = new CursorTrail((cursor) => this.#page.load(cursor));
  readonly scanning = $derived(this.scan?.status === 'running');
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  get page(): CompliancePage | null {
    return this.#page.data;
  }

  get status(): LoadStatus {
    return this.#page.status;
  }

  get error(): string | null {
    return this.#page.error;
  }

  get scan(): ScanProgress | null {
    return this.#scan.data;
  }

  get scanError(): string | null {
    return this.#scan.error;
  }

  async start(): Promise<void> {
    await Promise.all([this.pages.first(), this.#loadHistory(), this.#watchScan()]);
  }

  /** Back to the first page for a new filter, search or sort. */
  async reload(): Promise<void> {
    this.#appliedSearch = this.search.trim();
    await this.pages.first();
  }

  nextPage(): Promise<void> {
    return this.pages.next(this.page?.nextCursor);
  }

  previousPage(): Promise<void> {
    return this.pages.previous();
  }

  async scanNow(): Promise<void> {
    if (!(await this.#scan.run(async () => (await startScan()).scan))) return;
    // A small account can be scanned before the answer arrives: then show the new snapshot now.
    if (this.scan?.status === 'running') this.#pollScan();
    else await Promise.all([this.reload(), this.#loadHistory()]);
  }

  async createLink(userName: string): Promise<void> {
    const entry = this.#remediationFor(userName);
    await entry.run(async () => {
      entry.link = await createSetupLink(userName);
    });
  }

  async enroll(userName: string): Promise<void> {
    const entry = this.#remediationFor(userName);
    await entry.run(async () => {
      entry.keysWorkWithoutMfa = (await enrollUser(userName)).keysWorkWithoutMfa;
      entry.enrolled = true;
      await this.pages.reload();
    });
  }

  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#pollTimer);
  }

  #remediationFor(userName: string): Remediation {
    this.remediation[userName] ??= new Remediation();
    return this.remediation[userName];
  }

  async #loadHistory(): Promise<void> {
    try {
      this.history = (await getHistory()).points;
    } catch {
      // The trend is a nicety: the figures and the table still work without it.
      this.history = [];
    }
  }

  async #watchScan(): Promise<void> {
    if ((await this.#scan.load()) && this.scan?.status === 'running') this.#pollScan();
  }

  #pollScan(): void {
    clearTimeout(this.#pollTimer);
    if (this.#disposed || this.scan?.status !== 'running') return;
    this.#pollTimer = setTimeout(async () => {
      if (!(await this.#scan.load())) return;
      if (this.scan?.status === 'running') this.#pollScan();
      else await Promise.all([this.reload(), this.#loadHistory()]);
    }, SCAN_POLL_MS);
  }
}
