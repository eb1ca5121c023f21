import { describe, expect, it } from 'vitest';
import demo from '../../demo-state.json' with { type: 'json' };
import { call, type Harness, members } from '../../test/iam-context.ts';
import { evaluateIdentityPolicies } from '../policy/evaluate.ts';
import type { StateFile } from '../state/state-file.ts';
import { validateStateFile } from '../state/state-validator.ts';
import { Store, userArn } from '../state/store.ts';
import { simulatePrincipalPolicy } from './simulate.ts';

const ACCOUNT = '111111111111';

function demoStore(): Store {
  return new Store(validateStateFile(structuredClone(demo) as unknown as StateFile));
}

function portalHarness(): Harness {
  const store = demoStore();
  const portal = store.findUser(ACCOUNT, 'portal')!;
  return {
    store,
    caller: {
      kind: 'user',
      account: ACCOUNT,
      arn: userArn(portal),
      userName: 'portal',
      userId: portal.id!,
      accessKeyId: portal.accessKeys![0]!.id,
    },
    now: new Date('2026-11-22T12:00:00Z'),
    authorized: [],
  };
}

const READ_ONLY_ROLE = `arn:aws:iam::${ACCOUNT}:role/ReadOnly`;

async function decisionWithoutMfa(user: string, action: string): Promise<unknown> {
  const result = await call(portalHarness(), 'SimulatePrincipalPolicy', simulatePrincipalPolicy, {
    PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
    'ActionNames.member.1': action,
    'ResourceArns.member.1': action === 'sts:AssumeRole' ? READ_ONLY_ROLE : '*',
    'ContextEntries.member.1.ContextKeyName': 'aws:MultiFactorAuthPresent',
    'ContextEntries.member.1.ContextKeyValues.member.1': 'false',
    'ContextEntries.member.1.ContextKeyType': 'boolean',
  });
  return members(result?.EvaluationResults)[0]?.EvalDecision;
}

describe('demo-state.json', () => {
  it('is a valid state file with the organisation the demo describes', () => {
    const store = demoStore();
    expect(store.state.accounts.map((a) => [a.id, a.alias])).toEqual([
      [ACCOUNT, 'demo'],
      ['222222222222', 'partner'],
    ]);
    expect(store.usersOf(ACCOUNT).map((u) => u.name)).toEqual([
      'alice',
      'bob',
      'carol',
      'dave',
      'erin',
      'frank',
      'portal',
    ]);
    expect(store.findMfaDevice('GAHT12345678')?.user.name).toBe('carol');
    expect(store.findUser(ACCOUNT, 'bob')?.mfaDevices ?? []).toEqual([]);
    expect(store.findRole('222222222222', 'PartnerAudit')).toBeDefined();
  });

  it.each([
    ['alice', 's3:ListAllMyBuckets', 'explicitDeny'],
    ['alice', 'sts:AssumeRole', 'allowed'], // ForceMFAAllowAssumeRole: the trust policy checks MFA
    ['frank', 'sts:AssumeRole', 'explicitDeny'], // strict ForceMFA
    ['frank', 'sts:GetSessionToken', 'implicitDeny'], // exempt from the deny (and never needs an allow)
    ['carol', 'ec2:TerminateInstances', 'explicitDeny'],
    ['dave', 's3:ListAllMyBuckets', 'allowed'], // keys work without MFA
    ['bob', 's3:ListAllMyBuckets', 'allowed'],
    ['erin', 'ec2:DescribeInstances', 'allowed'],
  ])('without MFA, %s -> %s is %s', async (user, action, expected) => {
    expect(await decisionWithoutMfa(user, action)).toBe(expected);
  });

  it.each([
    ['iam:ListUsers', '*'],
    ['iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/alice`],
    ['iam:DeleteAccessKey', `arn:aws:iam::${ACCOUNT}:user/alice`],
    ['iam:EnableMFADevice', `arn:aws:iam::${ACCOUNT}:user/bob`],
    ['iam:CreateVirtualMFADevice', `arn:aws:iam::${ACCOUNT}:mfa/bob`],
    ['iam:GetRole', `arn:aws:iam::${ACCOUNT}:role/Admin`],
    ['iam:SimulatePrincipalPolicy', `arn:aws:iam::${ACCOUNT}:user/dave`],
    ['iam:GenerateCredentialReport', '*'],
    ['sts:GetCallerIdentity', '*'],
  ])('the portal identity may %s on %s, and nothing broader', (action, resource) => {
    const store = demoStore();
    const docs = store.policiesForUser(store.findUser(ACCOUNT, 'portal')!);
    expect(evaluateIdentityPolicies(docs, { action, resource, keys: {} }).decision).toBe('Allow');
    expect(evaluateIdentityPolicies(docs, { action: 'iam:DeleteUser', resource, keys: {} }).decision).toBe(
      'ImplicitDeny',
    );
    expect(evaluateIdentityPolicies(docs, { action: 's3:GetObject', resource: '*', keys: {} }).decision).toBe(
      'ImplicitDeny',
    );
  });
});
