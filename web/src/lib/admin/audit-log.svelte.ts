import type { AuditAction as AuditActionName } from '../../../../server/src/services/audit/audit-events.ts';
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

/**
 * Every action the portal records, in words. Typed by the server's list
 * (server/src/services/audit/audit-events.ts), so an action added there without words here does
 * not compile.
 */
const ACTION_LABELS: Record<AuditActionName, string> = {
  'session.sign_in': 'Sign-in',
  'session.sign_out': 'Sign-out',
  'session.sign_out_everywhere': 'Signed out everywhere',
  'session.credentials': 'MFA session credentials',
  'credentials.issue': 'Role credentials issued',
  'credentials.process': 'CLI credentials (credential_process)',
  'cli_token.create': 'CLI token created',
  'cli_token.revoke': 'CLI token revoked',
  'custody.enroll': 'Enrolled in portal',
  'custody.unenroll': 'Unenrolled',
  'custody.rotate_key': 'Access key rotated',
  'custody.rotate_master_key': 'Master key rotated',
  'catalog.role_add': 'Role added to catalog',
  'catalog.role_update': 'Role changed in catalog',
  'catalog.role_remove': 'Role removed from catalog',
  'compliance.scan_start': 'Compliance scan started',
  'mfa_setup.link_create': 'MFA setup link created',
  'mfa_setup.open': 'MFA setup link opened',
  'mfa_setup.device_create': 'MFA device created for a setup link',
  'mfa_setup.complete': 'MFA setup completed',
  'abuse.lockout_lift': 'Sign-in lockout lifted',
  'compliance.exemption_add': 'Exempted from "keys work without MFA"',
  'compliance.exemption_remove': 'Exemption ended',
  'remediation.require_mfa': "Required MFA for a user's keys",
  'alert.queued': 'Alert queued',
  'alert.delivered': 'Alert delivered',
  'alert.failed': 'Alert delivery failed',
};

export const AUDIT_ACTIONS = Object.entries(ACTION_LABELS).map(([value, label]) => ({ value, label }));

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
