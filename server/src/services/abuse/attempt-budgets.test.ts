import { describe, expect, it } from 'vitest';
import {
  type AttemptBudgets,
  budgetKeysFor,
  limitOf,
  parseBudgetKey,
  secondsUntilWindowEnds,
} from './attempt-budgets.ts';

const budgets: AttemptBudgets = { perUserAddress: 5, perUser: 20, perAddress: 50, windowSeconds: 900 };

describe('attempt budgets', () => {
  it('spends the pair budget first, then the user ceiling, then the address budget', () => {
    expect(budgetKeysFor({ userName: 'Alice', sourceIp: '2001:db8::1' }, budgets)).toEqual([
      { key: 'user-ip:alice|2001:db8::1', budget: 'user_address', limit: 5 },
      { key: 'user:alice', budget: 'user', limit: 20 },
      { key: 'ip:2001:db8::1', budget: 'address', limit: 50 },
    ]);
  });

  it('puts requests without an address in one shared address budget', () => {
    const keys = budgetKeysFor({ userName: 'bob' }, budgets).map((k) => k.key);
    expect(keys).toEqual(['user-ip:bob|unknown', 'user:bob', 'ip:unknown']);
  });

  it('reads every key back into what it stands for', () => {
    for (const { key, budget } of budgetKeysFor({ userName: 'a.b@c', sourceIp: '192.0.2.1' }, budgets)) {
      expect(parseBudgetKey(key)?.budget).toBe(budget);
    }
    expect(parseBudgetKey('user-ip:a.b@c|192.0.2.1')).toEqual({
      budget: 'user_address',
      userName: 'a.b@c',
      sourceIp: '192.0.2.1',
    });
    expect(parseBudgetKey('user:carol')).toEqual({ budget: 'user', userName: 'carol', sourceIp: null });
    expect(parseBudgetKey('ip:192.0.2.9')).toEqual({ budget: 'address', userName: null, sourceIp: '192.0.2.9' });
    expect(parseBudgetKey('user-ip:|192.0.2.1')).toBeNull();
    expect(parseBudgetKey('lease:x')).toBeNull();
  });

  it('knows each limit and how long a window has left', () => {
    expect([limitOf('user_address', budgets), limitOf('user', budgets), limitOf('address', budgets)]).toEqual([
      5, 20, 50,
    ]);
    const start = new Date('2026-12-02T03:00:00Z');
    expect(secondsUntilWindowEnds(start, 900, new Date('2026-12-02T03:00:00Z'))).toBe(900);
    expect(secondsUntilWindowEnds(start, 900, new Date('2026-12-02T03:14:59.500Z'))).toBe(1);
    expect(secondsUntilWindowEnds(start, 900, new Date('2026-12-02T03:20:00Z'))).toBe(1);
    // A window a parallel request opened just after this one read the clock: Retry-After stays
    // within the window (the 50+50 burst saw 901).
    expect(secondsUntilWindowEnds(start, 900, new Date('2026-12-02T02:59:59.700Z'))).toBe(900);
  });
});
