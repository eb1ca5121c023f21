import { describe, expect, it } from 'vitest';
import { trustPolicyMfaRequirement } from './trust-policy.ts';

const trust = (condition?: object, principal: unknown = { AWS: 'arn:aws:iam::111111111111:root' }) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) },
  ],
});

describe('trustPolicyMfaRequirement', () => {
  it('sees Bool aws:MultiFactorAuthPresent true', () => {
    expect(trustPolicyMfaRequirement(trust({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }))).toEqual({
      requiresMfa: true,
      maxAgeSeconds: null,
    });
  });

  it('reads the MFA age bound', () => {
    const doc = trust({
      Bool: { 'aws:MultiFactorAuthPresent': true },
      NumericLessThan: { 'aws:multifactorauthage': '3600' },
    });
    expect(trustPolicyMfaRequirement(doc)).toEqual({ requiresMfa: true, maxAgeSeconds: 3600 });
  });

  it('reports roles anyone in the account may assume without MFA', () => {
    expect(trustPolicyMfaRequirement(trust())).toEqual({ requiresMfa: false, maxAgeSeconds: null });
    expect(
      trustPolicyMfaRequirement(trust({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } })).requiresMfa,
    ).toBe(false);
  });

  it('is false when one of several statements lets principals in without MFA', () => {
    const doc = trust({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
    doc.Statement.push({ Effect: 'Allow', Principal: { AWS: '222222222222' }, Action: 'sts:AssumeRole' });
    expect(trustPolicyMfaRequirement(doc).requiresMfa).toBe(false);
  });

  it('treats unreadable documents and service-only roles as not requiring MFA', () => {
    expect(trustPolicyMfaRequirement(null).requiresMfa).toBe(false);
    expect(trustPolicyMfaRequirement(trust(undefined, { Service: 'ec2.amazonaws.com' })).requiresMfa).toBe(false);
  });
});
