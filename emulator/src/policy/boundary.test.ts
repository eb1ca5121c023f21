import { describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatement } from '../state/state-file.ts';
import { evaluateWithinBoundary, type IdentityRequest, UnsupportedPolicyError } from './evaluate.ts';

const doc = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const allowAll = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
const allowS3 = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
// The "deny without MFA" statement used as a boundary, with an Allow so the boundary permits the rest.
const mfaBoundary = doc(
  { Effect: 'Allow', Action: '*', Resource: '*' },
  {
    Sid: 'DenyWithoutMfa',
    Effect: 'Deny',
    NotAction: 'sts:GetSessionToken',
    Resource: '*',
    Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
  },
);

const longTermKeys = { 'aws:username': 'alice' };
const mfaSession = { ...longTermKeys, 'aws:MultiFactorAuthPresent': 'true' };
const request = (action: string, keys: IdentityRequest['keys'] = longTermKeys): IdentityRequest => ({
  action,
  resource: '*',
  keys,
});

describe('evaluateWithinBoundary (identity policies within a permissions boundary)', () => {
  it('allows only what both the identity policies and the boundary allow', () => {
    expect(evaluateWithinBoundary([allowAll], allowS3, request('s3:ListAllMyBuckets')).decision).toBe('Allow');
    const outside = evaluateWithinBoundary([allowAll], allowS3, request('ec2:DescribeInstances'));
    expect(outside).toMatchObject({ decision: 'ImplicitDeny', deniedByBoundary: true });
    // The boundary grants nothing by itself.
    expect(evaluateWithinBoundary([], allowAll, request('s3:ListAllMyBuckets'))).toMatchObject({
      decision: 'ImplicitDeny',
    });
    expect(evaluateWithinBoundary([], allowAll, request('s3:ListAllMyBuckets')).deniedByBoundary).toBeUndefined();
  });

  it('lets an explicit Deny in the boundary win: keys without MFA are refused, an MFA session is not', () => {
    const withoutMfa = evaluateWithinBoundary([allowAll], mfaBoundary, request('s3:ListAllMyBuckets'));
    expect(withoutMfa).toMatchObject({
      decision: 'ExplicitDeny',
      deniedByBoundary: true,
      matchedStatement: { sid: 'DenyWithoutMfa', effect: 'Deny', index: 1 },
      reason: 'Explicitly denied by statement 1 (Sid "DenyWithoutMfa") of the permissions boundary',
    });
    expect(withoutMfa.matchedStatement).not.toHaveProperty('policyIndex');
    expect(evaluateWithinBoundary([allowAll], mfaBoundary, request('s3:ListAllMyBuckets', mfaSession)).decision).toBe(
      'Allow',
    );
  });

  it("reports the identity policies' own explicit Deny as theirs", () => {
    const denyS3 = doc({ Sid: 'NoS3', Effect: 'Deny', Action: 's3:*', Resource: '*' });
    expect(evaluateWithinBoundary([allowAll, denyS3], allowAll, request('s3:GetObject'))).toMatchObject({
      decision: 'ExplicitDeny',
      matchedStatement: { sid: 'NoS3', policyIndex: 1 },
    });
    expect(evaluateWithinBoundary([allowAll, denyS3], allowAll, request('s3:GetObject')).deniedByBoundary).toBe(
      undefined,
    );
  });

  it('is the plain identity evaluation without a boundary', () => {
    expect(evaluateWithinBoundary([allowS3], undefined, request('s3:GetObject')).decision).toBe('Allow');
    expect(evaluateWithinBoundary([allowS3], undefined, request('ec2:DescribeInstances')).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('refuses to decide with a malformed boundary, whatever the identity policies say', () => {
    const malformed = { Statement: [{ Effect: 'Allow', Action: '*' }] } as PolicyDocument;
    const denyAll = doc({ Effect: 'Deny', Action: '*', Resource: '*' });
    expect(() => evaluateWithinBoundary([denyAll], malformed, request('s3:GetObject'))).toThrow(UnsupportedPolicyError);
  });
});
