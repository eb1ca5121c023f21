import { describe, expect, it } from 'vitest';
import {
  countedSize,
  cutoffAt,
  ROLE_INLINE_POLICY_LIMIT,
  rolePolicyDocument,
  USER_INLINE_POLICY_LIMIT,
  userPolicyDocument,
} from './revocation-policy.ts';

const at = (iso: string) => new Date(iso);

describe('revocation policies', () => {
  it('cuts off at the next whole second after the portal clock and the latest issue time AWS gave', () => {
    expect(cutoffAt(at('2026-12-02T06:00:00.400Z'), null)).toEqual(at('2026-12-02T06:00:01Z'));
    expect(cutoffAt(at('2026-12-02T06:00:00Z'), null)).toEqual(at('2026-12-02T06:00:01Z'));
    // AWS's clock ran ahead: a credential it dated 06:02:10 is still before the cut-off.
    expect(cutoffAt(at('2026-12-02T06:00:00Z'), at('2026-12-02T06:02:10Z'))).toEqual(at('2026-12-02T06:02:11Z'));
  });

  it('holds everyone in one role policy, one statement per revocation time, and none when empty', () => {
    expect(rolePolicyDocument([])).toBeNull();
    const document = JSON.parse(
      rolePolicyDocument([
        { sourceIdentity: 'erin', revokedAt: at('2026-12-02T07:00:00Z') },
        { sourceIdentity: 'bob', revokedAt: at('2026-12-02T06:00:01Z') },
        { sourceIdentity: 'alice', revokedAt: at('2026-12-02T06:00:01Z') },
      ])!,
    );
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: {
            StringEqualsIgnoreCase: { 'aws:SourceIdentity': ['alice', 'bob'] },
            DateLessThan: { 'aws:TokenIssueTime': '2026-12-02T06:00:01Z' },
          },
        },
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: {
            StringEqualsIgnoreCase: { 'aws:SourceIdentity': 'erin' },
            DateLessThan: { 'aws:TokenIssueTime': '2026-12-02T07:00:00Z' },
          },
        },
      ],
    });
  });

  it('fits 45 separately revoked people with 40-character names in a role and the user policy well within its quota', () => {
    const entries = Array.from({ length: 45 }, (_, i) => ({
      sourceIdentity: `someone.with.a.long.name-${i}@example.com`.slice(0, 40),
      revokedAt: new Date(Date.UTC(2026, 11, 2, 6, 0, i)),
    }));
    expect(countedSize(rolePolicyDocument(entries)!)).toBeLessThan(ROLE_INLINE_POLICY_LIMIT);
    expect(countedSize(userPolicyDocument(at('2026-12-02T06:00:01Z')))).toBeLessThan(USER_INLINE_POLICY_LIMIT / 10);
  });
});
