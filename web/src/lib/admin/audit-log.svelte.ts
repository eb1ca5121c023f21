import {
  type AuditEvent,
  type AuditFilters,
  type AuditOutcome,
  auditExportUrl,
  type ChainCheck,
  getAuditPage,
  verifyAuditChain,
} from '../api/admin-audit-service.ts';
import { type CatalogRole, listCatalogRoles } from '../api/admin-roles-service.ts';
import { Loadable, type LoadStatus } from '../loadable.svelte.ts';
import { CursorTrail } from './cursor-trail.svelte.ts';

/** The actions the portal records (server/src/services/audit/audit-events.ts), in words. */
export const AUDIT_ACTIONS: Array<{ value: string; label: string }> = [
  { value: 'session.sign_in', label: 'Sign-in' },
  { value: 'session.sign_out', label: 'Sign-out' },
  { value: 'session.sign_out_everywhere', label: 'Signed out everywhere' },
  { value: 'session.credentials', label: 'MFA session credentials' },
  { value: 'credentials.issue', label: 'Role credentials issued' },
  { value: 'credentials.process', label: 'CLI credentials (credential_process)' },
  { value: 'cli_token.create', label: 'CLI token created' },
  { value: 'cli_token.revoke', label: 'CLI token revoked' },
  { value: 'custody.enroll', label: 'Enrolled in portal' },
  { value: 'custody.unenroll', label: 'Unenrolled' },
  { value: 'custody.rotate_key', label: 'Access key rotated' },
  { value: 'custody.rotate_master_key', label: 'Master key rotated' },
  { value: 'catalog.role_add', label: 'Role added to catalog' },
  { value: 'catalog.role_update', label: 'Role changed in catalog' },
  { value: 'catalog.role_remove', label: 'Role removed from catalog' },
  { value: 'compliance.scan_start', label: 'Compliance scan started' },
  { value: 'mfa_setup.link_create', label: 'MFA setup link created' },
  { value: 'mfa_setup.device_create', label: 'MFA setup link opened' },
  { value: 'mfa_setup.complete', label: 'MFA setup completed' },
  { value: 'abuse.lockout_lift', label: 'Sign-in lockout lifted' },
];

/** The filter form's fields, as typed (datetime-local values are local times). */
export interface AuditForm {
  actor: string;
  roleArn: string;
  action: string;
  outcome: AuditOutcome | '';
  from: string;
  to: string;
}

export const emptyAuditForm = (): AuditForm => ({ actor: '', roleArn: '', action: '', outcome: '', from: '', to: '' });

const isoFromLocal = (value: string): string | undefined => {
  if (value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

/** The API's filters from the form: empty fields are left out. */
export function filtersFromForm(form: AuditForm): AuditFilters {
  return {
    actor: form.actor.trim() || undefined,
    roleArn: form.roleArn || undefined,
    action: form.action || undefined,
    outcome: form.outcome || undefined,
    from: isoFromLocal(form.from),
    to: isoFromLocal(form.to),
  };
}

type AuditPage = Awaited<ReturnType<typeof getAuditPage>>;

/** The audit log screen: applied filters, one page of events, cursor paging, the chain check. */
export class AuditLogState {
  form = $state<AuditForm>(emptyAuditForm());
  applied = $state.raw<AuditFilters>({});
  roles = $state.raw<CatalogRole[]>([]);
  pageSize = $state(50);
  readonly #page = new Loadable<AuditPage, [cursor: string | undefined]>({ events: [], nextCursor: null }, (cursor) =>
    getAuditPage(this.applied, this.pageSize, cursor),
  );
  readonly #chain = new Loadable<ChainCheck | null>(null, verifyAuditChain);
  readonly pages = new CursorTrail((cursor) => this.#page.load(cursor));
  readonly csvUrl = $derived(auditExportUrl('csv', this.applied));
  readonly jsonUrl = $derived(auditExportUrl('json', this.applied));

  get events(): AuditEvent[] {
    return this.#page.data.events;
  }

  get nextCursor(): string | null {
    return this.#page.data.nextCursor;
  }

  get status(): LoadStatus {
    return this.#page.status;
  }

  get error(): string | null {
    return this.#page.error;
  }

  get chain(): ChainCheck | null {
    return this.#chain.data;
  }

  get chainError(): string | null {
    return this.#chain.error;
  }

  async start(): Promise<void> {
    await Promise.all([this.pages.first(), this.verify(), this.#loadRoles()]);
  }

  async apply(): Promise<void> {
    this.applied = filtersFromForm(this.form);
    await this.pages.first();
  }

  async clear(): Promise<void> {
    this.form = emptyAuditForm();
    await this.apply();
  }

  nextPage(): Promise<void> {
    return this.pages.next(this.nextCursor);
  }

  previousPage(): Promise<void> {
    return this.pages.previous();
  }

  async verify(): Promise<void> {
    await this.#chain.load();
  }

  async #loadRoles(): Promise<void> {
    try {
      this.roles = (await listCatalogRoles()).roles;
    } catch {
      // Without the catalog the role filter offers "Any role" only.
      this.roles = [];
    }
  }
}
