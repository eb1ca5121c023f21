import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeAtStep, timeStepAt } from '../../../emulator/src/totp.ts';
import { generateMasterKey } from '../../src/services/custody/secret-box.ts';
import { complianceState } from '../admin-fixtures.ts';
import { startEnrolledPortal } from '../enrolled-portal.ts';
import type { PortalHarness } from '../portal-harness.ts';
import { type Balancer, cookieFrom, type HttpsAnswer, HttpsClient, startHaproxy } from './balancer.ts';
import { type LoadReport, runIssuanceLoad } from './load-generator.ts';
import { type OwnPostgres, startOwnPostgres } from './own-postgres.ts';
import {
  freePort,
  LogBook,
  type PortalProcess,
  readinessWhileDraining,
  sleep,
  startPortalProcess,
} from './processes.ts';
import { expectNoSecretsIn } from './secrets-sweep.ts';

/**
 * Two built portal processes on one PostgreSQL (the test's own server) behind HAProxy with TLS,
 * round-robin and no stickiness. Everything a person does must work whichever instance answers,
 * through restarts, a database outage and a killed instance; nothing issued goes unrecorded.
 */
describe('two portal instances behind HAProxy on one PostgreSQL', () => {
  const logs = new LogBook();
  const secrets: string[] = [];
  const masterKey = generateMasterKey();
  secrets.push(masterKey);
  let postgres: OwnPostgres;
  let databaseUrl: string;
  let setup: PortalHarness;
  let balancer: Balancer;
  let client: HttpsClient;
  const instances: PortalProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    postgres = await startOwnPostgres();
    const admin = new pg.Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE portal');
    await admin.end();
    databaseUrl = postgres.adminUrl.replace(/\/postgres$/, '/portal');
    // The in-process portal migrates, enrolls the demo users and fills the catalog; its emulator
    // (whose clock the test moves, for fresh codes) is AWS for both instances.
    setup = await startEnrolledPortal({
      databaseUrl,
      state: complianceState(),
      env: { PORTAL_MASTER_KEY: masterKey, COMPLIANCE_SCAN_INTERVAL_MINUTES: '0' },
    });
    const portalKey = setup.state.users.find((u) => u.name === 'portal')!.accessKeys![0]!;
    const balancerPort = await freePort();
    env = {
      DATABASE_URL: databaseUrl,
      PORTAL_MASTER_KEY: masterKey,
      PUBLIC_URL: `https://127.0.0.1:${balancerPort}`,
      TRUSTED_PROXIES: '127.0.0.1',
      AWS_ENDPOINT_URL: setup.emulator.url,
      AWS_ACCESS_KEY_ID: portalKey.id,
      AWS_SECRET_ACCESS_KEY: portalKey.secret,
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'debug',
      GROUP_CACHE_SECONDS: '0',
      MFA_FAILURE_FLOOR_MS: '0',
      COMPLIANCE_SCAN_INTERVAL_MINUTES: '0',
      SHUTDOWN_TIMEOUT_SECONDS: '15',
      // The load below runs as fast as the portal answers, from the balancer's one client address.
      API_REQUESTS_PER_MINUTE: '100000',
    };
    for (const name of ['portal-a', 'portal-b']) instances.push(await startPortalProcess(name, env, logs));
    await Promise.all(instances.map((i) => i.ready()));
    balancer = await startHaproxy(
      instances.map((i) => ({ name: i.name, port: i.port })),
      logs,
      balancerPort,
    );
    client = new HttpsClient(balancer.url, balancer.ca);
  });

  afterAll(async () => {
    client?.close();
    await balancer?.close();
    await Promise.all(instances.map((i) => i.stop('SIGKILL')));
    await setup?.close();
    postgres?.destroy();
  });

  const servedBy = (answer: HttpsAnswer) => String(answer.headers['x-served-by']);
  const signIn = async (userName: string) => {
    const code = setup.nextCode(userName);
    secrets.push(code);
    const answer = await client.request('POST', '/api/v1/session', { body: { userName, code } });
    expect(answer.status, answer.body).toBe(200);
    const cookie = cookieFrom(answer);
    const csrfToken = answer.json<{ csrfToken: string }>().csrfToken;
    secrets.push(cookie.split('=')[1]!, csrfToken);
    return { cookie, csrfToken };
  };
  const remember = (answer: HttpsAnswer) => {
    if (answer.status !== 200) return;
    const body = answer.json<{
      secretAccessKey?: string;
      sessionToken?: string;
      SecretAccessKey?: string;
      SessionToken?: string;
    }>();
    for (const value of [body.secretAccessKey, body.sessionToken, body.SecretAccessKey, body.SessionToken])
      if (value) secrets.push(value);
  };

  it('serves a sign-in made on one instance from the other: session, CSRF, credentials, sign-out', async () => {
    const alice = await signIn('alice');
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const session = await client.request('GET', '/api/v1/session', { headers: { cookie: alice.cookie } });
      expect(session.status, session.body).toBe(200);
      expect(session.json()).toMatchObject({ user: { userName: 'alice' }, csrfToken: alice.csrfToken });
      seen.add(servedBy(session));
    }
    for (let i = 0; i < 4; i++) {
      const issued = await client.request('POST', '/api/v1/credentials', {
        headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrfToken },
        body: { role: 'readonly', format: 'json' },
      });
      expect(issued.status, issued.body).toBe(200);
      remember(issued);
      seen.add(servedBy(issued));
      const mfaSession = await client.request('POST', '/api/v1/session/credentials', {
        headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrfToken },
        body: { format: 'json' },
      });
      expect(mfaSession.status, mfaSession.body).toBe(200);
      remember(mfaSession);
      seen.add(servedBy(mfaSession));
      const forged = await client.request('POST', '/api/v1/credentials', {
        headers: { cookie: alice.cookie, 'x-csrf-token': 'x'.repeat(43) },
        body: { role: 'readonly' },
      });
      expect(forged.status).toBe(403);
      expect(forged.json().error).toBe('csrf_failed');
      seen.add(servedBy(forged));
    }
    expect(seen).toEqual(new Set(['portal-a', 'portal-b']));

    const out = await client.request('DELETE', '/api/v1/session', {
      headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrfToken },
    });
    expect(out.status, out.body).toBe(204);
    for (let i = 0; i < 2; i++) {
      const after = await client.request('GET', '/api/v1/session', { headers: { cookie: alice.cookie } });
      expect(after.status).toBe(401);
    }
  });

  it('takes credentials with a CLI token on both instances, and a revocation on one holds on the other', async () => {
    const code = setup.nextCode('erin');
    secrets.push(code);
    const created = await client.request('POST', '/api/v1/cli-tokens', { body: { userName: 'erin', code } });
    expect(created.status, created.body).toBe(201);
    const { token } = created.json<{ token: string }>();
    secrets.push(token);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const answer = await client.request('GET', '/api/v1/credentials/process?role=readonly', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.status, answer.body).toBe(200);
      expect(answer.json()).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/) });
      remember(answer);
      seen.add(servedBy(answer));
    }
    expect(seen.size).toBe(2);

    const erin = await signIn('erin');
    const list = await client.request('GET', '/api/v1/cli-tokens', { headers: { cookie: erin.cookie } });
    const [item] = list.json<{ tokens: Array<{ id: string }> }>().tokens;
    const revoked = await client.request('DELETE', `/api/v1/cli-tokens/${item!.id}`, {
      headers: { cookie: erin.cookie, 'x-csrf-token': erin.csrfToken },
    });
    expect(revoked.status, revoked.body).toBe(200);
    for (let i = 0; i < 4; i++) {
      const answer = await client.request('GET', '/api/v1/credentials/process?role=readonly', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.status).toBe(401);
      expect(answer.json().error).toBe('invalid_token');
    }
  });

  it('counts wrong codes across instances: a lockout earned through A holds on B, even for a right code', async () => {
    const answers: HttpsAnswer[] = [];
    for (let i = 0; i < 5; i++) {
      answers.push(await client.request('POST', '/api/v1/session', { body: { userName: 'frank', code: '000000' } }));
    }
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(answers.map(servedBy)).size).toBe(2);
    const locked: HttpsAnswer[] = [];
    for (let i = 0; i < 3; i++) {
      const code = setup.nextCode('frank');
      secrets.push(code);
      locked.push(await client.request('POST', '/api/v1/session', { body: { userName: 'frank', code } }));
    }
    for (const answer of locked) {
      expect(answer.status).toBe(429);
      expect(answer.json().error).toBe('too_many_attempts');
      expect(answer.headers['retry-after']).toBeDefined();
    }
    expect(new Set(locked.map(servedBy)).size).toBe(2);
  });

  it('opens a setup link on one instance and completes it on the other, once', async () => {
    const carol = await signIn('carol');
    const link = await client.request('POST', '/api/v1/admin/users/bob/mfa-setup-links', {
      headers: { cookie: carol.cookie, 'x-csrf-token': carol.csrfToken },
    });
    expect(link.status, link.body).toBe(201);
    const token = link.json<{ url: string }>().url.split('#')[1]!;
    secrets.push(token);
    const first = await client.request('POST', '/api/v1/mfa-setup/open', { body: { token } });
    expect(first.status, first.body).toBe(200);
    const binding = String(first.headers['set-cookie']).split(';')[0]!;
    secrets.push(binding.split('=')[1]!);
    const device = first.json<{ secret: string; serialNumber: string }>();
    secrets.push(device.secret);
    const second = await client.request('POST', '/api/v1/mfa-setup/open', {
      body: { token },
      headers: { cookie: binding },
    });
    expect(second.status, second.body).toBe(200);
    expect(servedBy(second)).not.toBe(servedBy(first));
    expect(second.json()).toMatchObject({ serialNumber: device.serialNumber, secret: device.secret });
    const step = timeStepAt(setup.now());
    const codes = { code1: codeAtStep(device.secret, step - 1), code2: codeAtStep(device.secret, step) };
    secrets.push(codes.code1, codes.code2);
    const done = await client.request('POST', '/api/v1/mfa-setup/complete', {
      body: { token, ...codes },
      headers: { cookie: binding },
    });
    expect(done.status, done.body).toBe(200);
    const again = await client.request('POST', '/api/v1/mfa-setup/complete', {
      body: { token, ...codes },
      headers: { cookie: binding },
    });
    expect(again.status).toBe(404);
    expect(servedBy(again)).not.toBe(servedBy(done));
  });

  it('never scans on both instances at once: parallel requests start one scan, which every instance reports', async () => {
    const carol = await signIn('carol');
    // Slow AWS down so the scan is still running while the other requests arrive.
    await fetch(`${setup.emulator.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ latencyMs: 25 }) });
    try {
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          client.request('POST', '/api/v1/admin/compliance/scan', {
            headers: { cookie: carol.cookie, 'x-csrf-token': carol.csrfToken },
          }),
        ),
      );
      for (const answer of answers) expect(answer.status, answer.body).toBe(202);
      expect(new Set(answers.map(servedBy)).size).toBe(2);
      const started = answers.filter((a) => a.json<{ started: boolean }>().started);
      expect(started).toHaveLength(1);
      // An answer that lands between the winner's lease claim and its scan row has no scan to
      // show yet (scan: null); every one that names a scan names the same one.
      const scanIds = new Set(
        answers.map((a) => a.json<{ scan: { id: string } | null }>().scan?.id).filter((id) => id !== undefined),
      );
      expect(scanIds.size).toBe(1);
      const deadline = Date.now() + 90_000;
      let status = 'running';
      while (status === 'running' && Date.now() < deadline) {
        // The credential report becomes ready on AWS's clock, which the test moves.
        setup.advance(1);
        await sleep(100);
        const progress = await client.request('GET', '/api/v1/admin/compliance/scan', {
          headers: { cookie: carol.cookie },
        });
        status = progress.json<{ scan: { status: string } }>().scan.status;
      }
      expect(status).toBe('complete');
      const scans = await setup.database.prisma.complianceScan.findMany();
      expect(scans).toHaveLength(1);
    } finally {
      await fetch(`${setup.emulator.url}/__emulator/faults`, { method: 'DELETE' });
    }
  });

  it('answers 503 database_unavailable while PostgreSQL is down, reports it on /readyz, and recovers without a restart', async () => {
    const direct = instances[0]!;
    const code = setup.nextCode('alice');
    secrets.push(code);
    const alice = await signIn('alice');
    const stopped = Date.now();
    postgres.stop();
    try {
      for (const request of [
        () => fetch(`${direct.url}/readyz`),
        () =>
          fetch(`${direct.url}/api/v1/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
            body: JSON.stringify({ userName: 'alice', code }),
          }),
        () => fetch(`${direct.url}/api/v1/me`, { headers: { cookie: alice.cookie, 'x-forwarded-proto': 'https' } }),
      ]) {
        const started = Date.now();
        const answer = await request();
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(answer.status).toBe(503);
        const body = (await answer.json()) as { error: string; message: string };
        expect(['database_unavailable', 'not_ready']).toContain(body.error);
        expect(JSON.stringify(body)).not.toMatch(/prisma|ECONNREFUSED|postgres|\n\s+at /i);
      }
    } finally {
      postgres.start();
    }
    expect(Date.now() - stopped).toBeLessThan(60_000);
    const deadline = Date.now() + 20_000;
    let ready = 0;
    while (Date.now() < deadline && ready !== 200) {
      ready = (await fetch(`${direct.url}/readyz`)).status;
      if (ready !== 200) await sleep(200);
    }
    expect(ready).toBe(200);
    const issued = await fetch(`${direct.url}/api/v1/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ userName: 'alice', code: setup.nextCode('alice'), role: 'readonly' }),
    });
    expect(issued.status).toBe(200);
    const body = (await issued.json()) as { secretAccessKey: string; sessionToken: string };
    secrets.push(body.secretAccessKey, body.sessionToken);
    // The balancer put both instances back once /readyz answered again.
    await waitForBalancer();
  });

  async function waitForBalancer(): Promise<void> {
    const deadline = Date.now() + 20_000;
    const seen = new Set<string>();
    while (Date.now() < deadline && seen.size < 2) {
      const answer = await client.request('GET', '/readyz');
      if (answer.status === 200) seen.add(servedBy(answer));
      await sleep(100);
    }
    expect(seen.size).toBe(2);
  }

  async function auditedKeys(): Promise<Set<string>> {
    const rows = await setup.database.prisma.auditEvent.findMany({
      where: {
        action: { in: ['credentials.issue', 'credentials.process', 'session.credentials'] },
        outcome: 'success',
      },
      select: { metadata: true },
    });
    const keys = new Set<string>();
    for (const row of rows) {
      const metadata = (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) as {
        issuedAccessKeyId?: string;
      } | null;
      if (metadata?.issuedAccessKeyId) keys.add(metadata.issuedAccessKeyId);
    }
    return keys;
  }

  async function expectEveryKeyAudited(report: LoadReport): Promise<void> {
    const audited = await auditedKeys();
    const missing = report.accessKeyIds.filter((id) => !audited.has(id));
    expect(missing).toEqual([]);
    const chain = await setup.app.services.audit.verifyChain();
    expect(chain).toMatchObject({ ok: true });
  }

  it('restarts the instances one by one under load with no failed request, and audits every credential', async () => {
    const alice = await signIn('alice');
    const load = runIssuanceLoad(client, { ...alice, workers: 4, onSecrets: (s) => secrets.push(...s) });
    await load.received(5);
    for (const [index, instance] of [...instances.entries()]) {
      const stopped = instance.stop('SIGTERM');
      // It drains first: still serving, with /readyz telling the balancer to take it out.
      expect(await readinessWhileDraining(instance.url)).toEqual({ status: 503, error: 'draining' });
      expect(await stopped).toBe(0);
      instances[index] = await startPortalProcess(instance.name, env, logs, instance.port);
      await instances[index]!.ready();
      await waitForBalancer();
      await load.received(5);
    }
    const report = await load.stop();
    expect(report.failures).toEqual([]);
    expect(report.accessKeyIds.length).toBeGreaterThanOrEqual(15);
    await expectEveryKeyAudited(report);
  }, 300_000);

  it('loses no record when an instance is killed with SIGKILL under load', async () => {
    const alice = await signIn('alice');
    const load = runIssuanceLoad(client, { ...alice, workers: 4, onSecrets: (s) => secrets.push(...s) });
    await load.received(5);
    const victim = instances[0]!;
    await victim.stop('SIGKILL');
    await load.received(5);
    const report = await load.stop();
    // Requests in flight on the killed instance may fail (the balancer does not replay a request
    // that reached an instance); every credential a client did receive is in the audit log.
    for (const failure of report.failures) expect(failure).toMatch(/^(502|503|504)\b|^network /);
    expect(report.accessKeyIds.length).toBeGreaterThanOrEqual(10);
    await expectEveryKeyAudited(report);
    instances[0] = await startPortalProcess(victim.name, env, logs, victim.port);
    await instances[0]!.ready();
  }, 300_000);

  it('wrote no secret it handed out into any log line (portal instances, balancer)', () => {
    expect(secrets.length).toBeGreaterThan(50);
    expectNoSecretsIn(logs.text(), secrets);
    expect(logs.text()).toContain('portal-a');
  });
});
