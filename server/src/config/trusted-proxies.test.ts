import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const load = (env: Record<string, string>) => loadConfig(env, '/srv/portal');

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('TRUSTED_PROXIES', () => {
  it('trusts no proxy by default', () => {
    expect(load({}).trustedProxies).toEqual([]);
  });

  it('reads IPv4 and IPv6 addresses and CIDR ranges, comma-separated', () => {
    expect(load({ TRUSTED_PROXIES: ' 10.0.0.5, 10.0.0.0/8,::1 , fd00::/8,, 192.168.1.0/24 ' }).trustedProxies).toEqual([
      '10.0.0.5',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      '192.168.1.0/24',
    ]);
  });

  it('names an entry that is not an address or range', () => {
    for (const [value, problem] of [
      ['10.0.0.256', /"10.0.0.256" is not an IP address or CIDR range/],
      ['proxy.internal', /"proxy.internal" is not an IP address or CIDR range/],
      ['10.0.0.0/33', /prefix length that is not 0..32/],
      ['fd00::/129', /prefix length that is not 0..128/],
      ['10.0.0.0/8/8', /is not an IP address or CIDR range/],
      ['fe80::1%eth0', /is not an IP address or CIDR range/],
      ['0.0.0.0/0', /would trust every address/],
      ['::/0', /would trust every address/],
    ] as const) {
      expect(problemsOf({ TRUSTED_PROXIES: `127.0.0.1,${value}` }), value).toEqual([
        expect.stringMatching(new RegExp(`^TRUSTED_PROXIES: .*${problem.source}`)),
      ]);
    }
  });

  it('refuses TRUST_PROXY_HOPS, which trusted any peer, and says what to set instead', () => {
    const problems = problemsOf({ TRUST_PROXY_HOPS: '1' });
    expect(problems).toEqual([expect.stringMatching(/^TRUST_PROXY_HOPS: .*TRUSTED_PROXIES=10\.0\.0\.0\/8/)]);
    expect(problemsOf({ TRUST_PROXY_HOPS: '2', TRUSTED_PROXIES: '10.0.0.0/8' })).toHaveLength(1);
    // 0 trusted nobody, as the portal now does without TRUSTED_PROXIES: an old .env may keep it.
    expect(problemsOf({ TRUST_PROXY_HOPS: '0' })).toEqual([]);
  });

  it('refuses an https PUBLIC_URL without a trusted proxy: the Secure session cookie would never be set', () => {
    expect(problemsOf({ PUBLIC_URL: 'https://portal.example.com' })).toEqual([
      expect.stringMatching(/^TRUSTED_PROXIES: must name the proxy that terminates TLS when PUBLIC_URL is https/),
    ]);
    expect(load({ PUBLIC_URL: 'https://portal.example.com', TRUSTED_PROXIES: '127.0.0.1' }).trustedProxies).toEqual([
      '127.0.0.1',
    ]);
    expect(load({ PUBLIC_URL: 'http://localhost:3000' }).trustedProxies).toEqual([]);
  });

  it('lists proxy problems together with every other bad setting', () => {
    expect(problemsOf({ PORT: 'abc', TRUST_PROXY_HOPS: '1' }).map((p) => p.split(':')[0])).toEqual([
      'PORT',
      'TRUST_PROXY_HOPS',
    ]);
  });
});
