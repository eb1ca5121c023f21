import { describe, expect, it } from 'vitest';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { testDatabaseUrls } from './test-databases.ts';

/**
 * API_REQUESTS_PER_MINUTE: a per-address ceiling on API requests, answered in the one error shape
 * with Retry-After. Pages, assets and health checks are outside it, so a team sharing a NAT
 * address does not spend it loading the web app, and a load balancer's probes never get a 429.
 */
describe('the per-address API request ceiling', () => {
  const harness = useEnrolledPortal(testDatabaseUrls()[0]!, {
    env: { API_REQUESTS_PER_MINUTE: '10', TRUSTED_PROXIES: '10.0.0.2' },
  });
  const get = (url: string, remoteAddress: string, forwardedFor?: string) =>
    harness().app.inject({
      method: 'GET',
      url,
      remoteAddress,
      headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    });

  it('answers 429 rate_limited with Retry-After once an address has spent its minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await get('/api/v1/info', '198.51.100.1')).statusCode);
    expect(statuses).toEqual(Array(10).fill(200));
    const refused = await get('/api/v1/info', '198.51.100.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: 'rate_limited', requestId: expect.any(String) });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another address has its own budget.
    expect((await get('/api/v1/info', '198.51.100.2')).statusCode).toBe(200);
  });

  it('does not count pages, assets or health checks, before or after the budget is spent', async () => {
    for (let i = 0; i < 30; i++) {
      for (const url of ['/healthz', '/readyz', '/roles', '/assets/app.js']) {
        expect((await get(url, '198.51.100.3')).statusCode, url).not.toBe(429);
      }
    }
    expect((await get('/api/v1/info', '198.51.100.3')).statusCode).toBe(200);
  });

  it('lets no more than the budget through when the requests arrive at once', async () => {
    const answers = await Promise.all(Array.from({ length: 25 }, () => get('/api/v1/info', '198.51.100.4')));
    const statuses = answers.map((a) => a.statusCode);
    // @fastify/rate-limit's in-memory count is read after every parallel request has added to it,
    // so a burst over the budget is refused whole: stricter than the budget, never looser.
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 429)).toBe(true);
    expect((await get('/api/v1/info', '198.51.100.4')).statusCode).toBe(429);
  });

  it('counts the client a trusted proxy names, not the proxy', async () => {
    for (let i = 0; i < 10; i++) await get('/api/v1/info', '10.0.0.2', '203.0.113.7');
    expect((await get('/api/v1/info', '10.0.0.2', '203.0.113.7')).statusCode).toBe(429);
    expect((await get('/api/v1/info', '10.0.0.2', '203.0.113.8')).statusCode).toBe(200);
  });
});
