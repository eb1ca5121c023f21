import { describe, expect, it } from 'vitest';
import type { PortalRole } from './api/me-service.ts';
import { groupRolesByAccount, matchesFilter } from './role-groups.ts';

const role = (
  alias: string,
  accountId: string,
  lastUsedAt: string | null,
  description: string | null = null,
): PortalRole => ({
  alias,
  roleArn: `arn:aws:iam::${accountId}:role/${alias}`,
  roleName: alias.toUpperCase(),
  accountId,
  accountAlias: accountId === '111111111111' ? 'demo' : null,
  description,
  maxDurationSeconds: 3600,
  consoleMaxSecondsWithCode: 3600,
  defaultDurationSeconds: 3600,
  mfaMaxAgeSeconds: null,
  lastUsedAt,
});

const roles = [
  role('alpha', '111111111111', null),
  role('beta', '111111111111', '2026-11-20T00:00:00Z'),
  role('gamma', '222222222222', '2026-11-21T00:00:00Z', 'Security audit'),
  role('delta', '111111111111', '2026-11-19T00:00:00Z'),
];

describe('groupRolesByAccount', () => {
  it('groups by account, the account with the latest use first, recent roles first, unused by alias', () => {
    const groups = groupRolesByAccount(roles, '');
    expect(groups.map((g) => g.accountId)).toEqual(['222222222222', '111111111111']);
    expect(groups[1]!.roles.map((r) => r.alias)).toEqual(['beta', 'delta', 'alpha']);
    expect(groups[1]!.accountAlias).toBe('demo');
  });

  it('filters on every word, across alias, role name, ARN, account and description', () => {
    expect(groupRolesByAccount(roles, 'audit').flatMap((g) => g.roles.map((r) => r.alias))).toEqual(['gamma']);
    expect(groupRolesByAccount(roles, '111111111111 BET').flatMap((g) => g.roles.map((r) => r.alias))).toEqual([
      'beta',
    ]);
    expect(groupRolesByAccount(roles, 'nothing-matches')).toEqual([]);
    expect(matchesFilter(roles[0]!, '   ')).toBe(true);
  });
});
