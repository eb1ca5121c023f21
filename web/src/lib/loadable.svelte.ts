import { ApiError } from './api/client.ts';
import { describeError } from './api/error-text.ts';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * Something the page asks the API for, with what the page shows around it: whether it is
 * loading, the problem in plain words, and the last answer. Every state class keeps its API
 * answers in one of these, so an error is turned into words in one place.
 *
 * When the server says the session has ended, the API client has already told the session state
 * (the page goes to sign-in and says why); the loadable just forgets what it held.
 * Only the latest call counts: an answer to an older one that arrives later is dropped.
 */
export class Loadable<T, Args extends unknown[] = []> {
  status = $state<LoadStatus>('idle');
  /** The last call's problem in plain words; null while loading and after a success. */
  error = $state<string | null>(null);
  /** The API's error code of that problem (`invalid_duration`, ...), for pages that offer a way out. */
  errorCode = $state<string | null>(null);
  /** The last answer; kept while a new call runs and when it fails. */
  data = $state.raw<T>() as T;

  readonly #initial: T;
  readonly #fetch: ((...args: Args) => Promise<T>) | undefined;
  #latest = 0;

  /** `fetch` is what `load` calls; a loadable used only through `run` goes without. */
  constructor(initial: T, fetch?: (...args: Args) => Promise<T>) {
    this.#initial = initial;
    this.data = initial;
    this.#fetch = fetch;
  }

  get loading(): boolean {
    return this.status === 'loading';
  }

  /** Fetches the data again; resolves to whether it worked. */
  load(...args: Args): Promise<boolean> {
    const fetch = this.#fetch;
    if (fetch === undefined) throw new Error('This loadable has nothing to load: use run().');
    return this.run(() => fetch(...args));
  }

  /** Runs one call whose answer becomes the data (a change that returns the new state, say); resolves to whether it worked. */
  async run(call: () => Promise<T>): Promise<boolean> {
    const ticket = ++this.#latest;
    this.status = 'loading';
    this.error = null;
    this.errorCode = null;
    try {
      const data = await call();
      if (ticket !== this.#latest) return false;
      this.data = data;
      this.status = 'ready';
      return true;
    } catch (error) {
      if (ticket !== this.#latest) return false;
      if (error instanceof ApiError && error.endsSession) {
        this.reset();
        return false;
      }
      this.error = describeError(error);
      this.errorCode = error instanceof ApiError ? error.code : null;
      this.status = 'error';
      return false;
    }
  }

  /** Back to nothing loaded (the session ended, or the page let go of the data); a call still running is dropped. */
  reset(): void {
    this.#latest += 1;
    this.data = this.#initial;
    this.error = null;
    this.errorCode = null;
    this.status = 'idle';
  }
}
