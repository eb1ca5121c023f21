import {
  addCatalogRole,
  type CatalogRole,
  type ImportableRole,
  listCatalogRoles,
  listImportableRoles,
  removeCatalogRole,
  updateCatalogRole,
} from '../api/admin-roles-service.ts';
import { describeError, isSessionEnded } from '../api/error-text.ts';
import { session } from '../session.svelte.ts';
import { inputFromForm, type RoleForm } from './role-catalog-form.ts';

/** The role catalog screen: the list, IAM roles to import, and the add/edit/remove actions. */
export class RoleCatalogState {
  roles = $state.raw<CatalogRole[]>([]);
  importable = $state.raw<ImportableRole[]>([]);
  importError = $state<string | null>(null);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);
  busy = $state(false);
  /** The last change, in words, announced to screen readers. */
  message = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      this.roles = (await listCatalogRoles()).roles;
      this.error = null;
      this.status = 'ready';
    } catch (error) {
      this.error = this.#problem(error);
      this.status = 'error';
    }
  }

  async loadImportable(): Promise<void> {
    this.importError = null;
    try {
      this.importable = (await listImportableRoles()).roles;
    } catch (error) {
      this.importError = this.#problem(error);
    }
  }

  /** Each returns null on success or the problem in words, for the form to show. */
  async add(form: RoleForm): Promise<string | null> {
    return this.#change(async () => {
      const role = await addCatalogRole(
        { alias: form.alias.trim(), roleArn: form.roleArn.trim(), ...inputFromForm(form) },
        session.csrfToken,
      );
      this.message = `Added ${role.alias}.`;
    });
  }

  async update(alias: string, form: RoleForm): Promise<string | null> {
    return this.#change(async () => {
      await updateCatalogRole(alias, inputFromForm(form), session.csrfToken);
      this.message = `Saved ${alias}.`;
    });
  }

  async remove(alias: string): Promise<string | null> {
    return this.#change(async () => {
      await removeCatalogRole(alias, session.csrfToken);
      this.message = `Removed ${alias} from the catalog.`;
    });
  }

  async #change(action: () => Promise<void>): Promise<string | null> {
    this.busy = true;
    this.message = null;
    try {
      await action();
      await Promise.all([this.load(), this.importable.length > 0 ? this.loadImportable() : Promise.resolve()]);
      return null;
    } catch (error) {
      return this.#problem(error);
    } finally {
      this.busy = false;
    }
  }

  #problem(error: unknown): string {
    if (isSessionEnded(error)) session.expire('server');
    return describeError(error);
  }
}
