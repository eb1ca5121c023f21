import { describe, expect, it } from 'vitest';
import { ApiError } from './api/client.ts';
import { Loadable } from './loadable.svelte.ts';

const apiError = (status: number, error: string, message = `${error} happened.`) =>
  new ApiError(status, { error, message });

/** A call the test answers by hand, to look at the state while it runs. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Loadable', () => {
  it('starts idle with its initial data', () => {
    const roles = new Loadable<string[]>([], async () => ['admin']);
    expect(roles.status).toBe('idle');
    expect(roles.data).toEqual([]);
    expect(roles.error).toBeNull();
  });

  it('is loading while the call runs, then ready with the answer', async () => {
    const answer = deferred<string[]>();
    const roles = new Loadable<string[]>([], () => answer.promise);
    const loading = roles.load();
    expect(roles.status).toBe('loading');
    expect(roles.loading).toBe(true);
    answer.resolve(['admin', 'read-only']);
    expect(await loading).toBe(true);
    expect(roles.status).toBe('ready');
    expect(roles.data).toEqual(['admin', 'read-only']);
  });

  it('passes its arguments to the fetch (a cursor, say)', async () => {
    const seen: Array<string | undefined> = [];
    const page = new Loadable<string, [cursor: string | undefined]>('', async (cursor) => {
      seen.push(cursor);
      return `page after ${cursor ?? 'start'}`;
    });
    await page.load(undefined);
    await page.load('c2');
    expect(seen).toEqual([undefined, 'c2']);
    expect(page.data).toBe('page after c2');
  });

  it('puts an API error into words once, and keeps the last answer', async () => {
    let fail = false;
    const roles = new Loadable<string[]>([], async () => {
      if (fail) throw apiError(503, 'aws_unavailable');
      return ['admin'];
    });
    await roles.load();
    fail = true;
    expect(await roles.load()).toBe(false);
    expect(roles.status).toBe('error');
    expect(roles.error).toBe('AWS could not be reached just now. Try again in a minute.');
    expect(roles.errorCode).toBe('aws_unavailable');
    expect(roles.data).toEqual(['admin']);
  });

  it('shows the server message for other codes, and a generic one for a bug in the page', async () => {
    const failing = new Loadable<null>(null);
    await failing.run(async () => {
      throw apiError(400, 'invalid_duration', 'That role allows at most 1 hour.');
    });
    expect(failing.error).toBe('That role allows at most 1 hour.');
    await failing.run(async () => {
      throw new TypeError('x is undefined');
    });
    expect(failing.error).toBe('Something went wrong in the page. Reload it and try again.');
    expect(failing.errorCode).toBeNull();
  });

  it('clears the previous problem when a new call starts, and after a success', async () => {
    const answer = deferred<string>();
    const chain = new Loadable<string>('');
    await chain.run(async () => {
      throw apiError(500, 'internal_error', 'Something failed.');
    });
    const again = chain.run(() => answer.promise);
    expect(chain.error).toBeNull();
    expect(chain.errorCode).toBeNull();
    answer.resolve('intact');
    await again;
    expect(chain.error).toBeNull();
    expect(chain.data).toBe('intact');
  });

  it('forgets what it held, without an error, when the session has ended', async () => {
    let ended = false;
    const roles = new Loadable<string[]>([], async () => {
      if (ended) throw apiError(401, 'session_expired');
      return ['admin'];
    });
    await roles.load();
    ended = true;
    expect(await roles.load()).toBe(false);
    expect(roles.status).toBe('idle');
    expect(roles.error).toBeNull();
    expect(roles.data).toEqual([]);

    await roles.run(async () => {
      throw apiError(401, 'not_signed_in');
    });
    expect(roles.status).toBe('idle');
    expect(roles.error).toBeNull();
  });

  it('shows only the latest call: an older answer that arrives later is dropped', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const page = new Loadable<string>('');
    const older = page.run(() => first.promise);
    const newer = page.run(() => second.promise);
    second.resolve('newer');
    expect(await newer).toBe(true);
    first.resolve('older');
    expect(await older).toBe(false);
    expect(page.data).toBe('newer');
    expect(page.status).toBe('ready');

    const late = deferred<string>();
    const failing = page.run(() => late.promise);
    await page.run(async () => 'current');
    late.reject(apiError(503, 'aws_unavailable'));
    expect(await failing).toBe(false);
    expect(page.status).toBe('ready');
    expect(page.error).toBeNull();
  });

  it('reset drops the data and a call still running', async () => {
    const answer = deferred<string>();
    const credentials = new Loadable<string | null>(null);
    const running = credentials.run(() => answer.promise);
    credentials.reset();
    expect(credentials.status).toBe('idle');
    answer.resolve('ASIA...');
    expect(await running).toBe(false);
    expect(credentials.data).toBeNull();
  });

  it('refuses load() without a fetch', () => {
    const action = new Loadable<void>(undefined);
    expect(() => action.load()).toThrow(/run\(\)/);
  });
});
