import { describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatement } from '../state/state-file.ts';
import { type Decision, evaluateTrustPolicy, type TrustRequest, UnsupportedPolicyError } from './evaluate.ts';

const TRUSTING = '111111111111';
const TRUSTED = '222222222222';
const ROLE = `arn:aws:iam::${TRUSTING}:role/CrossAccountRole`;
const alice = { arn: `arn:aws:iam::${TRUSTING}:user/alice`, account: TRUSTING };
const richard = { arn: `arn:aws:iam::${TRUSTED}:user/Richard`, account: TRUSTED };

const assume = (
  principal: TrustRequest['principal'],
  keys: TrustRequest['keys'] = {},
  action = 'sts:AssumeRole',
): TrustRequest => ({
  action,
  resource: ROLE,
  principal,
  keys,
});
const trust = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const decide = (doc: PolicyDocument, req: TrustRequest): Decision => evaluateTrustPolicy(doc, req).decision;

// IAM User Guide, "Configuring MFA-protected API access": cross-account delegation with MFA.
const mfaTrust: PolicyDocument = {
  Version: '2012-10-17',
  Statement: {
    Effect: 'Allow',
    Principal: { AWS: TRUSTED },
    Action: 'sts:AssumeRole',
    Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
  },
};

describe('trust policy with Bool aws:MultiFactorAuthPresent "true"', () => {
  it('admits a principal of the trusted account that signed in with MFA', () => {
    expect(evaluateTrustPolicy(mfaTrust, assume(richard, { 'aws:MultiFactorAuthPresent': 'true' }))).toEqual({
      decision: 'Allow',
      reason: 'Allowed by statement 0 of the trust policy',
      matchedStatement: { effect: 'Allow', index: 0 },
    });
  });

  it('refuses long-term keys, sessions without MFA, and other accounts', () => {
    expect(evaluateTrustPolicy(mfaTrust, assume(richard))).toEqual({
      decision: 'ImplicitDeny',
      reason: `The trust policy does not allow ${richard.arn} to perform sts:AssumeRole`,
    });
    expect(decide(mfaTrust, assume(richard, { 'aws:MultiFactorAuthPresent': 'false' }))).toBe('ImplicitDeny');
    expect(decide(mfaTrust, assume(alice, { 'aws:MultiFactorAuthPresent': 'true' }))).toBe('ImplicitDeny');
  });

  it('does not admit other actions', () => {
    expect(
      decide(mfaTrust, assume(richard, { 'aws:MultiFactorAuthPresent': 'true' }, 'sts:AssumeRoleWithWebIdentity')),
    ).toBe('ImplicitDeny');
  });
});

describe('trust policy with NumericLessThan aws:MultiFactorAuthAge 3600', () => {
  const recentMfa = trust({
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${TRUSTING}:root` },
    Action: 'sts:AssumeRole',
    Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
  });
  it('admits only a recent MFA sign-in', () => {
    expect(decide(recentMfa, assume(alice))).toBe('ImplicitDeny');
    expect(decide(recentMfa, assume(alice, { 'aws:MultiFactorAuthAge': '100' }))).toBe('Allow');
    expect(decide(recentMfa, assume(alice, { 'aws:MultiFactorAuthAge': '4000' }))).toBe('ImplicitDeny');
  });
});

describe('Null aws:MultiFactorAuthAge deny pattern', () => {
  const doc = trust(
    { Effect: 'Allow', Principal: { AWS: TRUSTING }, Action: 'sts:AssumeRole' },
    {
      Sid: 'DenyWithoutMfa',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sts:AssumeRole',
      Condition: { Null: { 'aws:MultiFactorAuthAge': 'true' } },
    },
  );
  it('denies callers without MFA explicitly and admits MFA callers', () => {
    expect(evaluateTrustPolicy(doc, assume(alice))).toEqual({
      decision: 'ExplicitDeny',
      reason: 'Explicitly denied by statement 1 (Sid "DenyWithoutMfa") of the trust policy',
      matchedStatement: { sid: 'DenyWithoutMfa', effect: 'Deny', index: 1 },
    });
    expect(decide(doc, assume(alice, { 'aws:MultiFactorAuthPresent': 'false' }))).toBe('ExplicitDeny');
    expect(decide(doc, assume(alice, { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '5' }))).toBe(
      'Allow',
    );
  });
});

describe('cross-account trust with sts:ExternalId', () => {
  const doc = trust({
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': 'Unique-ID-1234' } },
  });
  it('requires the exact external ID from the trusted account', () => {
    expect(decide(doc, assume(richard, { 'sts:ExternalId': 'Unique-ID-1234' }))).toBe('Allow');
    expect(decide(doc, assume(richard, { 'sts:ExternalId': 'unique-id-1234' }))).toBe('ImplicitDeny');
    expect(decide(doc, assume(richard))).toBe('ImplicitDeny');
    expect(decide(doc, assume(alice, { 'sts:ExternalId': 'Unique-ID-1234' }))).toBe('ImplicitDeny');
  });
});

describe('Principal forms', () => {
  const admits = (principal: PolicyStatement['Principal'], caller: TrustRequest['principal']): Decision =>
    decide(trust({ Effect: 'Allow', Principal: principal as never, Action: 'sts:AssumeRole' }), assume(caller));
  const roleSession = { arn: `arn:aws:iam::${TRUSTED}:role/Deployer`, account: TRUSTED };
  const root = { arn: `arn:aws:iam::${TRUSTED}:root`, account: TRUSTED };

  it('"*" and {"AWS": "*"} admit everyone', () => {
    expect(admits('*', richard)).toBe('Allow');
    expect(admits({ AWS: '*' }, alice)).toBe('Allow');
  });

  it('an account ID or its root ARN admits every principal of that account', () => {
    for (const principal of [{ AWS: TRUSTED }, { AWS: `arn:aws:iam::${TRUSTED}:root` }]) {
      expect(admits(principal, richard)).toBe('Allow');
      expect(admits(principal, roleSession)).toBe('Allow');
      expect(admits(principal, root)).toBe('Allow');
      expect(admits(principal, alice)).toBe('ImplicitDeny');
    }
  });

  it('a user ARN admits exactly that user', () => {
    expect(admits({ AWS: richard.arn }, richard)).toBe('Allow');
    expect(admits({ AWS: richard.arn }, { arn: `arn:aws:iam::${TRUSTED}:user/bob`, account: TRUSTED })).toBe(
      'ImplicitDeny',
    );
    expect(admits({ AWS: richard.arn }, root)).toBe('ImplicitDeny');
  });

  it('a role ARN admits sessions of that role (the caller passes the role ARN)', () => {
    expect(admits({ AWS: roleSession.arn }, roleSession)).toBe('Allow');
    expect(admits({ AWS: `arn:aws:iam::${TRUSTED}:role/Other` }, roleSession)).toBe('ImplicitDeny');
  });

  it('a list admits any listed principal', () => {
    expect(admits({ AWS: [alice.arn, TRUSTED] }, richard)).toBe('Allow');
    expect(admits({ AWS: [alice.arn], Service: 'ec2.amazonaws.com' }, alice)).toBe('Allow');
  });

  it('Service and Federated principals never match an AWS principal', () => {
    expect(admits({ Service: 'ec2.amazonaws.com' }, alice)).toBe('ImplicitDeny');
    expect(admits({ Federated: 'arn:aws:iam::111111111111:saml-provider/Okta' }, alice)).toBe('ImplicitDeny');
  });

  it('refuses principal forms AWS rejects or the emulator cannot match', () => {
    expect(() => admits({ AWS: `arn:aws:iam::${TRUSTED}:user/*` }, richard)).toThrow(
      new UnsupportedPolicyError(
        `Unsupported AWS principal 'arn:aws:iam::${TRUSTED}:user/*' in Principal of statement 0 of the trust policy`,
      ),
    );
    expect(() => admits({ AWS: `arn:aws:iam::${TRUSTED}:group/Admins` }, richard)).toThrow(UnsupportedPolicyError);
    expect(() => admits({ Aws: TRUSTED } as never, richard)).toThrow(/Unsupported principal type 'Aws'/);
    expect(() => admits('everyone' as never, richard)).toThrow(/Malformed Principal/);
    expect(() => admits({ AWS: [] }, richard)).toThrow(/Malformed Principal/);
    expect(() => admits({}, richard)).toThrow(
      /Malformed Principal in statement 0 of the trust policy: it names no principal/,
    );
  });
});

describe('NotPrincipal (Deny only)', () => {
  const exceptBob = trust(
    { Effect: 'Allow', Principal: { AWS: TRUSTING }, Action: 'sts:AssumeRole' },
    {
      Effect: 'Deny',
      NotPrincipal: { AWS: [`arn:aws:iam::${TRUSTING}:user/bob`, `arn:aws:iam::${TRUSTING}:root`] },
      Action: 'sts:AssumeRole',
    },
  );
  const bob = { arn: `arn:aws:iam::${TRUSTING}:user/bob`, account: TRUSTING };

  it('denies everyone except the named principals (AWS example: user plus its account)', () => {
    expect(decide(exceptBob, assume(bob))).toBe('Allow');
    expect(decide(exceptBob, assume(alice))).toBe('ExplicitDeny');
    expect(decide(exceptBob, assume({ arn: `arn:aws:iam::${TRUSTING}:root`, account: TRUSTING }))).toBe('Allow');
  });

  it('an account entry exempts only the account root, not its users', () => {
    const exceptAccount = trust(
      { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
      { Effect: 'Deny', NotPrincipal: { AWS: TRUSTING }, Action: 'sts:AssumeRole' },
    );
    expect(decide(exceptAccount, assume(alice))).toBe('ExplicitDeny');
  });

  it('is refused with Allow', () => {
    const doc = trust({ Effect: 'Allow', NotPrincipal: { AWS: alice.arn }, Action: 'sts:AssumeRole' });
    expect(() => decide(doc, assume(richard))).toThrow(/Unsupported NotPrincipal with "Allow" in statement 0/);
  });
});

describe('trust policy structure', () => {
  it('needs a Principal or NotPrincipal in every statement, and not both', () => {
    expect(() => decide(trust({ Effect: 'Allow', Action: 'sts:AssumeRole' }), assume(alice))).toThrow(
      /exactly one of Principal or NotPrincipal/,
    );
    expect(() =>
      decide(
        trust({ Effect: 'Deny', Principal: '*', NotPrincipal: { AWS: '*' }, Action: 'sts:AssumeRole' }),
        assume(alice),
      ),
    ).toThrow(UnsupportedPolicyError);
  });

  it('needs an Action, but no Resource; a Resource, when present, must match the role', () => {
    expect(() => decide(trust({ Effect: 'Allow', Principal: '*' }), assume(alice))).toThrow(
      /neither Action nor NotAction/,
    );
    expect(
      decide(trust({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: ROLE }), assume(alice)),
    ).toBe('Allow');
    expect(
      decide(trust({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: `${ROLE}2` }), assume(alice)),
    ).toBe('ImplicitDeny');
  });

  it('checks conditions only of statements whose principal matches', () => {
    const doc = trust(
      { Effect: 'Allow', Principal: { AWS: TRUSTING }, Action: 'sts:AssumeRole' },
      {
        Effect: 'Deny',
        Principal: { AWS: TRUSTED },
        Action: 'sts:AssumeRole',
        Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
    );
    expect(decide(doc, assume(alice))).toBe('Allow');
    expect(() => decide(doc, assume(richard))).toThrow(
      /Unsupported condition operator 'IpAddress' in statement 1 of the trust policy/,
    );
  });

  it('accepts the Action wildcard forms and tag-session style companions', () => {
    const doc = trust({ Effect: 'Allow', Principal: { AWS: TRUSTING }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    expect(decide(doc, assume(alice, {}, 'sts:TagSession'))).toBe('Allow');
    expect(decide(trust({ Effect: 'Allow', Principal: { AWS: TRUSTING }, Action: 'sts:*' }), assume(alice))).toBe(
      'Allow',
    );
  });
});
