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
import { describeError, isSessionEnded } from '../api/error-text.ts';
import { session } from '../session.svelte.ts';
import { CursorTrail } from './cursor-trail.svelte.ts';

const PAGE_SIZE = 25;
const SCAN_POLL_MS = 1000;

/** What the admin did for one user from the table: a setup link to hand over, or an enrollment. */
export interface Remediation {
  busy: boolean;
  link: SetupLink | null;
  enrolled: boolean;
  /** From the enrollment: 'yes' means the user's keys work without MFA (a warning). */
  keysWithoutMfa: Enrollment['keysWithoutMfa'] | null;
  error: string | null;
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
  page = $state.raw<CompliancePage | null>(null);
  history = $state.raw<HistoryPoint[]>([]);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);
  scan = $state.raw<ScanProgress | null>(null);
  scanError = $state<string | null>(null);
  remediation = $state<Record<string, Remediation>>({});
  readonly pages = new CursorTrail((cursor) => this.#loadPage(cursor));
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  readonly query = $derived({ filter: this.filter || undefined, q: this.#appliedSearch || undefined, sort: this.sort });
  readonly scanning = $derived(this.scan?.status === 'running');

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
    this.scanError = null;
    try {
      const result = await startScan(session.csrfToken);
      this.scan = result.scan;
      // A small account can be scanned before the answer arrives: then show the new snapshot now.
      if (this.scan?.status === 'running') this.#pollScan();
      else await Promise.all([this.reload(), this.#loadHistory()]);
    } catch (error) {
      this.scanError = this.#problem(error);
    }
  }

  async createLink(userName: string): Promise<void> {
    await this.#remediate(userName, async (entry) => {
      entry.link = await createSetupLink(userName, session.csrfToken);
    });
  }

  async enroll(userName: string): Promise<void> {
    await this.#remediate(userName, async (entry) => {
      entry.keysWithoutMfa = (await enrollUser(userName, session.csrfToken)).keysWithoutMfa;
      entry.enrolled = true;
      await this.pages.reload();
    });
  }

  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#pollTimer);
  }

  async #remediate(userName: string, action: (entry: Remediation) => Promise<void>): Promise<void> {
    this.remediation[userName] ??= { busy: false, link: null, enrolled: false, keysWithoutMfa: null, error: null };
    const entry = this.remediation[userName];
    entry.busy = true;
    entry.error = null;
    try {
      await action(entry);
    } catch (error) {
      entry.error = this.#problem(error);
    } finally {
      entry.busy = false;
    }
  }

  async #loadPage(cursor: string | undefined): Promise<boolean> {
    this.status = 'loading';
    try {
      this.page = await getCompliance({ ...this.query, limit: PAGE_SIZE, cursor });
      this.error = null;
      this.status = 'ready';
      return true;
    } catch (error) {
      this.error = this.#problem(error);
      this.status = 'error';
      return false;
    }
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
    try {
      this.scan = (await getScan()).scan;
      if (this.scan?.status === 'running') this.#pollScan();
    } catch (error) {
      this.scanError = this.#problem(error);
    }
  }

  #pollScan(): void {
    clearTimeout(this.#pollTimer);
    if (this.#disposed || this.scan?.status !== 'running') return;
    this.#pollTimer = setTimeout(async () => {
      try {
        this.scan = (await getScan()).scan;
      } catch (error) {
        this.scanError = this.#problem(error);
        return;
      }
      if (this.scan?.status === 'running') this.#pollScan();
      else await Promise.all([this.reload(), this.#loadHistory()]);
    }, SCAN_POLL_MS);
  }

  #problem(error: unknown): string {
    if (isSessionEnded(error)) session.expire('server');
    return describeError(error);
  }
}
