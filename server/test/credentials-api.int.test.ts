import { beforeAll, describe, expect, it } from 'vitest';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { type PortalHarness, sessionCookie } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

describe.each(testDatabaseUrls())('one-shot credentials for scripts ($name)', (provider) => {
  const harness = useEnrolledPortal(provider);
  let portal: PortalHarness;
  beforeAll(() => {
    portal = harness();
  });

  it('assumes the role with the code AWS verified and prints an eval-able env snippet', async () => {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      ...form({ userName: 'alice', code: portal.nextCode('alice'), role: 'readonly', format: 'env' }),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const vars = Object.fromEntries([...response.body.matchAll(/^export (AWS_\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(vars.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);

    const identity = await portal.aws.getCallerIdentity({
      accessKeyId: vars.AWS_ACCESS_KEY_ID!,
      secretAccessKey: vars.AWS_SECRET_ACCESS_KEY!,
      sessionToken: vars.AWS_SESSION_TOKEN!,
    });
    expect(identity.arn).toBe('arn:aws:sts::111111111111:assumed-role/ReadOnly/alice');

    const [row] = await portal.app.services.audit.query({ actor: 'alice', action: 'credentials.issue', limit: 1 });
    expect(row).toMatchObject({
      outcome: 'success',
      targetRoleArn: 'arn:aws:iam::111111111111:role/ReadOnly',
      roleSessionName: 'alice',
      metadata: { via: 'assume_role', issuedAccessKeyId: vars.AWS_ACCESS_KEY_ID },
    });
  });

  it('issues up to the role maximum on the direct path, as JSON', async () => {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: {
        userName: 'alice',
        code: portal.nextCode('alice'),
        role: 'readonly',
        durationSeconds: 43200,
        format: 'json',
      },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.assumedRoleArn).toBe('arn:aws:sts::111111111111:assumed-role/ReadOnly/alice');
    expect(body.sourceIdentity).toBe('alice');
    const lifetime = (Date.parse(body.expiration) - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(43200 - 120);
  });

  it('serves users under a strict deny-unless-MFA policy through an MFA session, capped at one hour', async () => {
    expect((await portal.app.services.custody.find('frank'))?.issuePath).toBe('mfa_session');
    const ok = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'frank', code: portal.nextCode('frank'), role: 'readonly', format: 'process' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/) });

    const tooLong = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'frank', code: portal.nextCode('frank'), role: 'readonly', durationSeconds: 7200 },
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ error: 'invalid_duration' });
  });

  it('answers wrong codes, replayed codes and unknown users alike, and audits each', async () => {
    const code = portal.nextCode('erin');
    const first = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'erin', code, role: 'readonly' },
    });
    expect(first.statusCode).toBe(200);
    const replay = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'erin', code, role: 'readonly' },
    });
    const unknown = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'nobody', code: '123456', role: 'readonly' },
    });
    const notEnrolled = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'dave', code: '123456', role: 'readonly' },
    });
    for (const response of [replay, unknown, notEnrolled]) {
      expect(response.statusCode).toBe(401);
      const { requestId, ...rest } = response.json();
      expect(requestId).toBe(response.headers['x-request-id']);
      expect(rest).toEqual({
        error: 'invalid_mfa_code',
        message: 'That MFA code was not accepted. Wait for the next code from your device and try again.',
      });
    }
    const failures = await portal.app.services.audit.query({
      action: 'credentials.issue',
      outcome: 'failure',
      limit: 10,
    });
    expect(failures.map((r) => [r.actor, r.errorCode])).toEqual(
      expect.arrayContaining([
        ['erin', 'invalid_mfa_code'],
        ['nobody', 'not_enrolled'],
        ['dave', 'not_enrolled'],
      ]),
    );
  });

  it('refuses roles the catalog does not grant, and unknown roles', async () => {
    const notAllowed = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'erin', code: portal.nextCode('erin'), role: 'admin' },
    });
    expect(notAllowed.statusCode).toBe(403);
    expect(notAllowed.json().error).toBe('role_not_allowed');
    const unknown = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'erin', code: portal.nextCode('erin'), role: 'nope' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('unknown_role');
  });

  it('assumes a cross-account role with its external ID', async () => {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'alice', code: portal.nextCode('alice'), role: 'partner', format: 'json' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().assumedRoleArn).toBe('arn:aws:sts::222222222222:assumed-role/PartnerAudit/alice');
  });

  it('validates input with clear 4xx errors', async () => {
    const cases = [
      { payload: { userName: 'alice', code: '12345', role: 'readonly' }, error: 'invalid_request' },
      { payload: { userName: 'alice\nx', code: '123456', role: 'readonly' }, error: 'invalid_request' },
      { payload: { userName: 'alice', code: '123456', role: 'readonly', format: 'yaml' }, error: 'invalid_request' },
      { payload: { userName: 'alice', code: '123456', role: 'readonly', extra: 1 }, error: 'invalid_request' },
      {
        payload: { userName: 'alice', code: '123456', role: 'readonly', profile: 'x]\n[evil' },
        error: 'invalid_request',
      },
      { payload: { role: 'readonly' }, error: 'not_signed_in' },
    ];
    for (const c of cases) {
      const response = await portal.app.inject({ method: 'POST', url: '/api/v1/credentials', payload: c.payload });
      expect(response.statusCode, JSON.stringify(c.payload)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.json().error).toBe(c.error);
    }
    const broken = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { 'content-type': 'application/json' },
      payload: '{"userName":',
    });
    expect(broken.statusCode).toBe(400);
  });

  it('limits wrong codes per user and tells how long to wait', async () => {
    for (let i = 0; i < 5; i++) {
      const wrong = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/cli-tokens',
        payload: { userName: 'carol', code: '000000' },
      });
      expect(wrong.statusCode).toBe(401);
    }
    const locked = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/cli-tokens',
      payload: { userName: 'carol', code: portal.nextCode('carol') },
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error).toBe('too_many_attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    expect(locked.json().message).toMatch(/Try again in 1[45] minutes/);
  });

  it('answers 503 aws_unavailable when AWS fails, and issues nothing', async () => {
    await fetch(`${portal.emulator.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 1 }) });
    try {
      const response = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/credentials',
        payload: { userName: 'alice', code: portal.nextCode('alice'), role: 'readonly' },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toBe('aws_unavailable');
      expect(response.headers['retry-after']).toBeDefined();
    } finally {
      await fetch(`${portal.emulator.url}/__emulator/faults`, { method: 'DELETE' });
    }
  });

  it('answers an enrolled user left without an MFA device like a wrong code, and tells admins why', async () => {
    const code = portal.nextCode('frank');
    const frank = portal.emulator.store.findUser('111111111111', 'frank')!;
    const devices = frank.mfaDevices;
    frank.mfaDevices = [];
    try {
      const response = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { userName: 'frank', code },
      });
      // AWS did not accept the code, so the answer must not tell a guesser that frank is enrolled.
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_mfa_code');
      const [row] = await portal.app.services.audit.query({ actor: 'frank', action: 'session.sign_in', limit: 1 });
      expect(row).toMatchObject({ outcome: 'failure', errorCode: 'no_mfa_device' });
    } finally {
      frank.mfaDevices = devices;
    }
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const response = await portal.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/credentials',
        '/api/v1/session',
        '/api/v1/cli-tokens',
        '/api/v1/credentials/process',
        '/api/v1/me',
      ]),
    );
  });

  it('keeps one unbroken audit chain when many requests write at once', async () => {
    const users = ['alice', 'erin', 'frank']; // carol is locked out by an earlier test
    const signIns = await Promise.all(
      users.map((userName) =>
        portal.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { userName, code: portal.nextCode(userName) },
        }),
      ),
    );
    expect(signIns.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const issued = await Promise.all(
      signIns.flatMap((signIn) =>
        [1, 2, 3].map(() =>
          portal.app.inject({
            method: 'POST',
            url: '/api/v1/credentials',
            headers: { cookie: sessionCookie(signIn), 'x-csrf-token': signIn.json().csrfToken },
            payload: { role: 'readonly' },
          }),
        ),
      ),
    );
    expect(issued.map((r) => r.statusCode)).toEqual(Array(9).fill(200));
    expect(await portal.app.services.audit.verifyChain()).toMatchObject({ ok: true });
  });

  it('never writes a secret into the audit log, and its chain verifies', async () => {
    const rows = await portal.database.prisma.auditEvent.findMany();
    const text = JSON.stringify(rows);
    for (const user of portal.state.users) {
      for (const key of user.accessKeys ?? []) expect(text).not.toContain(key.secret);
    }
    expect(text).not.toMatch(/"(secretAccessKey|sessionToken|code)"/i);
    expect(await portal.app.services.audit.verifyChain()).toMatchObject({ ok: true });
  });
});
