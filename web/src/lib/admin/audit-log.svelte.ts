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
import { describeError, isSessionEnded } from '../api/error-text.ts';
import { session } from '../session.svelte.ts';
import { CursorTrail } from './cursor-trail.svelte.ts';

/** The actions the portal records (server/src/services/audit/audit-events.ts), in words. */
export const AUDIT_ACTIONS: Array<{ value: string; label: string }> = [
  { value: 'session.sign_in', label: 'Sign-in' },
  { value: 'session.sign_out', label: 'Sign-out' },
  { value: 'session.credentials', label: 'MFA session credentials' },
  { value: 'credentials.issue', label: 'Role credentials issued' },
  { value: 'credentials.process', label: 'CLI credentials (credential_process)' },
  { value: 'cli_token.create', label: 'CLI token created' },
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

/** The audit log screen: applied filters, one page of events, cursor paging, the chain check. */
export class AuditLogState {
  form = $state<AuditForm>(emptyAuditForm());
  applied = $state.raw<AuditFilters>({});
  events = $state.raw<AuditEvent[]>([]);
  nextCursor = $state<string | null>(null);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);
  chain = $state.raw<ChainCheck | null>(null);
  chainError = $state<string | null>(null);
  roles = $state.raw<CatalogRole[]>([]);
  pageSize = $state(50);
  readonly pages = new CursorTrail((cursor) => this.#load(cursor));
  readonly csvUrl = $derived(auditExportUrl('csv', this.applied));
  readonly jsonUrl = $derived(auditExportUrl('json', this.applied));

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
    this.chainError = null;
    try {
      this.chain = await verifyAuditChain();
    } catch (error) {
      this.chainError = this.#problem(error);
    }
  }

  async #load(cursor: string | undefined): Promise<boolean> {
    this.status = 'loading';
    try {
      const page = await getAuditPage(this.applied, this.pageSize, cursor);
      this.events = page.events;
      this.nextCursor = page.nextCursor;
      this.error = null;
      this.status = 'ready';
      return true;
    } catch (error) {
      this.error = this.#problem(error);
      this.status = 'error';
      return false;
    }
  }

  async #loadRoles(): Promise<void> {
    try {
      this.roles = (await listCatalogRoles()).roles;
    } catch {
      // Without the catalog the role filter offers "Any role" only.
      this.roles = [];
    }
  }

  #problem(error: unknown): string {
    if (isSessionEnded(error)) session.expire('server');
    return describeError(error);
  }
}
