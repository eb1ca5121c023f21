import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanNow } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { type PortalHarness, sessionCookie, startPortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';
const provider = testDatabaseUrls()[0]!;

/** The value of one series in Prometheus text, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  const harness = useEnrolledPortal(provider, { env: { METRICS_TOKEN: TOKEN } });
  let portal: PortalHarness;
  beforeAll(() => {
    portal = harness();
  });
  const scrape = async () => {
    const response = await portal.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    return response.body;
  };

  it('answers only the bearer of METRICS_TOKEN', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN]) {
      const response = await portal.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization ? { authorization } : {},
      });
      expect(response.statusCode, String(authorization)).toBe(401);
      expect(response.json()).toMatchObject({ error: 'invalid_token' });
      expect(response.body).not.toContain('portal_');
    }
  });

  it('counts issuances by path and outcome, AWS calls, rejections and audit appends, without user names', async () => {
    const oneShot = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'alice', code: portal.nextCode('alice'), role: 'readonly' },
    });
    expect(oneShot.statusCode, oneShot.body).toBe(200);
    const wrong = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'erin', code: '000000', role: 'readonly' },
    });
    expect(wrong.statusCode).toBe(401);

    const signedIn = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName: 'alice', code: portal.nextCode('alice') },
    });
    const cookie = sessionCookie(signedIn);
    const browser = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { cookie, 'x-csrf-token': signedIn.json().csrfToken },
      payload: { role: 'readonly' },
    });
    expect(browser.statusCode, browser.body).toBe(200);

    const token = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/cli-tokens',
      payload: { userName: 'erin', code: portal.nextCode('erin') },
    });
    expect(token.statusCode, token.body).toBe(201);
    const viaProcess = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/credentials/process?role=readonly',
      headers: { authorization: `Bearer ${token.json().token}` },
    });
    expect(viaProcess.statusCode, viaProcess.body).toBe(200);

    const text = await scrape();
    expect(sample(text, 'portal_credential_issuances_total{path="one_shot",outcome="issued"}')).toBe(1);
    expect(sample(text, 'portal_credential_issuances_total{path="one_shot",outcome="denied"}')).toBe(1);
    expect(sample(text, 'portal_credential_issuances_total{path="browser",outcome="issued"}')).toBe(1);
    expect(sample(text, 'portal_credential_issuances_total{path="credential_process",outcome="issued"}')).toBe(1);
    expect(sample(text, 'portal_credential_issuance_duration_seconds_count{path="one_shot",outcome="issued"}')).toBe(1);
    expect(sample(text, 'portal_mfa_rejections_total{reason="invalid_mfa_code"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'portal_aws_calls_total{service="sts",operation="AssumeRole",result="ok"}')).toBeGreaterThan(0);
    expect(text).toMatch(/^portal_aws_calls_total\{service="sts",operation="\w+",result="invalid_mfa_code"\} [1-9]/m);
    expect(
      sample(text, 'portal_aws_call_duration_seconds_count{service="sts",operation="AssumeRole"}'),
    ).toBeGreaterThan(0);
    expect(sample(text, 'portal_audit_append_duration_seconds_count')).toBeGreaterThan(0);
    expect(sample(text, 'portal_audit_append_failures_total')).toBe(0);
    expect(sample(text, 'portal_web_sessions_alive')).toBe(1);
    expect(sample(text, 'portal_cli_tokens_alive')).toBe(1);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    // Cardinality (and privacy): no label carries a user name unless the operator turns it on.
    for (const name of ['alice', 'erin']) expect(text).not.toContain(`"${name}"`);
  });

  it('records budget refusals by budget', async () => {
    const attempt = () =>
      portal.app.inject({
        method: 'POST',
        url: '/api/v1/credentials',
        payload: { userName: 'frank', code: '000000', role: 'readonly' },
        remoteAddress: '198.51.100.7',
      });
    for (let i = 0; i < portal.config.failureLimit; i++) expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(429);
    const text = await scrape();
    expect(sample(text, 'portal_mfa_budget_refusals_total{budget="user_address"}')).toBe(1);
    expect(sample(text, 'portal_credential_issuances_total{path="one_shot",outcome="throttled"}')).toBe(1);
  });

  it('records scan duration, AWS calls and last success time', async () => {
    const before = Date.now() / 1000;
    await scanNow(portal);
    const text = await scrape();
    expect(sample(text, 'portal_compliance_scans_total{outcome="complete"}')).toBe(1);
    expect(sample(text, 'portal_compliance_scan_duration_seconds_count{outcome="complete"}')).toBe(1);
    expect(sample(text, 'portal_compliance_scan_aws_calls')).toBeGreaterThan(3);
    expect(sample(text, 'portal_compliance_scan_last_success_timestamp_seconds')).toBeGreaterThanOrEqual(
      Math.floor(before),
    );
  });
});

describe('GET /metrics, by default and with user labels', () => {
  let db: TestDatabase;
  let plain: PortalHarness;
  beforeAll(async () => {
    db = await provider.create();
    plain = await startPortalHarness({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await plain?.close();
    await db?.drop();
  });

  it('is not there without METRICS_TOKEN', async () => {
    const response = await plain.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('portal_');
  });
});

describe('GET /metrics with METRICS_USER_LABELS', () => {
  const harness = useEnrolledPortal(provider, { env: { METRICS_TOKEN: TOKEN, METRICS_USER_LABELS: 'true' } });

  it('labels issuances with the user name when the operator asks for it', async () => {
    const portal = harness();
    const issued = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'alice', code: portal.nextCode('alice'), role: 'readonly' },
    });
    expect(issued.statusCode).toBe(200);
    const text = (
      await portal.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
    ).body;
    expect(sample(text, 'portal_credential_issuances_total{path="one_shot",outcome="issued",user="alice"}')).toBe(1);
  });
});
