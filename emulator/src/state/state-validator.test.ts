import { describe, expect, it } from 'vitest';
import { fixtureState } from '../../test/fixture-state.ts';
import type { StateFile, TotpDeviceSpec } from './state-file.ts';
import { StateFileError, validateStateFile } from './state-validator.ts';

function problemsOf(mutate: (state: StateFile & Record<string, unknown>) => void): readonly string[] {
  const state = fixtureState() as StateFile & Record<string, unknown>;
  mutate(state);
  try {
    validateStateFile(state);
  } catch (error) {
    if (error instanceof StateFileError) return error.problems;
    throw error;
  }
  return [];
}

describe('validateStateFile', () => {
  it('accepts the fixture and fills paths, ids and role durations', () => {
    const state = validateStateFile(fixtureState());
    const alice = state.users[0]!;
    expect(alice.path).toBe('/');
    expect(alice.id).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(validateStateFile(fixtureState()).users[0]!.id).toBe(alice.id); // deterministic
    expect(state.roles![0]!.id).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(state.roles![1]!.maxSessionDuration).toBe(3600);
    expect(state.users[2]!.path).toBe('/engineering/');
  });

  it('does not modify the object it was given', () => {
    const input = fixtureState();
    validateStateFile(input);
    expect(input.users[0]!.id).toBeUndefined();
  });

  it('accepts the minimal shape from the README (empty documents)', () => {
    expect(() =>
      validateStateFile({
        accounts: [{ id: '111111111111' }],
        users: [],
        policies: [{ arn: 'arn:aws:iam::111111111111:policy/Empty', document: {} }],
        roles: [{ account: '111111111111', name: 'R', trustPolicy: {} }],
      }),
    ).not.toThrow();
  });

  it('names the bad path for seeds, ids, keys and durations', () => {
    expect(
      problemsOf((s) => {
        (s.users[2]!.mfaDevices![0] as TotpDeviceSpec).seed = 'not base32!';
      }),
    ).toEqual(['users[2].mfaDevices[0].seed: must be base32 (A-Z, 2-7, upper case, optional = padding)']);
    expect(problemsOf((s) => ((s.users[0]!.mfaDevices![0] as TotpDeviceSpec).seed = 'JBSWY3DPEHPK3PXP'))).toEqual([
      'users[0].mfaDevices[0].seed: must encode 16..64 bytes (RFC 4226), got 10 (16 base32 characters)',
    ]);
    expect(problemsOf((s) => (s.accounts[1]!.id = '12345'))[0]).toBe(
      'accounts[1].id: must be a 12-digit account id, got "12345"',
    );
    expect(problemsOf((s) => (s.users[1]!.accessKeys![0]!.id = 'AKIA-short'))[0]).toMatch(
      /^users\[1\]\.accessKeys\[0\]\.id: must be an access key id/,
    );
    expect(problemsOf((s) => (s.users[1]!.accessKeys![0]!.status = 'On' as 'Active'))).toEqual([
      'users[1].accessKeys[0].status: must be "Active" or "Inactive", got "On"',
    ]);
    expect(problemsOf((s) => (s.roles![0]!.maxSessionDuration = 900))).toEqual([
      'roles[0].maxSessionDuration: must be an integer from 3600 to 43200, got number 900',
    ]);
    expect(problemsOf((s) => (s.roles![0]!.maxSessionDuration = 50000))).toHaveLength(1);
  });

  it('rejects duplicates and dangling references', () => {
    expect(problemsOf((s) => s.users.push({ ...structuredClone(s.users[4]!), name: 'ERIN', accessKeys: [] }))).toEqual([
      'users[5].name: duplicate user (account/name) "111111111111/ERIN" (first at users[4].name)',
    ]);
    expect(problemsOf((s) => (s.users[1]!.accessKeys![0]!.id = s.users[0]!.accessKeys![0]!.id))).toEqual([
      'users[1].accessKeys[0].id: duplicate access key id "AKIAALICE00000000001" (first at users[0].accessKeys[0].id)',
    ]);
    expect(problemsOf((s) => (s.users[1]!.mfaDevices![0]!.serial = s.users[0]!.mfaDevices![0]!.serial))).toEqual([
      'users[1].mfaDevices[0].serial: duplicate MFA serial "arn:aws:iam::111111111111:mfa/alice" (first at users[0].mfaDevices[0].serial)',
    ]);
    expect(problemsOf((s) => (s.users[0]!.account = '333333333333'))).toEqual(
      expect.arrayContaining(['users[0].account: refers to account 333333333333, which is not in "accounts"']),
    );
    expect(problemsOf((s) => (s.users[0]!.groups = ['admins']))).toEqual([
      'users[0].groups[0]: refers to group "admins", which is not in "groups" for account 111111111111',
    ]);
    expect(problemsOf((s) => (s.users[0]!.attachedPolicies = ['arn:aws:iam::111111111111:policy/Nope']))).toEqual([
      'users[0].attachedPolicies[0]: refers to arn:aws:iam::111111111111:policy/Nope, which is not in "policies"',
    ]);
    expect(problemsOf((s) => (s.users[0]!.permissionsBoundary = 'arn:aws:iam::111111111111:policy/Nope'))).toEqual([
      'users[0].permissionsBoundary: refers to arn:aws:iam::111111111111:policy/Nope, which is not in "policies"',
    ]);
    expect(problemsOf((s) => ((s.users[0] as unknown as Record<string, unknown>).permissionsBoundary = 7))).toEqual([
      'users[0].permissionsBoundary: must be a policy ARN string, got number 7',
    ]);
    expect(problemsOf((s) => (s.roles![0]!.permissionsBoundary = 'arn:aws:iam::111111111111:policy/Nope'))).toEqual([
      'roles[0].permissionsBoundary: refers to arn:aws:iam::111111111111:policy/Nope, which is not in "policies"',
    ]);
  });

  it('checks MFA serials belong to the user account and statements are well formed', () => {
    expect(problemsOf((s) => (s.users[0]!.mfaDevices![0]!.serial = 'arn:aws:iam::222222222222:mfa/alice'))).toEqual([
      'users[0].mfaDevices[0].serial: belongs to account 222222222222, not 111111111111',
    ]);
    expect(
      problemsOf((s) => {
        s.roles![0]!.trustPolicy = { Statement: [{ Effect: 'Permit' as 'Allow', Action: 'sts:AssumeRole' }] };
      }),
    ).toEqual(['roles[0].trustPolicy.Statement[0].Effect: must be "Allow" or "Deny", got "Permit"']);
  });

  it('reports typos as unknown fields and lists every problem', () => {
    const problems = problemsOf((s) => {
      (s.users[0] as unknown as Record<string, unknown>).mfaDevice = [];
      s.accounts[0]!.id = 'x';
    });
    expect(problems).toContain(
      'users[0].mfaDevice: unknown field (allowed: account, name, path, id, created, groups, password, accessKeys, mfaDevices, inlinePolicies, attachedPolicies, permissionsBoundary, tags)',
    );
    expect(problems.length).toBeGreaterThan(1);
  });

  it('gives a readable error message', () => {
    expect(() => validateStateFile({ accounts: [], users: {} }, 'state.json')).toThrow(
      'Invalid emulator state in state.json:\n  accounts: must list at least one account\n  users: must be an array, got an object',
    );
  });
});

describe('validateStateFile inline policies of users and roles', () => {
  const allow = (resource: string) => ({
    Version: '2012-10-17' as const,
    Statement: [{ Effect: 'Allow' as const, Action: 's3:GetObject', Resource: resource }],
  });

  it('holds them to the grammar PutUserPolicy and PutRolePolicy check', () => {
    expect(
      problemsOf((s) => {
        s.users[0]!.inlinePolicies = [
          {
            name: 'open',
            document: { Statement: [{ Effect: 'Allow', Action: 's3:*', Principal: '*', Resource: '*' }] },
          },
        ];
        s.roles![0]!.inlinePolicies = [
          {
            name: 'no-resource',
            document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] },
          },
          { name: 'empty', document: {} },
        ];
      }),
    ).toEqual([
      'users[0].inlinePolicies[0].document: IAM would refuse this inline policy: Malformed statement 0 of the policy: identity policies cannot name a Principal or NotPrincipal',
      'roles[0].inlinePolicies[0].document: IAM would refuse this inline policy: Malformed statement 0 of the policy: it has neither Resource nor NotResource',
      'roles[0].inlinePolicies[1].document: must have a Statement (an object or a list), as PutRolePolicy and PutUserPolicy require',
    ]);
  });

  it("holds them to IAM's size quotas: 2,048 characters for a user's, 10,240 for a role's", () => {
    // Each document counts 95 characters plus its resource: 595 here.
    const policies = (count: number, resourceLength: number) =>
      Array.from({ length: count }, (_, i) => ({
        name: `p${i}`,
        document: allow(`arn:aws:s3:::${'b'.repeat(resourceLength - 13)}`),
      }));
    const size = JSON.stringify(allow(`arn:aws:s3:::${'b'.repeat(500 - 13)}`)).length;
    expect(size).toBe(595);
    const withUserPolicies = (count: number) =>
      problemsOf((s) => {
        s.users[1]!.inlinePolicies = policies(count, 500);
      });
    const withRolePolicies = (count: number) =>
      problemsOf((s) => {
        s.roles![2]!.inlinePolicies = policies(count, 500);
      });
    expect(withUserPolicies(3)).toEqual([]);
    expect(withUserPolicies(4)).toEqual([
      "users[1].inlinePolicies: total 2380 characters (not counting whitespace), more than IAM's quota of 2048 for a user's inline policies",
    ]);
    expect(withRolePolicies(17)).toEqual([]);
    expect(withRolePolicies(18)).toEqual([
      "roles[2].inlinePolicies: total 10710 characters (not counting whitespace), more than IAM's quota of 10240 for a role's inline policies",
    ]);
  });
});

describe('validateStateFile unique ids', () => {
  it('rejects two entities with the same unique id', () => {
    expect(
      problemsOf((s) => {
        s.users[0]!.id = 'AIDAAAAAAAAAAAAAAAAAA';
        s.users[1]!.id = 'AIDAAAAAAAAAAAAAAAAAA';
      }),
    ).toEqual(['users[1].id: duplicate unique id "AIDAAAAAAAAAAAAAAAAAA" (first at users[0].id)']);
  });
});
