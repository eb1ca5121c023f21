import type { AwsKey } from './aws-gateway.ts';

export interface SigningClientCacheOptions {
  /** At most this many clients are kept; the least recently used goes first. */
  maxClients?: number;
  /** A client unused for this long is dropped, and with it the unsealed key it holds. */
  idleMs?: number;
  now?: () => number;
}

interface Entry<Client> {
  key: AwsKey;
  client: Client;
  lastUsed: number;
}

/**
 * SDK clients by the key they sign with. Building a client resolves its whole configuration and
 * middleware stack, which costs more CPU than the call it makes (the issuance bench's profile), and
 * a user's MFA session signs every issuance of its lifetime with the same key.
 *
 * Each entry holds an unsealed key in memory, so the cache is small and short-lived: bounded in
 * size, dropped after `idleMs` without use. An entry is found by access key id and used only when
 * the secret and session token are the same too; otherwise it is replaced.
 */
export function createSigningClientCache<Client>(
  build: (key: AwsKey) => Client,
  { maxClients = 256, idleMs = 5 * 60_000, now = Date.now }: SigningClientCacheOptions = {},
) {
  const entries = new Map<string, Entry<Client>>();

  function dropIdle(at: number): void {
    // Map order is least recently used first, so the idle ones are at the front.
    for (const [id, entry] of entries) {
      if (at - entry.lastUsed < idleMs) break;
      entries.delete(id);
    }
  }

  return {
    clientFor(key: AwsKey): Client {
      const at = now();
      dropIdle(at);
      const found = entries.get(key.accessKeyId);
      entries.delete(key.accessKeyId);
      const entry: Entry<Client> =
        found && found.key.secretAccessKey === key.secretAccessKey && found.key.sessionToken === key.sessionToken
          ? { ...found, lastUsed: at }
          : { key: { ...key }, client: build(key), lastUsed: at };
      entries.set(key.accessKeyId, entry);
      if (entries.size > maxClients) entries.delete(entries.keys().next().value as string);
      return entry.client;
    },

    /** How many clients are held (tests, metrics). */
    get size(): number {
      return entries.size;
    },
  };
}
