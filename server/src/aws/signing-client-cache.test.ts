import { describe, expect, it } from 'vitest';
import type { AwsKey } from './aws-gateway.ts';
import { createSigningClientCache } from './signing-client-cache.ts';

const key = (id: string, token = `token-${id}`): AwsKey => ({
  accessKeyId: id,
  secretAccessKey: `secret-${id}`,
  sessionToken: token,
});

function cacheWith(options: { maxClients?: number; idleMs?: number } = {}) {
  let clock = 0;
  const built: AwsKey[] = [];
  const cache = createSigningClientCache(
    (k) => {
      built.push(k);
      return { signsWith: k.accessKeyId, serial: built.length };
    },
    { ...options, now: () => clock },
  );
  return { cache, built, advance: (ms: number) => (clock += ms) };
}

describe('signing client cache', () => {
  it('builds one client per key and reuses it', () => {
    const { cache, built } = cacheWith();
    const first = cache.clientFor(key('ASIA1'));
    expect(cache.clientFor(key('ASIA1'))).toBe(first);
    expect(cache.clientFor(key('ASIA2'))).not.toBe(first);
    expect(built.map((k) => k.accessKeyId)).toEqual(['ASIA1', 'ASIA2']);
  });

  it('never signs with a different secret or session token under the same key id', () => {
    const { cache } = cacheWith();
    const first = cache.clientFor(key('ASIA1'));
    const otherToken = cache.clientFor(key('ASIA1', 'another-token'));
    expect(otherToken).not.toBe(first);
    expect(cache.clientFor({ ...key('ASIA1', 'another-token'), secretAccessKey: 'changed' })).not.toBe(otherToken);
    expect(cache.size).toBe(1);
  });

  it('drops clients idle for longer than idleMs, with the keys they hold', () => {
    const { cache, advance } = cacheWith({ idleMs: 1_000 });
    const first = cache.clientFor(key('ASIA1'));
    cache.clientFor(key('ASIA2'));
    advance(600);
    cache.clientFor(key('ASIA2'));
    advance(600);
    expect(cache.clientFor(key('ASIA3'))).toBeDefined();
    expect(cache.size).toBe(2); // ASIA1 went idle; ASIA2 was used 600 ms ago
    expect(cache.clientFor(key('ASIA1'))).not.toBe(first);
  });

  it('keeps at most maxClients, dropping the least recently used', () => {
    const { cache } = cacheWith({ maxClients: 2 });
    const one = cache.clientFor(key('ASIA1'));
    const two = cache.clientFor(key('ASIA2'));
    cache.clientFor(key('ASIA1'));
    cache.clientFor(key('ASIA3'));
    expect(cache.size).toBe(2);
    expect(cache.clientFor(key('ASIA1'))).toBe(one);
    expect(cache.clientFor(key('ASIA2'))).not.toBe(two);
  });

  it('does not keep the caller’s key object, so later changes to it cannot alter a cached entry', () => {
    const { cache } = cacheWith();
    const mine = key('ASIA1');
    const first = cache.clientFor(mine);
    mine.sessionToken = 'mutated';
    expect(cache.clientFor(key('ASIA1'))).toBe(first);
  });
});
