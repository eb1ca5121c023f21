import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, CatalogRoles, ImportableRoles } from '../src/routes/admin-schemas.ts';
import { type SignedIn, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { ACCOUNT, type PortalHarness } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

describe.each(testDatabaseUrls())('admin audit log and role catalog ($name)', (provider) => {
  const harness = useEnrolledPortal(provider);
  let portal: PortalHarness;
  let admin: SignedIn;
  let startedAt: string;

  beforeAll(async () => {
    portal = harness();
    startedAt = new Date(Date.now() - 1000).toISOString();
    admin = await signIn(portal, 'carol');
    // Some history: a failed sign-in, and alice getting credentials for the readonly role.
    await portal.app.inject({ method: 'POST', url: '/api/v1/session', payload: { userName: 'alice', code: '000000' } });
    const alice = await signIn(portal, 'alice');
    const issued = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrfToken },
      payload: { role: 'readonly' },
    });
    expect(issued.statusCode, issued.body).toBe(200);
  });

  const get = (url: string) => portal.app.inject({ method: 'GET', url, headers: { cookie: admin.cookie } });
  const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    portal.app.inject({
      method,
      url,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      ...(payload ? { payload } : {}),
    });
  const events = async (query = ''): Promise<AuditEvent[]> => {
    const response = await get(`/api/v1/admin/audit?limit=500${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().events;
  };

  it('lists events newest first and filters by actor, action, outcome, role and time', async () => {
    const all = await events();
    expect(all.length).toBeGreaterThanOrEqual(8);
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => b - a));

    const byAlice = await events('&actor=alice');
    expect(byAlice.length).toBeGreaterThan(0);
    expect(byAlice.every((e) => e.actor === 'alice')).toBe(true);
    const failures = await events('&outcome=failure');
    expect(failures.map((e) => `${e.actor} ${e.action}`)).toEqual(['alice session.sign_in']);
    const signIns = await events('&action=session.sign_in&outcome=success');
    expect(signIns.map((e) => e.actor)).toEqual(['alice', 'carol']);
    const readonly = await events(`&roleArn=${encodeURIComponent(`arn:aws:iam::${ACCOUNT}:role/ReadOnly`)}`);
    expect(readonly.map((e) => `${e.actor} ${e.action}`)).toContain('alice credentials.issue');
    expect(readonly.every((e) => e.targetRoleArn === `arn:aws:iam::${ACCOUNT}:role/ReadOnly`)).toBe(true);
    expect(await events(`&from=${encodeURIComponent(startedAt)}`)).toHaveLength(
      all.filter((e) => e.time >= startedAt).length,
    );
    expect(await events(`&to=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).toEqual([]);
  });

  it('pages with a cursor through exactly the unpaged list', async () => {
    const all = await events();
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const response = await get(`/api/v1/admin/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      const body = response.json();
      expect(body.events.length).toBeLessThanOrEqual(3);
      seen.push(...body.events.map((e: AuditEvent) => e.seq));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.seq));
  });

  it('exports CSV and JSON with the same rows, and verifies the chain', async () => {
    const all = await events('&actor=alice');
    const json = await get('/api/v1/admin/audit.json?actor=alice');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-disposition']).toContain('audit-log.json');
    expect((JSON.parse(json.body) as AuditEvent[]).map((e) => e.seq)).toEqual(all.map((e) => e.seq));
    const csv = await get('/api/v1/admin/audit.csv?actor=alice');
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'seq,time,actor,action,outcome,target_role_arn,role_session_name,error_code,source_ip,user_agent,request_id,metadata,prev_hash,hash',
    );
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(all.map((e) => e.seq));
    // Metadata is JSON with commas and quotes: one quoted cell.
    expect(lines[1]).toMatch(/,"\{""/);

    const verify = await get('/api/v1/admin/audit/verify');
    expect(verify.json()).toMatchObject({ ok: true, brokenAtSeq: null });
    expect(verify.json().checked).toBeGreaterThanOrEqual(all.length);
    // The page's next open reads only new rows; "Check again" asks for every row.
    const again = await get('/api/v1/admin/audit/verify');
    expect(again.json()).toMatchObject({ ok: true, scope: 'new_rows', fullCheckAt: verify.json().fullCheckAt });
    const full = await get('/api/v1/admin/audit/verify?full=true');
    expect(full.json()).toMatchObject({ ok: true, scope: 'full' });
    expect(full.json().checked).toBe(again.json().checked);
    expect((await get('/api/v1/admin/audit/verify?full=maybe')).statusCode).toBe(400);
  });

  it('rejects bad filters with the one error shape', async () => {
    for (const query of [
      'cursor=abc',
      'outcome=maybe',
      'action=DROP%20TABLE',
      'from=yesterday',
      'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
      `actor=${'a'.repeat(129)}`,
      'limit=501',
      'other=1',
    ]) {
      const response = await get(`/api/v1/admin/audit?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(Object.keys(response.json()).sort()).toEqual(['error', 'message', 'requestId']);
    }
    expect((await get('/api/v1/admin/audit.csv?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).statusCode).toBe(
      400,
    );
  });

  it('lists the catalog with a warning for roles whose trust policy does not require MFA', async () => {
    const response = await get('/api/v1/admin/roles');
    expect(response.statusCode).toBe(200);
    const roles = Object.fromEntries((response.json() as CatalogRoles).roles.map((r) => [r.alias, r]));
    expect(Object.keys(roles).sort()).toEqual(['admin', 'deploy', 'partner', 'readonly']);
    expect(roles.readonly).toMatchObject({ trustRequiresMfa: true, warning: null });
    expect(roles.admin).toMatchObject({ trustRequiresMfa: true, warning: null, mfaMaxAgeSeconds: 3600 });
    expect(roles.deploy).toMatchObject({ trustRequiresMfa: false, warning: 'trust_does_not_require_mfa' });
    expect(roles.partner).toMatchObject({
      trustRequiresMfa: null,
      warning: 'trust_not_readable',
      externalId: 'partner-audit-7f3a',
    });
  });

  it("offers the account's roles for import with their MFA requirement", async () => {
    const response = await get('/api/v1/admin/roles/importable');
    expect(response.statusCode, response.body).toBe(200);
    const { roles } = response.json() as ImportableRoles;
    expect(roles.map((r) => [r.roleName, r.trustRequiresMfa, r.catalogAliases])).toEqual([
      ['Admin', true, ['admin']],
      ['Deploy', false, ['deploy']],
      ['ReadOnly', true, ['readonly']],
    ]);
  });

  it('adds, edits and removes roles, auditing each change under the admin', async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/ReadOnly`;
    const added = await send('POST', '/api/v1/admin/roles', {
      alias: 'ops-readonly',
      roleArn,
      groups: ['ops'],
      description: 'Read-only for ops',
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({
      alias: 'ops-readonly',
      roleName: 'ReadOnly',
      maxDurationSeconds: 43200,
      allowedGroups: ['ops'],
      trustRequiresMfa: true,
    });
    expect(
      (await send('POST', '/api/v1/admin/roles', { alias: 'ops-readonly', roleArn, groups: ['ops'] })).json().error,
    ).toBe('alias_taken');
    expect(
      (
        await send('POST', '/api/v1/admin/roles', {
          alias: 'x',
          roleArn: 'arn:aws:iam::1:role/bad arn here',
          groups: ['ops'],
        })
      ).statusCode,
    ).toBe(400);
    expect((await send('POST', '/api/v1/admin/roles', { alias: 'nobody', roleArn })).json().error).toBe('no_audience');
    expect(
      (
        await send('POST', '/api/v1/admin/roles', {
          alias: 'ghost',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/Ghost`,
          users: ['*'],
        })
      ).statusCode,
    ).toBe(404);

    const edited = await send('PATCH', '/api/v1/admin/roles/ops-readonly', {
      maxDurationSeconds: 1800,
      users: ['erin'],
      description: null,
      externalId: 'ext-id-1',
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({
      maxDurationSeconds: 1800,
      allowedUsers: ['erin'],
      allowedGroups: ['ops'],
      description: null,
      externalId: 'ext-id-1',
    });
    expect((await send('PATCH', '/api/v1/admin/roles/ops-readonly', {})).statusCode).toBe(400);
    expect((await send('PATCH', '/api/v1/admin/roles/ops-readonly', { maxDurationSeconds: 100 })).statusCode).toBe(400);
    expect((await send('PATCH', '/api/v1/admin/roles/admin', { maxDurationSeconds: 7200 })).json().error).toBe(
      'invalid_duration',
    );
    expect((await send('PATCH', '/api/v1/admin/roles/missing', { description: 'x' })).statusCode).toBe(404);

    expect((await send('DELETE', '/api/v1/admin/roles/ops-readonly')).statusCode).toBe(204);
    expect((await send('DELETE', '/api/v1/admin/roles/ops-readonly')).statusCode).toBe(404);

    const changes = await events('&actor=carol');
    expect(
      changes.filter((e) => e.action.startsWith('catalog.')).map((e) => `${e.action} ${e.metadata?.alias}`),
    ).toEqual([
      'catalog.role_remove ops-readonly',
      'catalog.role_update ops-readonly',
      'catalog.role_add ops-readonly',
    ]);
  });
});
