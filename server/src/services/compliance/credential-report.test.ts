import { describe, expect, it } from 'vitest';
import { CredentialReportFormatError, type CredentialReportUser, readCredentialReport } from './credential-report.ts';

function parse(csv: string) {
  const users: CredentialReportUser[] = [];
  return { ...readCredentialReport(csv, (user) => users.push(user)), users };
}

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

describe('readCredentialReport', () => {
  it('reads the root row and users, with AWS placeholders as "no time"', () => {
    const csv = [
      HEADER,
      '<root_account>,arn:aws:iam::111111111111:root,2020-01-01T00:00:00+00:00,not_supported,2026-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,true,2020-02-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A',
      'alice,arn:aws:iam::111111111111:user/alice,2021-01-01T00:00:00+00:00,true,no_information,2021-02-01T00:00:00+00:00,N/A,false,true,2022-01-01T00:00:00+00:00,N/A,N/A,N/A,true,2023-01-01T00:00:00+00:00,2026-11-01T00:00:00+00:00,us-east-1,s3,false,N/A,false,N/A',
      'bob,arn:aws:iam::111111111111:user/bob,2021-01-01T00:00:00+00:00,false,N/A,N/A,N/A,true,false,2022-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
      '',
      'carol,"arn:aws:iam::111111111111:user/carol",2021-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    ].join('\r\n');
    const report = parse(`\uFEFF\r\n${csv}`);
    expect(report.rootMfa).toBe(true);
    // CIS 1.4: the root user's active access keys.
    expect(report.root).toEqual({ mfaActive: true, activeKeyCount: 1 });
    expect(report.users).toEqual([
      {
        userName: 'alice',
        userArn: 'arn:aws:iam::111111111111:user/alice',
        userCreatedAt: new Date('2021-01-01T00:00:00Z'),
        passwordEnabled: true,
        passwordLastUsedAt: null,
        passwordLastChangedAt: new Date('2021-02-01T00:00:00Z'),
        mfaActive: false,
        activeKeys: [
          { createdAt: new Date('2022-01-01T00:00:00Z'), lastUsedAt: null },
          { createdAt: new Date('2023-01-01T00:00:00Z'), lastUsedAt: new Date('2026-11-01T00:00:00Z') },
        ],
      },
      {
        userName: 'bob',
        userArn: 'arn:aws:iam::111111111111:user/bob',
        userCreatedAt: new Date('2021-01-01T00:00:00Z'),
        passwordEnabled: false,
        passwordLastUsedAt: null,
        passwordLastChangedAt: null,
        mfaActive: true,
        activeKeys: [],
      },
      // A blank line is skipped; a quoted cell reads as its text.
      {
        userName: 'carol',
        userArn: 'arn:aws:iam::111111111111:user/carol',
        userCreatedAt: new Date('2021-01-01T00:00:00Z'),
        passwordEnabled: false,
        passwordLastUsedAt: null,
        passwordLastChangedAt: null,
        mfaActive: false,
        activeKeys: [],
      },
    ]);
  });

  it('refuses a report without the columns it needs', () => {
    expect(() => parse('user,arn\nalice,x')).toThrow(CredentialReportFormatError);
    expect(() => parse('')).toThrow(CredentialReportFormatError);
  });
});
