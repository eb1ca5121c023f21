import { beforeAll, describe, expect, it } from 'vitest';
import { codeAtStep, timeStepAt } from '../../emulator/src/totp.ts';
import { redactUrl } from '../src/logging.ts';
import { complianceState, type SignedIn, scanNow, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import type { PortalHarness } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

describe.each(testDatabaseUrls())('MFA setup links ($name)', (provider) => {
  const harness = useEnrolledPortal(provider, { state: complianceState() });
  let portal: PortalHarness;
  let admin: SignedIn;

  beforeAll(async () => {
    portal = harness();
    admin = await signIn(portal, 'carol');
    await scanNow(portal);
  });

  async function createLink(userName: string) {
    return portal.app.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${encodeURIComponent(userName)}/mfa-setup-links`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
    });
  }
  async function tokenFor(userName: string): Promise<string> {
    const response = await createLink(userName);
    expect(response.statusCode, response.body).toBe(201);
    const { url, expiresAt } = response.json();
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(url).toMatch(/^\/mfa-setup#[A-Za-z0-9_-]{43}$/);
    return url.split('#')[1];
  }
  /** The binding cookie each browser got from its first open, by token (one browser per token here). */
  const bindings = new Map<string, string>();
  const open = async (token: string, browser: { cookie?: string; remoteAddress?: string } = {}) => {
    const cookie = browser.cookie ?? bindings.get(token);
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/mfa-setup/open',
      payload: { token },
      ...(cookie ? { headers: { cookie } } : {}),
      ...(browser.remoteAddress ? { remoteAddress: browser.remoteAddress } : {}),
    });
    const set = response.cookies.find((c) => c.name === 'portal_mfa_setup');
    if (set && browser.cookie === undefined) bindings.set(token, `${set.name}=${set.value}`);
    return response;
  };
  const complete = (token: string, code1: string, code2: string, cookie = bindings.get(token)) =>
    portal.app.inject({
      method: 'POST',
      url: '/api/v1/mfa-setup/complete',
      payload: { token, code1, code2 },
      ...(cookie ? { headers: { cookie } } : {}),
    });
  /** Two consecutive codes as an authenticator app shows them now (AWS's time). */
  const consecutiveCodes = (secret: string): [string, string] => {
    const step = timeStepAt(portal.now());
    return [codeAtStep(secret, step - 1), codeAtStep(secret, step)];
  };
  const dashboardRow = async (userName: string) => {
    const response = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/admin/compliance?q=${encodeURIComponent(userName)}`,
      headers: { cookie: admin.cookie },
    });
    return {
      summary: response.json().summary,
      user: response.json().users.find((u: { userName: string }) => u.userName === userName),
    };
  };

  it('takes a user from no MFA to signing in to the portal', async () => {
    const before = await dashboardRow('bob');
    expect(before.user).toMatchObject({ mfaActive: false, consoleAccess: true });

    const token = await tokenFor('bob');
    const first = await open(token);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    // The first open binds the link to this browser.
    expect(first.cookies).toEqual([
      expect.objectContaining({
        name: 'portal_mfa_setup',
        httpOnly: true,
        sameSite: 'Strict',
        path: '/api/v1/mfa-setup',
      }),
    ]);
    const device = first.json();
    expect(device).toMatchObject({
      userName: 'bob',
      accountId: '111111111111',
      serialNumber: 'arn:aws:iam::111111111111:mfa/bob',
    });
    expect(device.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(device.qrCodePng).toMatch(/^data:image\/png;base64,/);
    // Opening again shows the same device; IAM gets no second one.
    const second = (await open(token)).json();
    expect(second.serialNumber).toBe(device.serialNumber);
    expect(second.secret).toBe(device.secret);

    const wrong = await complete(token, '000000', '111111');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toBe('invalid_mfa_codes');

    const [code1, code2] = consecutiveCodes(device.secret);
    const done = await complete(token, code1, code2);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toEqual({ userName: 'bob', serialNumber: device.serialNumber, mfaEnabled: true });

    // The dashboard shows it at once, without waiting for the next scan.
    const after = await dashboardRow('bob');
    expect(after.user).toMatchObject({ mfaActive: true, mfaDeviceCount: 1, virtualMfaCount: 1 });
    expect(after.summary.withMfa).toBe(before.summary.withMfa + 1);
    expect(after.summary.consoleWithoutMfa).toBe(before.summary.consoleWithoutMfa - 1);
    // The secret is gone from the database once set up.
    const stored = await portal.database.prisma.mfaSetupLink.findFirst({ where: { userName: 'bob' } });
    expect(stored).toMatchObject({ sealedSecret: null });
    expect(stored?.completedAt).not.toBeNull();

    // The link is spent.
    for (const reuse of [await open(token), await complete(token, code1, code2)]) {
      expect(reuse.statusCode).toBe(404);
      expect(reuse.json().error).toBe('setup_link_invalid');
    }

    // An admin enrolls bob, and bob signs in with a code from his new device.
    const enroll = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/admin/users/bob/enroll',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
    });
    expect(enroll.statusCode, enroll.body).toBe(201);
    portal.advance(30);
    const signInResponse = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName: 'bob', code: codeAtStep(device.secret, timeStepAt(portal.now())) },
    });
    expect(signInResponse.statusCode, signInResponse.body).toBe(200);

    // A later scan agrees (the credential report may be older; the device listing is live).
    await scanNow(portal);
    expect((await dashboardRow('bob')).user).toMatchObject({ mfaActive: true, virtualMfaCount: 1, enrolled: true });

    const actions = (
      await portal.database.prisma.auditEvent.findMany({
        where: { action: { startsWith: 'mfa_setup.' } },
        orderBy: { seq: 'asc' },
      })
    ).map((e) => `${e.actor} ${e.action} ${e.outcome}`);
    // Every open is audited (a behaviour added with binding links to the first browser).
    expect(actions).toEqual([
      'carol mfa_setup.link_create success',
      'bob mfa_setup.open success',
      'bob mfa_setup.device_create success',
      'bob mfa_setup.open success',
      'bob mfa_setup.complete failure',
      'bob mfa_setup.complete success',
    ]);
    // Neither the link's token nor the device's secret is stored in the clear anywhere.
    const everything = JSON.stringify([
      await portal.database.prisma.auditEvent.findMany(),
      await portal.database.prisma.mfaSetupLink.findMany(),
    ]);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(device.secret);
    expect(redactUrl(`/api/v1/mfa-setup/${token}?x=1`)).toBe('/api/v1/mfa-setup/[redacted]?x=[redacted]');
    expect(redactUrl(`/api/v1/mfa-setup/open?token=${token}&limit`)).toBe(
      '/api/v1/mfa-setup/open?token=[redacted]&limit',
    );
    expect(redactUrl('/api/v1/mfa-setup/open')).toBe('/api/v1/mfa-setup/open');
  });

  it('refuses expired, replaced and unknown links with one answer each', async () => {
    const expired = await tokenFor('gina');
    await portal.database.prisma.mfaSetupLink.updateMany({
      where: { userName: 'gina', consumedAt: null },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const response = await open(expired);
    expect(response.statusCode).toBe(410);
    expect(response.json().error).toBe('setup_link_expired');

    const replaced = await tokenFor('gina');
    const abandoned = (await open(replaced)).json().serialNumber as string;
    const current = await tokenFor('gina');
    expect((await open(replaced)).statusCode).toBe(404);
    // The replaced link's device, never enabled, is removed from IAM; the new link gets its own.
    expect(portal.emulator.store.state.unassignedMfaDevices.map((d) => d.serial)).not.toContain(abandoned);
    expect((await open(current)).statusCode).toBe(200);

    for (const bad of ['x'.repeat(43), 'short', '%00', 'a'.repeat(64)]) {
      const answer = await open(bad);
      expect(answer.statusCode, bad).toBe(404);
      expect(Object.keys(answer.json()).sort()).toEqual(['error', 'message', 'requestId']);
    }
    expect((await open('a'.repeat(65))).statusCode).toBe(400);
  });

  it('sweeps links that expired after being opened: the secret goes and the unused device leaves IAM', async () => {
    const token = await tokenFor('gina');
    const serial = (await open(token)).json().serialNumber as string;
    expect(portal.emulator.store.state.unassignedMfaDevices.map((d) => d.serial)).toContain(serial);
    await portal.database.prisma.mfaSetupLink.updateMany({
      where: { deviceSerial: serial },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await portal.app.services.housekeeping.sweepNow();
    expect(portal.emulator.store.state.unassignedMfaDevices.map((d) => d.serial)).not.toContain(serial);
    const link = await portal.database.prisma.mfaSetupLink.findFirst({ where: { deviceSerial: serial } });
    expect(link).toMatchObject({ sealedSecret: null, consumedAt: expect.any(Date) });
  });

  it('spends a link after too many wrong codes', async () => {
    const token = await tokenFor('=cmd');
    expect((await open(token)).statusCode).toBe(200);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const answer = await complete(token, '123456', '654321');
      expect(answer.statusCode).toBe(400);
    }
    expect((await open(token)).statusCode).toBe(404);
  });

  it('answers clearly for users who have MFA, do not exist, or bad codes', async () => {
    const hasMfa = await createLink('alice');
    expect(hasMfa.statusCode).toBe(409);
    expect(hasMfa.json().error).toBe('mfa_already_active');
    const unknown = await createLink('nobody');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('unknown_user');
    const invalid = await createLink('bad name');
    expect(invalid.statusCode).toBe(400);

    const token = await tokenFor('dave');
    const notOpened = await complete(token, '123456', '654321');
    expect(notOpened.statusCode).toBe(409);
    expect(notOpened.json().error).toBe('setup_not_opened');
    await open(token);
    for (const payload of [
      { code1: '12345', code2: '123456' },
      { code1: 'abcdef', code2: '123456' },
    ]) {
      const answer = await complete(token, payload.code1, payload.code2);
      expect(answer.statusCode).toBe(400);
    }
    const missing = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/mfa-setup/complete',
      headers: { cookie: bindings.get(token)! },
      payload: { token, code1: '123456' },
    });
    expect(missing.statusCode).toBe(400);
  });

  it('shows the secret to the first browser only: other opens are refused and audited with their address', async () => {
    const token = await tokenFor('gina');
    const owner = await open(token, { remoteAddress: '198.51.100.7' });
    expect(owner.statusCode, owner.body).toBe(200);
    const { secret, serialNumber } = owner.json();

    // The same link from another browser (no cookie, or a made-up one): no secret, no second device.
    for (const cookie of ['', `portal_mfa_setup=${'A'.repeat(43)}`]) {
      const other = await open(token, { cookie, remoteAddress: '203.0.113.9' });
      expect(other.statusCode).toBe(403);
      expect(other.json()).toMatchObject({ error: 'setup_link_in_use' });
      expect(other.body).not.toContain(secret);
      expect(other.cookies).toEqual([]);
    }
    const [code1, code2] = consecutiveCodes(secret);
    const stolen = await complete(token, code1, code2, '');
    expect(stolen.statusCode).toBe(403);
    expect(portal.emulator.store.state.unassignedMfaDevices.map((d) => d.serial)).toContain(serialNumber);

    const link = await portal.database.prisma.mfaSetupLink.findFirstOrThrow({
      where: { userName: 'gina', consumedAt: null },
    });
    const events = (
      await portal.database.prisma.auditEvent.findMany({
        where: { action: { in: ['mfa_setup.open', 'mfa_setup.complete'] } },
        orderBy: { seq: 'asc' },
      })
    ).filter((e) => (e.metadata as { linkId?: string } | null)?.linkId === link.id);
    expect(events.map((e) => `${e.action} ${e.outcome} ${e.sourceIp} ${e.errorCode ?? ''}`.trim())).toEqual([
      'mfa_setup.open success 198.51.100.7',
      'mfa_setup.open denied 203.0.113.9 setup_link_in_use',
      'mfa_setup.open denied 203.0.113.9 setup_link_in_use',
      'mfa_setup.complete denied 127.0.0.1 setup_link_in_use',
    ]);

    // The owner's browser finishes the setup.
    expect((await complete(token, code1, code2)).statusCode).toBe(200);
  });

  it('takes the token only in a request body, never in a path that proxies log', async () => {
    const token = await tokenFor('dave');
    for (const method of ['GET', 'POST'] as const) {
      const inPath = await portal.app.inject({ method, url: `/api/v1/mfa-setup/${token}`, payload: {} });
      expect(inPath.statusCode).toBe(404);
      expect(inPath.body).not.toContain('secret');
    }
    const inQuery = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/mfa-setup/open?token=${token}`,
      payload: {},
    });
    expect(inQuery.statusCode).toBe(400);
    const link = await portal.database.prisma.mfaSetupLink.findFirstOrThrow({
      where: { userName: 'dave', consumedAt: null },
    });
    expect(link).toMatchObject({ deviceSerial: null, bindingHash: null });
  });

  it('binds a link to one browser when many open it at once, and creates one device', async () => {
    const token = await tokenFor('dave');
    const devicesBefore = portal.emulator.store.state.unassignedMfaDevices.length;
    const opens = await Promise.all(
      Array.from({ length: 12 }, (_, i) => open(token, { cookie: '', remoteAddress: `203.0.113.${i + 1}` })),
    );
    const owners = opens.filter((r) => r.statusCode === 200);
    expect(owners).toHaveLength(1);
    expect(owners[0]!.cookies.map((c) => c.name)).toEqual(['portal_mfa_setup']);
    const others = opens.filter((r) => r.statusCode !== 200);
    expect(others).toHaveLength(11);
    for (const other of others) {
      expect(other.statusCode).toBe(403);
      expect(other.json().error).toBe('setup_link_in_use');
      expect(other.cookies).toEqual([]);
    }
    expect(portal.emulator.store.state.unassignedMfaDevices.length - devicesBefore).toBe(1);
  });
});
