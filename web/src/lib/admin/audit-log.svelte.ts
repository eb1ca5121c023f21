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
import { msg } from '../i18n/i18n.ts';
import { Loadable, type LoadStatus } from '../loadable.svelte.ts';
import { CursorTrail } from './cursor-trail.svelte.ts';

/**
 * Every action the portal records, in words (message keys). Typed by the server's list
 * (server/src/services/audit/audit-events.ts), so an action added there without words here does
 * not compile.
 */
const ACTION_LABELS: Record<AuditActionName, string> = {
  'session.sign_in': msg('audit.action.session.sign_in'),
  'session.sign_out': msg('audit.action.session.sign_out'),
  'session.sign_out_everywhere': msg('audit.action.session.sign_out_everywhere'),
  'session.credentials': msg('audit.action.session.credentials'),
  'credentials.issue': msg('audit.action.credentials.issue'),
  'credentials.process': msg('audit.action.credentials.process'),
  'credentials.container': msg('audit.action.credentials.container'),
  'credentials.console_sign_in': msg('audit.action.credentials.console_sign_in'),
  'cli_token.create': msg('audit.action.cli_token.create'),
  'cli_token.revoke': msg('audit.action.cli_token.revoke'),
  'custody.enroll': msg('audit.action.custody.enroll'),
  'custody.unenroll': msg('audit.action.custody.unenroll'),
  'custody.rotate_key': msg('audit.action.custody.rotate_key'),
  'custody.rotate_master_key': msg('audit.action.custody.rotate_master_key'),
  'catalog.role_add': msg('audit.action.catalog.role_add'),
  'catalog.role_update': msg('audit.action.catalog.role_update'),
  'catalog.role_remove': msg('audit.action.catalog.role_remove'),
  'compliance.scan_start': msg('audit.action.compliance.scan_start'),
  'mfa_setup.link_create': msg('audit.action.mfa_setup.link_create'),
  'mfa_setup.open': msg('audit.action.mfa_setup.open'),
  'mfa_setup.device_create': msg('audit.action.mfa_setup.device_create'),
  'mfa_setup.complete': msg('audit.action.mfa_setup.complete'),
  'abuse.lockout_lift': msg('audit.action.abuse.lockout_lift'),
  'aws_sessions.revoke': msg('audit.action.aws_sessions.revoke'),
  'aws_sessions.apply': msg('audit.action.aws_sessions.apply'),
  'offboarding.start': msg('audit.action.offboarding.start'),
  'offboarding.step': msg('audit.action.offboarding.step'),
  'offboarding.complete': msg('audit.action.offboarding.complete'),
  'compliance.exemption_add': msg('audit.action.compliance.exemption_add'),
  'compliance.exemption_remove': msg('audit.action.compliance.exemption_remove'),
  'remediation.require_mfa': msg('audit.action.remediation.require_mfa'),
  'alert.queued': msg('audit.action.alert.queued'),
  'alert.delivered': msg('audit.action.alert.delivered'),
  'alert.failed': msg('audit.action.alert.failed'),
};

/** Each action with its message key (translated where shown). */
export const AUDIT_ACTIONS = Object.entries(ACTION_LABELS).map(([value, labelKey]) => ({ value, labelKey }));

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
  readonly #chain = new Loadable<ChainCheck | null, [full: boolean]>(null, verifyAuditChain);
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
    await Promise.all([this.pages.first(), this.#chain.load(false), this.#loadRoles()]);
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

  /** "Check again": every row, not only the new ones. */
  async verify(): Promise<void> {
    await this.#chain.load(true);
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
