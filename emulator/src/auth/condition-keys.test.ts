import { describe, expect, it } from 'vitest';
import type { Caller } from '../protocol/operation.ts';
import { callerConditionKeys } from './condition-keys.ts';

const NOW = new Date('2026-11-22T10:00:00.123Z');
const EXPIRES = new Date('2026-11-22T11:00:00Z');
const user: Caller = {
  kind: 'user',
  account: '111111111111',
  arn: 'arn:aws:iam::111111111111:user/alice',
  userName: 'alice',
  userId: 'AIDAEXAMPLE',
  accessKeyId: 'AKIA',
};

describe('callerConditionKeys', () => {
  it('leaves MFA keys absent for long-term keys', () => {
    expect(callerConditionKeys(user, NOW)).toEqual({
      'aws:CurrentTime': '2026-11-22T10:00:00Z',
      'aws:EpochTime': '1795341600',
      'aws:PrincipalAccount': '111111111111',
      'aws:PrincipalArn': 'arn:aws:iam::111111111111:user/alice',
      'aws:PrincipalType': 'User',
      'aws:username': 'alice',
      'aws:userid': 'AIDAEXAMPLE',
    });
  });

  it('says false for sessions made without MFA, and gives the age of MFA sessions', () => {
    const session = {
      ...user,
      kind: 'user-session' as const,
      issuedAt: new Date('2026-11-22T09:00:00Z'),
      expiresAt: EXPIRES,
      mfaAuthenticatedAt: null,
    };
    expect(callerConditionKeys(session, NOW)).toMatchObject({
      'aws:TokenIssueTime': '2026-11-22T09:00:00Z',
      'aws:MultiFactorAuthPresent': 'false',
      'aws:username': 'alice',
    });
    expect(callerConditionKeys(session, NOW)).not.toHaveProperty('aws:MultiFactorAuthAge');
    const mfa = { ...session, mfaAuthenticatedAt: new Date('2026-11-22T09:58:00Z') };
    expect(callerConditionKeys(mfa, NOW)).toMatchObject({
      'aws:MultiFactorAuthPresent': 'true',
      'aws:MultiFactorAuthAge': '120',
    });
  });

  it('describes role sessions by their role ARN, session user id and source identity', () => {
    const role: Caller = {
      kind: 'role-session',
      account: '111111111111',
      arn: 'arn:aws:sts::111111111111:assumed-role/Admin/alice',
      roleArn: 'arn:aws:iam::111111111111:role/Admin',
      roleName: 'Admin',
      roleId: 'AROAEXAMPLE',
      sessionName: 'alice',
      sourceIdentity: 'alice@example.com',
      accessKeyId: 'ASIA',
      mfaAuthenticatedAt: null,
      issuedAt: new Date('2026-11-22T09:30:00.000Z'),
      expiresAt: EXPIRES,
    };
    const keys = callerConditionKeys(role, NOW);
    expect(keys).toMatchObject({
      'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/Admin',
      'aws:PrincipalType': 'AssumedRole',
      'aws:TokenIssueTime': '2026-11-22T09:30:00Z',
      'aws:userid': 'AROAEXAMPLE:alice',
      'aws:SourceIdentity': 'alice@example.com',
      'aws:MultiFactorAuthPresent': 'false',
    });
    expect(keys).not.toHaveProperty('aws:username');
  });
});
