import { beforeAll, describe, expect, it } from 'vitest';
import type { CisFailingPage, CisResults, ExemptionList } from '../src/routes/admin-cis-schemas.ts';
import type { CompliancePage } from '../src/routes/admin-schemas.ts';
import { complianceState, type SignedIn, scanNow, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { testDatabaseUrls } from './test-databases.ts';

const DAY = 86_400_000;

/**
 * The exemptions list the admin console's Exemptions screen and dashboard figures are built on:
 * what the latest scan says of each exempt user's keys (so the console can count exempt users
 * apart from "keys work without MFA"), expired ones marked, the server's limits answered as 4xx,
 * and two admins ending the same exemption at once.
 */
describe.each(testDatabaseUrls())('compliance exemptions ($name)', (provider) => {
  const harness = useEnrolledPortal(provider, { state: complianceState() });
  let admin: SignedIn;

  beforeAll(async () => {
    admin = await signIn(harness(), 'carol');
  });

  const get = async <T>(url: string): Promise<T> => {
    const response = await harness().app.inject({ method: 'GET', url, headers: { cookie: admin.cookie } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as T;
  };
  const send = (method: 'PUT' | 'DELETE', userName: string, payload?: object) =>
    harness().app.inject({
      method,
      url: `/api/v1/admin/compliance/exemptions/${encodeURIComponent(userName)}`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      ...(payload ? { payload } : {}),
    });
  const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

  it('lists nothing before the first scan, and says how long an exemption may last', async () => {
    expect(await get<ExemptionList>('/api/v1/admin/compliance/exemptions')).toEqual({
      scanId: null,
      maxDays: 366,
      exemptions: [],
    });
  });

  it('answers a bad reason or expiry with a 4xx in the one error shape, and stores nothing', async () => {
    const cases: Array<[object, number, string]> = [
      [{ reason: '   ', expiresAt: inDays(30) }, 400, 'invalid_reason'],
      [{ reason: 'CI', expiresAt: inDays(367) }, 400, 'invalid_expiry'],
      [{ reason: 'CI', expiresAt: inDays(-1) }, 400, 'invalid_expiry'],
      [{ reason: 'CI', expiresAt: 'next tuesday' }, 400, 'invalid_request'],
      [{ reason: 'x'.repeat(501), expiresAt: inDays(30) }, 400, 'invalid_request'],
      [{ expiresAt: inDays(30) }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of cases) {
      const response = await send('PUT', 'portal', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(response.json(), JSON.stringify(body)).toMatchObject({ error: code, message: expect.any(String) });
    }
    expect((await send('PUT', 'portal', { reason: 'CI', expiresAt: inDays(367) })).json().message).toBe(
      'An exemption may last at most 366 days.',
    );
    expect((await get<ExemptionList>('/api/v1/admin/compliance/exemptions')).exemptions).toEqual([]);
  });

  it("tells each exempt user's keys from the latest scan, so the console can count them apart", async () => {
    await scanNow(harness());
    const page = await get<CompliancePage>('/api/v1/admin/compliance?limit=1');
    const keysWork = page.summary!.keysWorkWithoutMfa;
    expect(keysWork).toBeGreaterThanOrEqual(2);

    for (const userName of ['portal', 'gina', 'not-in-the-account'])
      expect(
        (await send('PUT', userName, { reason: `${userName}: service identity`, expiresAt: inDays(30) })).statusCode,
      ).toBe(200);
    const list = await get<ExemptionList>('/api/v1/admin/compliance/exemptions');
    expect(list.scanId).toBe(page.scanId);
    expect(list.exemptions.map((e) => [e.userName, e.active, e.keysWorkWithoutMfa, e.createdBy])).toEqual([
      ['gina', true, 'yes', 'carol'],
      ['not-in-the-account', true, null, 'carol'],
      ['portal', true, 'yes', 'carol'],
    ]);

    // The console's split (active exemptions whose keys work without MFA) is the CIS table's.
    const counted = list.exemptions.filter((e) => e.active && e.keysWorkWithoutMfa === 'yes').length;
    const cis = (await get<CisResults>('/api/v1/admin/compliance/cis')).checks.find(
      (c) => c.id === 'keys_work_without_mfa',
    )!;
    expect(cis.exempt).toBe(counted);
    expect(cis.failing).toBe(keysWork - counted);
  });

  it('marks an exemption past its expiry as no longer active, counted again at once, and listed until removed', async () => {
    const keysCheck = async () =>
      (await get<CisResults>('/api/v1/admin/compliance/cis')).checks.find((c) => c.id === 'keys_work_without_mfa')!;
    const before = await keysCheck();
    await harness().database.prisma.complianceExemption.update({
      where: { userNameKey: 'gina' },
      data: { expiresAt: new Date(Date.now() - 60_000) },
    });
    const gina = (await get<ExemptionList>('/api/v1/admin/compliance/exemptions')).exemptions.find(
      (e) => e.userName === 'gina',
    );
    expect(gina).toMatchObject({ active: false, keysWorkWithoutMfa: 'yes' });
    // The CIS table agrees without waiting for the next scan.
    expect(await keysCheck()).toMatchObject({ failing: before.failing + 1, exempt: before.exempt - 1 });
    const failing = await get<CisFailingPage>('/api/v1/admin/compliance/cis/keys_work_without_mfa');
    expect(failing.users.find((u) => u.userName === 'gina')?.exempt).toBe(false);
    expect((await send('DELETE', 'gina')).statusCode).toBe(204);
  });

  it('ends an exemption once when two admins end it at the same time', async () => {
    expect((await send('PUT', 'portal', { reason: 'the portal itself', expiresAt: inDays(7) })).statusCode).toBe(200);
    const before = await harness().database.prisma.auditEvent.count({
      where: { action: 'compliance.exemption_remove' },
    });
    const answers = await Promise.all([send('DELETE', 'portal'), send('DELETE', 'portal'), send('DELETE', 'portal')]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([204, 404, 404]);
    for (const answer of answers.filter((a) => a.statusCode === 404))
      expect(answer.json()).toMatchObject({ error: 'not_exempt', message: 'portal has no exemption.' });
    const after = await harness().database.prisma.auditEvent.count({
      where: { action: 'compliance.exemption_remove' },
    });
    expect(after - before).toBe(1);
    const left = (await get<ExemptionList>('/api/v1/admin/compliance/exemptions')).exemptions;
    expect(left.map((e) => e.userName)).not.toContain('portal');
  });
});
