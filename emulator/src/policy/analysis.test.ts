import { describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatement } from '../state/state-file.ts';
import { conditionKeysUsed, requiresMfa } from './evaluate.ts';

const trust = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const allowAccount = (condition?: PolicyStatement['Condition']): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { AWS: '111111111111' },
  Action: 'sts:AssumeRole',
  ...(condition ? { Condition: condition } : {}),
});
const denyEveryone = (
  condition: PolicyStatement['Condition'],
  principal: PolicyStatement['Principal'] = { AWS: '*' },
): PolicyStatement => ({
  Effect: 'Deny',
  Principal: principal,
  Action: 'sts:AssumeRole',
  Condition: condition,
});

describe('conditionKeysUsed', () => {
  it('lists every condition key once, lower-cased and sorted', () => {
    const doc: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: '*',
          Resource: '*',
          Condition: {
            Bool: { 'aws:MultiFactorAuthPresent': 'true' },
            NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
          },
        },
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { BoolIfExists: { 'AWS:MultiFactorAuthPresent': 'false' } },
        },
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      ],
    };
    expect(conditionKeysUsed(doc)).toEqual(['aws:multifactorauthage', 'aws:multifactorauthpresent']);
    expect(conditionKeysUsed({ Version: '2012-10-17' })).toEqual([]);
    expect(
      conditionKeysUsed({
        Statement: {
          Effect: 'Allow',
          Action: '*',
          Resource: '*',
          Condition: { StringEquals: { 'sts:ExternalId': 'x' } },
        },
      }),
    ).toEqual(['sts:externalid']);
  });
});

describe('requiresMfa', () => {
  it('is true for the documented MFA trust conditions', () => {
    expect(requiresMfa(trust(allowAccount({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } })))).toBe(true);
    expect(requiresMfa(trust(allowAccount({ Bool: { 'aws:MultiFactorAuthPresent': 'TRUE' } })))).toBe(true);
    expect(requiresMfa(trust(allowAccount({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } })))).toBe(true);
    expect(requiresMfa(trust(allowAccount({ Null: { 'aws:MultiFactorAuthAge': 'false' } })))).toBe(true);
    expect(
      requiresMfa(
        trust(
          allowAccount({ Bool: { 'aws:MultiFactorAuthPresent': 'true' }, StringEquals: { 'sts:ExternalId': 'x' } }),
        ),
      ),
    ).toBe(true);
  });

  it('is false when a condition can be met without MFA', () => {
    expect(requiresMfa(trust(allowAccount()))).toBe(false);
    expect(requiresMfa(trust(allowAccount({ StringEquals: { 'sts:ExternalId': 'x' } })))).toBe(false);
    expect(requiresMfa(trust(allowAccount({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } })))).toBe(false);
    expect(requiresMfa(trust(allowAccount({ Bool: { 'aws:MultiFactorAuthPresent': ['true', 'false'] } })))).toBe(false);
    expect(requiresMfa(trust(allowAccount({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '3600' } })))).toBe(
      false,
    );
    expect(requiresMfa(trust(allowAccount({ NumericNotEquals: { 'aws:MultiFactorAuthAge': '0' } })))).toBe(false);
    expect(
      requiresMfa(trust(allowAccount({ 'ForAnyValue:StringEquals': { 'aws:MultiFactorAuthPresent': 'true' } }))),
    ).toBe(false);
  });

  it('is false when any one Allow admits AWS principals without MFA', () => {
    const doc = trust(allowAccount({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }), {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::222222222222:root' },
      Action: 'sts:AssumeRole',
    });
    expect(requiresMfa(doc)).toBe(false);
  });

  it('ignores Allow statements for services, federation, or other actions', () => {
    const doc = trust(
      allowAccount({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'sts:TagSession' },
    );
    expect(requiresMfa(doc)).toBe(true);
    expect(
      requiresMfa(trust({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' })),
    ).toBe(true);
    expect(requiresMfa(trust({ Effect: 'Allow', Principal: '*', Action: 'sts:*' }))).toBe(false);
  });

  it('accepts a Deny for every principal that removes both non-MFA cases', () => {
    expect(
      requiresMfa(trust(allowAccount(), denyEveryone({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }))),
    ).toBe(true);
    expect(requiresMfa(trust(allowAccount(), denyEveryone({ Null: { 'aws:MultiFactorAuthAge': 'true' } }, '*')))).toBe(
      true,
    );
    expect(
      requiresMfa(
        trust(
          allowAccount(),
          denyEveryone({ Bool: { 'aws:MultiFactorAuthPresent': 'false' } }),
          denyEveryone({ Null: { 'aws:MultiFactorAuthPresent': 'true' } }),
        ),
      ),
    ).toBe(true);
  });

  it('does not count a Deny that misses a case or a principal', () => {
    // Plain Bool false does not match long-term keys (the key is absent).
    expect(requiresMfa(trust(allowAccount(), denyEveryone({ Bool: { 'aws:MultiFactorAuthPresent': 'false' } })))).toBe(
      false,
    );
    // Null aws:MultiFactorAuthPresent misses sessions created without MFA ("false").
    expect(requiresMfa(trust(allowAccount(), denyEveryone({ Null: { 'aws:MultiFactorAuthPresent': 'true' } })))).toBe(
      false,
    );
    expect(
      requiresMfa(
        trust(
          allowAccount(),
          denyEveryone({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, { AWS: '222222222222' }),
        ),
      ),
    ).toBe(false);
    expect(
      requiresMfa(
        trust(
          allowAccount(),
          denyEveryone({
            BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
            StringEquals: { 'sts:ExternalId': 'x' },
          }),
        ),
      ),
    ).toBe(false);
  });

  it('is false for a document it cannot read', () => {
    expect(
      requiresMfa({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' } as PolicyStatement],
      }),
    ).toBe(false);
    expect(
      requiresMfa({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', NotPrincipal: { AWS: '1' }, Action: 'sts:AssumeRole' }],
      }),
    ).toBe(false);
  });
});
