import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * TRUSTED_PROXIES: the addresses (or CIDR ranges) of the reverse proxies in front of the portal,
 * comma-separated, IPv4 and IPv6. X-Forwarded-For/-Proto/-Host are believed only from a peer in
 * this list, and the client address is the last one in X-Forwarded-For that is not a proxy
 * (Fastify's `trustProxy` list, @fastify/proxy-addr). Anyone else's X-Forwarded-* is ignored.
 */
export const trustedProxyList = z
  .string()
  .max(4096, 'must be at most 4096 characters')
  .transform((value, ctx) => {
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    if (entries.length > 64) {
      ctx.addIssue({ code: 'custom', message: 'must list at most 64 addresses or ranges' });
      return z.NEVER;
    }
    for (const entry of entries) {
      const problem = proxyEntryProblem(entry);
      if (problem) {
        // The entry is an address, not a secret: naming it tells the operator which one to fix.
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry.slice(0, 64))} ${problem}` });
        return z.NEVER;
      }
    }
    return entries;
  });

function proxyEntryProblem(entry: string): string | undefined {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = address.includes('%') ? 0 : isIP(address);
  if (family === 0 || rest.length > 0) {
    return 'is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)';
  }
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return `has a prefix length that is not 0..${bits}`;
  if (Number(prefix) === 0) return 'would trust every address; list your proxies instead';
  return undefined;
}

/**
 * Proxy settings that cannot work together, as config problems ("KEY: what to do"):
 * TRUST_PROXY_HOPS is gone (it trusted X-Forwarded-For from any peer that many hops away), and
 * an https PUBLIC_URL needs a trusted proxy: the portal itself speaks plain http, so without one
 * every request looks like http and the Secure session cookie would never be set.
 */
export function proxySettingProblems(
  env: NodeJS.ProcessEnv,
  settings: { publicUrl: string | undefined; trustedProxies: string[] } | undefined,
): string[] {
  const problems: string[] = [];
  const hops = env.TRUST_PROXY_HOPS?.trim();
  if (hops && hops !== '0') {
    problems.push(
      'TRUST_PROXY_HOPS: is no longer read (it trusted X-Forwarded-For from any peer). Remove it and list ' +
        "your proxies' addresses or CIDR ranges in TRUSTED_PROXIES instead, e.g. TRUSTED_PROXIES=10.0.0.0/8",
    );
  }
  if (settings?.publicUrl?.startsWith('https://') && settings.trustedProxies.length === 0) {
    problems.push(
      'TRUSTED_PROXIES: must name the proxy that terminates TLS when PUBLIC_URL is https (e.g. ' +
        'TRUSTED_PROXIES=127.0.0.1 for one on this host); the portal speaks plain http, so without it ' +
        'no request looks like https and browsers would never get the Secure session cookie',
    );
  }
  return problems;
}
