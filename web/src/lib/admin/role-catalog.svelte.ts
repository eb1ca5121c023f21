import {
  addCatalogRole,
  type CatalogRole,
  type ImportableRole,
  listCatalogRoles,
  listImportableRoles,
  removeCatalogRole,
  updateCatalogRole,
} from '../api/admin-roles-service.ts';
import { t } from '../i18n/i18n.ts';
import { Loadable, type LoadStatus } from '../loadable.svelte.ts';
import { inputFromForm, type RoleForm } from './role-catalog-form.ts';

/** The role catalog screen: the list, IAM roles to import, and the add/edit/remove actions. */
export class RoleCatalogState {
  readonly #catalog = new Loadable<CatalogRole[]>([], async () => (await listCatalogRoles()).roles);
  readonly #importable = new Loadable<ImportableRole[]>([], async () => (await listImportableRoles()).roles);
  readonly #saving = new Loadable<void>(undefined);
  /** The last change, in words, announced to screen readers. */
  message = $state<string | null>(null);

  get roles(): CatalogRole[] {
    return this.#catalog.data;
  }

  get status(): LoadStatus {
    return this.#catalog.status;
  }

  get error(): string | null {
    return this.#catalog.error;
  }

  get importable(): ImportableRole[] {
    return this.#importable.data;
  }

  get importError(): string | null {
    return this.#importable.error;
  }

  get busy(): boolean {
    return this.#saving.loading;
  }

  async load(): Promise<void> {
    await this.#catalog.load();
  }

  async loadImportable(): Promise<void> {
    await this.#importable.load();
  }

  /** Each returns null on success or the problem in words, for the form to show. */
  async add(form: RoleForm): Promise<string | null> {
    return this.#change(async () => {
      const role = await addCatalogRole({
        alias: form.alias.trim(),
        roleArn: form.roleArn.trim(),
        ...inputFromForm(form),
      });
      this.message = t('catalog.added', { alias: role.alias });
    });
  }

  async update(alias: string, form: RoleForm): Promise<string | null> {
    return this.#change(async () => {
      await updateCatalogRole(alias, inputFromForm(form));
      this.message = t('catalog.saved', { alias });
    });
  }

  async remove(alias: string): Promise<string | null> {
    return this.#change(async () => {
      await removeCatalogRole(alias);
      this.message = t('catalog.removed', { alias });
    });
  }

  async #change(action: () => Promise<void>): Promise<string | null> {
    this.message = null;
    const changed = await this.#saving.run(async () => {
      await action();
      await Promise.all([this.load(), this.importable.length > 0 ? this.loadImportable() : Promise.resolve()]);
    });
    return changed ? null : this.#saving.error;
  }
}
