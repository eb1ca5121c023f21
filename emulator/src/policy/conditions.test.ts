import { describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatement } from '../state/state-file.ts';
import { parseDate, parseNumber } from './conditions.ts';
import { type Decision, evaluateIdentityPolicies } from './evaluate.ts';

type Condition = NonNullable<PolicyStatement['Condition']>;
type Keys = Record<string, string | string[]>;

/** Decision for an Allow-everything statement guarded by `condition`. */
const allowIf = (condition: Condition, keys: Keys, version = '2012-10-17'): Decision => {
  const doc: PolicyDocument = {
    Version: version,
    Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: condition },
  };
  return evaluateIdentityPolicies([doc], { action: 'iam:GetUser', resource: '*', keys }).decision;
};

/** Decision for a Deny-everything statement guarded by `condition`, next to an Allow of everything. */
const denyIf = (condition: Condition, keys: Keys): Decision => {
  const doc: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: condition },
    ],
  };
  return evaluateIdentityPolicies([doc], { action: 'iam:GetUser', resource: '*', keys }).decision;
};

describe('Bool', () => {
  it('compares true/false case-insensitively and does not match an absent key', () => {
    const mfa = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
    expect(allowIf(mfa, { 'aws:MultiFactorAuthPresent': 'true' })).toBe('Allow');
    expect(allowIf(mfa, { 'aws:MultiFactorAuthPresent': 'True' })).toBe('Allow');
    expect(allowIf(mfa, { 'aws:MultiFactorAuthPresent': 'false' })).toBe('ImplicitDeny');
    expect(allowIf(mfa, {})).toBe('ImplicitDeny');
    expect(allowIf(mfa, { 'aws:MultiFactorAuthPresent': 'yes' })).toBe('ImplicitDeny');
    expect(allowIf({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'true' })).toBe('Allow');
  });

  it('BoolIfExists matches an absent key', () => {
    expect(denyIf({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, {})).toBe('ExplicitDeny');
    expect(
      denyIf({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, { 'aws:MultiFactorAuthPresent': 'true' }),
    ).toBe('Allow');
  });
});

describe('String operators', () => {
  it('StringEquals is case-sensitive and exact; listed values are ORed', () => {
    const c = { StringEquals: { 'aws:username': ['alice', 'bob'] } };
    expect(allowIf(c, { 'aws:username': 'bob' })).toBe('Allow');
    expect(allowIf(c, { 'aws:username': 'Bob' })).toBe('ImplicitDeny');
    expect(allowIf(c, { 'aws:username': 'carol' })).toBe('ImplicitDeny');
    expect(allowIf({ StringEquals: { 'aws:username': 'a*' } }, { 'aws:username': 'alice' })).toBe('ImplicitDeny');
  });

  it('StringEqualsIgnoreCase and StringNotEqualsIgnoreCase ignore case', () => {
    expect(allowIf({ StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': 'alice' })).toBe('Allow');
    expect(allowIf({ StringNotEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': 'alice' })).toBe(
      'ImplicitDeny',
    );
    expect(allowIf({ StringNotEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': 'bob' })).toBe(
      'Allow',
    );
  });

  it('StringLike and StringNotLike take * and ? anywhere', () => {
    expect(allowIf({ StringLike: { 'sts:RoleSessionName': 'ci-*' } }, { 'sts:RoleSessionName': 'ci-build-42' })).toBe(
      'Allow',
    );
    expect(allowIf({ StringLike: { 'sts:RoleSessionName': 'ci-*' } }, { 'sts:RoleSessionName': 'CI-build' })).toBe(
      'ImplicitDeny',
    );
    expect(allowIf({ StringLike: { 'sts:RoleSessionName': 'ci-?' } }, { 'sts:RoleSessionName': 'ci-1' })).toBe('Allow');
    expect(allowIf({ StringLike: { 'sts:RoleSessionName': 'ci-?' } }, { 'sts:RoleSessionName': 'ci-12' })).toBe(
      'ImplicitDeny',
    );
    expect(allowIf({ StringNotLike: { 'sts:RoleSessionName': 'ci-*' } }, { 'sts:RoleSessionName': 'alice' })).toBe(
      'Allow',
    );
    expect(allowIf({ StringNotLike: { 'sts:RoleSessionName': 'ci-*' } }, { 'sts:RoleSessionName': 'ci-x' })).toBe(
      'ImplicitDeny',
    );
  });

  it('substitutes policy variables in values (AWS example: the session name must be the user name)', () => {
    const c = { StringEquals: { 'sts:RoleSessionName': '${aws:username}' } };
    expect(allowIf(c, { 'aws:username': 'alice', 'sts:RoleSessionName': 'alice' })).toBe('Allow');
    expect(allowIf(c, { 'aws:username': 'alice', 'sts:RoleSessionName': 'bob' })).toBe('ImplicitDeny');
    // A variable without value makes the condition fail, even for a negated operator.
    expect(allowIf(c, { 'sts:RoleSessionName': '${aws:username}' })).toBe('ImplicitDeny');
    expect(
      allowIf({ StringNotEquals: { 'sts:RoleSessionName': '${aws:username}' } }, { 'sts:RoleSessionName': 'x' }),
    ).toBe('ImplicitDeny');
    expect(
      allowIf(
        { StringLike: { 'sts:RoleSessionName': "${aws:username, 'anon'}-*" } },
        { 'sts:RoleSessionName': 'anon-1' },
      ),
    ).toBe('Allow');
    // Before Version 2012-10-17 the text is literal.
    expect(allowIf(c, { 'aws:username': 'alice', 'sts:RoleSessionName': '${aws:username}' }, '2008-10-17')).toBe(
      'Allow',
    );
  });
});

describe('negated operators on an absent key evaluate to true (AWS: "the condition is true")', () => {
  it('StringNotEquals in an Allow grants when the key is absent', () => {
    expect(allowIf({ StringNotEquals: { 'aws:PrincipalTag/team': 'blocked' } }, {})).toBe('Allow');
    expect(
      allowIf({ StringNotEquals: { 'aws:PrincipalTag/team': 'blocked' } }, { 'aws:PrincipalTag/team': 'blocked' }),
    ).toBe('ImplicitDeny');
  });

  it('StringNotEquals in a Deny denies when the key is absent', () => {
    const c = { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } };
    expect(denyIf(c, {})).toBe('ExplicitDeny');
    expect(denyIf(c, { 'aws:RequestedRegion': 'us-east-1' })).toBe('ExplicitDeny');
    expect(denyIf(c, { 'aws:RequestedRegion': 'eu-central-1' })).toBe('Allow');
  });

  it('also for NumericNotEquals, DateNotEquals and ArnNotLike', () => {
    expect(allowIf({ NumericNotEquals: { 'aws:MultiFactorAuthAge': '0' } }, {})).toBe('Allow');
    expect(allowIf({ DateNotEquals: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }, {})).toBe('Allow');
    expect(allowIf({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin' } }, {})).toBe('Allow');
  });
});

describe('...IfExists', () => {
  it('matches when the key is absent and tests the value when present', () => {
    const c = { StringEqualsIfExists: { 'aws:RequestedRegion': 'eu-west-1' } };
    expect(allowIf(c, {})).toBe('Allow');
    expect(allowIf(c, { 'aws:RequestedRegion': 'eu-west-1' })).toBe('Allow');
    expect(allowIf(c, { 'aws:RequestedRegion': 'us-east-1' })).toBe('ImplicitDeny');
    expect(allowIf({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '3600' } }, {})).toBe('Allow');
    expect(
      allowIf({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': '4000' }),
    ).toBe('ImplicitDeny');
    expect(allowIf({ ArnLikeIfExists: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } }, {})).toBe('Allow');
  });

  it('a negated IfExists operator in a Deny still denies when the key is missing (AWS docs)', () => {
    expect(denyIf({ StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'ops' } }, {})).toBe('ExplicitDeny');
    expect(
      denyIf({ StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'ops' } }, { 'aws:PrincipalTag/team': 'ops' }),
    ).toBe('Allow');
  });
});

describe('Numeric', () => {
  it('NumericLessThan aws:MultiFactorAuthAge 3600: absent no match, 100 match, 4000 no match', () => {
    const c = { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } };
    expect(allowIf(c, {})).toBe('ImplicitDeny');
    expect(allowIf(c, { 'aws:MultiFactorAuthAge': '100' })).toBe('Allow');
    expect(allowIf(c, { 'aws:MultiFactorAuthAge': '4000' })).toBe('ImplicitDeny');
    expect(allowIf(c, { 'aws:MultiFactorAuthAge': '3600' })).toBe('ImplicitDeny');
  });

  it('implements every comparison and accepts JSON numbers in the policy', () => {
    const at = (operator: string, value: string): Decision =>
      allowIf({ [operator]: { 'aws:MultiFactorAuthAge': 10 } }, { 'aws:MultiFactorAuthAge': value });
    expect([at('NumericEquals', '10'), at('NumericEquals', '10.0'), at('NumericEquals', '11')]).toEqual([
      'Allow',
      'Allow',
      'ImplicitDeny',
    ]);
    expect([at('NumericNotEquals', '10'), at('NumericNotEquals', '11')]).toEqual(['ImplicitDeny', 'Allow']);
    expect([at('NumericLessThanEquals', '10'), at('NumericLessThanEquals', '11')]).toEqual(['Allow', 'ImplicitDeny']);
    expect([at('NumericGreaterThan', '10'), at('NumericGreaterThan', '11')]).toEqual(['ImplicitDeny', 'Allow']);
    expect([at('NumericGreaterThanEquals', '10'), at('NumericGreaterThanEquals', '9')]).toEqual([
      'Allow',
      'ImplicitDeny',
    ]);
  });

  it('an unparsable request value does not match', () => {
    expect(
      allowIf({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': 'abc' }),
    ).toBe('ImplicitDeny');
    expect(allowIf({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': '' })).toBe(
      'ImplicitDeny',
    );
    expect(
      allowIf({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': '0x10' }),
    ).toBe('ImplicitDeny');
    expect(parseNumber('1e3')).toBeUndefined();
    expect(parseNumber('-2.5')).toBe(-2.5);
  });
});

describe('Date', () => {
  it('compares aws:CurrentTime (ISO 8601) and aws:EpochTime (epoch seconds) with either policy form', () => {
    const before = { DateLessThan: { 'aws:CurrentTime': '2026-12-31T23:59:59Z' } };
    expect(allowIf(before, { 'aws:CurrentTime': '2026-11-22T05:00:00Z' })).toBe('Allow');
    expect(allowIf(before, { 'aws:CurrentTime': '2027-01-01T00:00:00Z' })).toBe('ImplicitDeny');
    expect(
      allowIf({ DateGreaterThan: { 'aws:EpochTime': '2026-01-01T00:00:00Z' } }, { 'aws:EpochTime': '1795000000' }),
    ).toBe('Allow');
    expect(allowIf({ DateGreaterThan: { 'aws:EpochTime': '2026-01-01' } }, { 'aws:EpochTime': '1700000000' })).toBe(
      'ImplicitDeny',
    );
    expect(
      allowIf({ DateEquals: { 'aws:CurrentTime': '1767225600' } }, { 'aws:CurrentTime': '2026-01-01T01:00:00+01:00' }),
    ).toBe('Allow');
    expect(
      allowIf(
        { DateLessThanEquals: { 'aws:CurrentTime': '2026-01-01' } },
        { 'aws:CurrentTime': '2026-01-01T00:00:00Z' },
      ),
    ).toBe('Allow');
    expect(
      allowIf(
        { DateGreaterThanEquals: { 'aws:CurrentTime': '2026-01-01' } },
        { 'aws:CurrentTime': '2025-12-31T23:59:59Z' },
      ),
    ).toBe('ImplicitDeny');
    expect(allowIf(before, { 'aws:CurrentTime': 'not a date' })).toBe('ImplicitDeny');
  });

  it('parses only W3C ISO 8601 forms and epoch seconds', () => {
    expect(parseDate('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(parseDate('2026-01-01T00:00:00')).toBeUndefined(); // a time needs a zone designator
    expect(parseDate('Jan 1 2026')).toBeUndefined();
    expect(parseDate('1767225600')).toBe(Date.UTC(2026, 0, 1));
  });
});

describe('ARN operators', () => {
  it('match each of the six components separately (AWS example where StringLike matches and ArnLike does not)', () => {
    const value = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';
    const pattern = 'arn:aws:someservice:*:111122223333:finance/*';
    expect(allowIf({ StringLike: { 'aws:PrincipalArn': pattern } }, { 'aws:PrincipalArn': value })).toBe('Allow');
    expect(allowIf({ ArnLike: { 'aws:PrincipalArn': pattern } }, { 'aws:PrincipalArn': value })).toBe('ImplicitDeny');
  });

  it('ArnEquals and ArnLike behave identically; the Not forms negate', () => {
    const admin = 'arn:aws:iam::111111111111:role/Admin';
    for (const op of ['ArnEquals', 'ArnLike']) {
      expect(
        allowIf({ [op]: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Adm?n' } }, { 'aws:PrincipalArn': admin }),
      ).toBe('Allow');
      expect(
        allowIf({ [op]: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Other' } }, { 'aws:PrincipalArn': admin }),
      ).toBe('ImplicitDeny');
      expect(
        allowIf({ [op]: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }, { 'aws:PrincipalArn': 'not-an-arn' }),
      ).toBe('ImplicitDeny');
    }
    for (const op of ['ArnNotEquals', 'ArnNotLike']) {
      expect(
        allowIf({ [op]: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin' } }, { 'aws:PrincipalArn': admin }),
      ).toBe('ImplicitDeny');
      expect(allowIf({ [op]: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } }, { 'aws:PrincipalArn': admin })).toBe(
        'Allow',
      );
    }
  });

  it('substitutes variables, also ones whose value contains colons', () => {
    const c = { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}' } };
    const keys = { 'aws:PrincipalAccount': '111111111111', 'aws:username': 'alice' };
    expect(allowIf(c, { ...keys, 'aws:PrincipalArn': 'arn:aws:iam::111111111111:user/alice' })).toBe('Allow');
    expect(allowIf(c, { ...keys, 'aws:PrincipalArn': 'arn:aws:iam::222222222222:user/alice' })).toBe('ImplicitDeny');
    const self = { ArnEquals: { 'aws:PrincipalArn': '${aws:PrincipalArn}' } };
    expect(allowIf(self, { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:user/alice' })).toBe('Allow');
  });
});

describe('Null', () => {
  it('"true" matches an absent key, "false" a present one', () => {
    expect(denyIf({ Null: { 'aws:MultiFactorAuthAge': 'true' } }, {})).toBe('ExplicitDeny');
    expect(denyIf({ Null: { 'aws:MultiFactorAuthAge': 'true' } }, { 'aws:MultiFactorAuthAge': '100' })).toBe('Allow');
    expect(allowIf({ Null: { 'aws:MultiFactorAuthAge': 'false' } }, { 'aws:MultiFactorAuthAge': '100' })).toBe('Allow');
    expect(allowIf({ Null: { 'aws:MultiFactorAuthAge': 'false' } }, {})).toBe('ImplicitDeny');
    expect(allowIf({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] })).toBe('Allow');
  });
});

describe('combining conditions', () => {
  it('ANDs operators, ANDs keys within an operator, ORs values of a key', () => {
    const c = {
      Bool: { 'aws:MultiFactorAuthPresent': 'true', 'aws:SecureTransport': 'true' },
      StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] },
    };
    const ok = {
      'aws:MultiFactorAuthPresent': 'true',
      'aws:SecureTransport': 'true',
      'aws:RequestedRegion': 'us-east-1',
    };
    expect(allowIf(c, ok)).toBe('Allow');
    expect(allowIf(c, { ...ok, 'aws:SecureTransport': 'false' })).toBe('ImplicitDeny');
    expect(allowIf(c, { ...ok, 'aws:RequestedRegion': 'ap-south-1' })).toBe('ImplicitDeny');
    expect(allowIf(c, { ...ok, 'aws:MultiFactorAuthPresent': 'false' })).toBe('ImplicitDeny');
  });

  it('reads condition key names case-insensitively, on both sides', () => {
    expect(allowIf({ StringEquals: { 'AWS:USERNAME': 'alice' } }, { 'aws:UserName': 'alice' })).toBe('Allow');
    expect(allowIf({ StringEquals: { 'aws:principaltag/Team': 'ops' } }, { 'aws:PrincipalTag/team': 'ops' })).toBe(
      'Allow',
    );
  });
});

describe('set operators on a multivalued key (aws:TagKeys)', () => {
  const forAll = { 'ForAllValues:StringLike': { 'aws:TagKeys': ['key1*', 'team'] } };
  const forAny = { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['owner', 'cost-center'] } };

  it('ForAllValues: every request value must match some policy value; true when the key is absent', () => {
    expect(allowIf(forAll, { 'aws:TagKeys': ['key1-a', 'team'] })).toBe('Allow');
    expect(allowIf(forAll, { 'aws:TagKeys': ['key1-a', 'key2'] })).toBe('ImplicitDeny');
    expect(allowIf(forAll, {})).toBe('Allow');
    expect(allowIf(forAll, { 'aws:TagKeys': [] })).toBe('Allow');
  });

  it('ForAnyValue: one request value must match; false when the key is absent', () => {
    expect(allowIf(forAny, { 'aws:TagKeys': ['name', 'owner'] })).toBe('Allow');
    expect(allowIf(forAny, { 'aws:TagKeys': ['name'] })).toBe('ImplicitDeny');
    expect(allowIf(forAny, {})).toBe('ImplicitDeny');
    expect(allowIf({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'owner' } }, {})).toBe('Allow');
  });

  it('with negated operators: ForAllValues needs every value to match none, ForAnyValue one such value', () => {
    const noneOf = { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['DataClass', 'Owner'] } };
    expect(allowIf(noneOf, {})).toBe('Allow');
    expect(allowIf(noneOf, { 'aws:TagKeys': ['Dept', 'SIC'] })).toBe('Allow');
    expect(allowIf(noneOf, { 'aws:TagKeys': ['Dept', 'DataClass'] })).toBe('ImplicitDeny');
    const someOther = { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['DataClass', 'Owner'] } };
    expect(allowIf(someOther, {})).toBe('ImplicitDeny');
    expect(allowIf(someOther, { 'aws:TagKeys': ['DataClass', 'Owner'] })).toBe('ImplicitDeny');
    expect(allowIf(someOther, { 'aws:TagKeys': ['Dept', 'DataClass'] })).toBe('Allow');
  });

  it('without a set operator, a positive operator needs one matching value, a negated one needs none', () => {
    expect(allowIf({ StringEquals: { 'aws:TagKeys': 'owner' } }, { 'aws:TagKeys': ['name', 'owner'] })).toBe('Allow');
    expect(allowIf({ StringNotEquals: { 'aws:TagKeys': 'owner' } }, { 'aws:TagKeys': ['name', 'owner'] })).toBe(
      'ImplicitDeny',
    );
    expect(allowIf({ StringNotEquals: { 'aws:TagKeys': 'owner' } }, { 'aws:TagKeys': ['name'] })).toBe('Allow');
  });

  it('treats a single-valued key as a one-element set', () => {
    expect(
      allowIf({ 'ForAnyValue:StringLike': { 'aws:RequestTag/env': 'prod*' } }, { 'aws:RequestTag/env': 'prod-eu' }),
    ).toBe('Allow');
  });
});
