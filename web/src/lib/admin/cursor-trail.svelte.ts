/**
 * Back-and-forth paging over an API that hands out only "next" cursors: the trail remembers the
 * cursors of the pages before the current one. `load` fetches a page and says whether it worked;
 * the trail moves only when it did.
 */
export class CursorTrail {
  #before = $state<Array<string | undefined>>([]);
  #current: string | undefined;
  readonly #load: (cursor: string | undefined) => Promise<boolean>;

  readonly pageNumber = $derived(this.#before.length + 1);
  readonly hasPrevious = $derived(this.#before.length > 0);

  constructor(load: (cursor: string | undefined) => Promise<boolean>) {
    this.#load = load;
  }

  /** Back to the first page (new filters, search or sort). */
  async first(): Promise<boolean> {
    this.#before = [];
    this.#current = undefined;
    return this.#load(undefined);
  }

  async next(cursor: string | null | undefined): Promise<void> {
    if (!cursor) return;
    const from = this.#current;
    if (await this.#load(cursor)) {
      this.#before = [...this.#before, from];
      this.#current = cursor;
    }
  }

  async previous(): Promise<void> {
    if (this.#before.length === 0) return;
    const to = this.#before.at(-1);
    if (await this.#load(to)) {
      this.#before = this.#before.slice(0, -1);
      this.#current = to;
    }
  }

  /** The current page again (after a change to what it shows). */
  reload(): Promise<boolean> {
    return this.#load(this.#current);
  }
}
