import { describe, expect, it } from 'vitest';
import { call, harness, userCaller } from '../../test/iam-context.ts';
import { GENERATION_MS, generateCredentialReport, getCredentialReport, REPORT_REUSE_MS } from './credential-report.ts';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

const later = (date: Date, ms: number): Date => new Date(date.getTime() + ms);

async function completedReport(): Promise<string[]> {
  const h = harness();
  await call(h, 'GenerateCredentialReport', generateCredentialReport);
  h.now = later(h.now, GENERATION_MS);
  const result = await call(h, 'GetCredentialReport', getCredentialReport);
  return Buffer.from(String(result?.Content), 'base64').toString('utf8').split('\n');
}

describe('credential report lifecycle', () => {
  it('STARTED, then INPROGRESS (Get: 404 ReportInProgress), then COMPLETE after GENERATION_MS', async () => {
    const h = harness();
    await expect(call(h, 'GetCredentialReport', getCredentialReport)).rejects.toMatchObject({
      code: 'ReportNotPresent',
      status: 410,
    });
    const started = h.now;
    expect(await call(h, 'GenerateCredentialReport', generateCredentialReport)).toEqual({
      State: 'STARTED',
      Description: 'No report exists. Starting a new report generation task',
    });
    h.now = later(started, GENERATION_MS - 1);
    expect(await call(h, 'GenerateCredentialReport', generateCredentialReport)).toEqual({ State: 'INPROGRESS' });
    await expect(call(h, 'GetCredentialReport', getCredentialReport)).rejects.toMatchObject({
      code: 'ReportInProgress',
      status: 404,
    });
    h.now = later(started, GENERATION_MS);
    expect(await call(h, 'GenerateCredentialReport', generateCredentialReport)).toEqual({ State: 'COMPLETE' });
    const report = await call(h, 'GetCredentialReport', getCredentialReport);
    expect(report).toMatchObject({ ReportFormat: 'text/csv', GeneratedTime: started });
    expect(h.authorized.every((a) => a.resource === '*')).toBe(true);
  });

  it('reuses a report younger than four hours and regenerates an older one', async () => {
    const h = harness();
    const started = h.now;
    await call(h, 'GenerateCredentialReport', generateCredentialReport);
    h.now = later(started, REPORT_REUSE_MS - 1);
    expect(await call(h, 'GenerateCredentialReport', generateCredentialReport)).toEqual({ State: 'COMPLETE' });
    h.now = later(started, REPORT_REUSE_MS);
    await expect(call(h, 'GetCredentialReport', getCredentialReport)).rejects.toMatchObject({
      code: 'ReportExpired',
      status: 410,
    });
    expect(await call(h, 'GenerateCredentialReport', generateCredentialReport)).toMatchObject({ State: 'STARTED' });
  });

  it('keeps one report per account', async () => {
    const h = harness();
    await call(h, 'GenerateCredentialReport', generateCredentialReport);
    h.caller = userCaller(h.store, 'zed', '222222222222');
    expect(await call(h, 'GenerateCredentialReport', generateCredentialReport)).toMatchObject({ State: 'STARTED' });
  });
});

describe('credential report CSV', () => {
  it('has the exact 22-column header and the root row first', async () => {
    const [header, root] = await completedReport();
    expect(header).toBe(HEADER);
    expect(header?.split(',')).toHaveLength(22);
    expect(root).toBe(
      '<root_account>,arn:aws:iam::111111111111:root,2026-01-01T00:00:00+00:00,not_supported,2026-10-01T08:00:00+00:00,' +
        'not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    );
  });

  it('renders users by name with AWS values for passwords, MFA and keys', async () => {
    const lines = await completedReport();
    const rows = Object.fromEntries(lines.slice(2).map((line) => [line.split(',')[0], line]));
    expect(Object.keys(rows)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(rows.alice).toBe(
      'alice,arn:aws:iam::111111111111:user/alice,2026-01-02T10:00:00+00:00,true,2026-11-01T09:00:00+00:00,2026-02-01T12:00:00+00:00,N/A,true,' +
        'true,2026-01-05T00:00:00+00:00,2026-11-10T07:30:00+00:00,us-east-1,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    );
    // Console user who never signed in, no MFA, no keys.
    expect(rows.bob).toBe(
      'bob,arn:aws:iam::111111111111:user/bob,2026-01-03T10:00:00+00:00,true,no_information,2026-01-03T10:00:00+00:00,N/A,false,' +
        'false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    );
    // Keys ordered by creation; an inactive key is reported false; hardware MFA counts.
    expect(rows.carol).toBe(
      'carol,arn:aws:iam::111111111111:user/ops/carol,2026-01-04T10:00:00+00:00,false,N/A,N/A,N/A,true,' +
        'true,2026-02-01T00:00:00+00:00,N/A,N/A,N/A,false,2026-03-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A',
    );
    for (const line of lines) expect(line.split(',')).toHaveLength(22);
  });

  it('quotes a user name that contains a comma, so the row still has 22 fields', async () => {
    const h = harness();
    h.store.state.users.push({ account: '111111111111', name: 'ops,team', path: '/', created: '2026-01-06T10:00:00Z' });
    await call(h, 'GenerateCredentialReport', generateCredentialReport);
    h.now = later(h.now, GENERATION_MS);
    const result = await call(h, 'GetCredentialReport', getCredentialReport);
    const line = Buffer.from(String(result?.Content), 'base64')
      .toString('utf8')
      .split('\n')
      .find((l) => l.startsWith('"ops,team"'));
    expect(line).toMatch(/^"ops,team","arn:aws:iam::111111111111:user\/ops,team",2026-01-06T10:00:00\+00:00,false,/);
  });
});
