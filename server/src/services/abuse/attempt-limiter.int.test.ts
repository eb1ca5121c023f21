import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabaseUrls } from '../../../test/test-databases.ts';
import { type Database, openDatabase } from '../../db/database.ts';
import type { AttemptBudgets } from './attempt-budgets.ts';
import { type AttemptLimiter, createAttemptLimiter, type ReserveResult } from './attempt-limiter.ts';

const budgets: AttemptBudgets = { perUserAddress: 5, perUser: 20, perAddress: 50, windowSeconds: 900 };

const granted = (results: ReserveResult[]) => results.filter((r) => r.granted).length;

/**
 * The limiter on a real database, hit by parallel callers through two separate clients (two
 * portal instances share nothing but the database): the budgets hold exactly.
 */
describe.each(testDatabaseUrls())('attempt limiter on $name', ({ create }) => {
  let testDb: TestDatabase;
  let first: Database;
  let second: Database;
  let clock = Date.parse('2026-12-02T03:00:00Z');
  const now = () => new Date(clock);
  let one: AttemptLimiter;
  let other: AttemptLimiter;

  beforeAll(async () => {
    testDb = await create();
    first = await openDatabase(testDb.url);
    second = await openDatabase(testDb.url);
    one = createAttemptLimiter({ prisma: first.prisma, budgets, now });
    other = createAttemptLimiter({ prisma: second.prisma, budgets, now });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await testDb?.drop();
  });
  beforeEach(async () => {
    await first.prisma.attemptCounter.deleteMany();
    clock += 3600_000;
  });

  it('grants exactly the pair budget to 50 + 50 parallel attempts on two instances', async () => {
    const scope = { userName: 'alice', sourceIp: '192.0.2.10' };
    const results = await Promise.all([
      ...Array.from({ length: 50 }, () => one.reserve(scope)),
      ...Array.from({ length: 50 }, () => other.reserve(scope)),
    ]);
    expect(granted(results)).toBe(5);
    const refused = results.filter((r) => !r.granted);
    expect(refused.every((r) => r.budget === 'user_address' && r.retryAfterSeconds === 900)).toBe(true);
    expect(refused.filter((r) => r.blockStarted)).toHaveLength(1);

    const pair = await first.prisma.attemptCounter.findUniqueOrThrow({ where: { key: 'user-ip:alice|192.0.2.10' } });
    expect(pair).toMatchObject({ failures: 5, refusals: 95, blockedAt: now() });
    // The refusals spent nothing of the user's ceiling or the address's budget.
    const rest = await first.prisma.attemptCounter.findMany({
      where: { key: { in: ['user:alice', 'ip:192.0.2.10'] } },
    });
    expect(rest.map((r) => r.failures)).toEqual([5, 5]);
  });

  it('caps one user across many addresses at the user ceiling', async () => {
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, address) =>
        Array.from({ length: 4 }, (_, i) =>
          (i % 2 ? one : other).reserve({ userName: 'Alice', sourceIp: `198.51.100.${address}` }),
        ),
      ).flat(),
    );
    expect(granted(results)).toBe(20);
    expect(results.filter((r) => !r.granted).every((r) => r.budget === 'user')).toBe(true);
    // Another user from one of those addresses is not affected.
    expect((await one.reserve({ userName: 'erin', sourceIp: '198.51.100.1' })).granted).toBe(true);
  });

  it('caps one address across many user names at the address budget', async () => {
    const results = await Promise.all(
      Array.from({ length: 70 }, (_, i) =>
        (i % 2 ? one : other).reserve({ userName: `user${i}`, sourceIp: '203.0.113.7' }),
      ),
    );
    expect(granted(results)).toBe(50);
    expect(results.filter((r) => !r.granted).every((r) => r.budget === 'address')).toBe(true);
    // The refused requests gave back what they had taken from their pair and user budgets.
    const pairs = await first.prisma.attemptCounter.aggregate({
      where: { key: { startsWith: 'user-ip:' } },
      _sum: { failures: true },
    });
    expect(pairs._sum.failures).toBe(50);
  });

  it('a refund gives the attempt back to its window', async () => {
    const scope = { userName: 'carol', sourceIp: '192.0.2.20' };
    const reservations = await Promise.all(Array.from({ length: 5 }, () => one.reserve(scope)));
    expect((await one.reserve(scope)).granted).toBe(false);
    const right = reservations[0]!;
    if (!right.granted) throw new Error('expected a reservation');
    await other.refund(right.reservation);
    expect((await other.reserve(scope)).granted).toBe(true);
    expect((await other.reserve(scope)).granted).toBe(false);
  });

  it('opens a new window when the last one ended, also under parallel attempts', async () => {
    const scope = { userName: 'frank', sourceIp: '192.0.2.30' };
    const before = await Promise.all(Array.from({ length: 10 }, () => one.reserve(scope)));
    expect(granted(before)).toBe(5);
    const stale = before.find((r) => r.granted);

    clock += 600_000;
    const waiting = await one.reserve(scope);
    expect(waiting).toMatchObject({ granted: false, retryAfterSeconds: 300, blockStarted: false });

    clock += 300_000;
    const after = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? one : other).reserve(scope)));
    expect(granted(after)).toBe(5);
    const row = await first.prisma.attemptCounter.findUniqueOrThrow({ where: { key: 'user-ip:frank|192.0.2.30' } });
    expect(row).toMatchObject({ windowStart: now(), failures: 5, refusals: 25, blockedAt: now() });

    // A refund from the old window does not add to the new one.
    if (!stale?.granted) throw new Error('expected a reservation');
    await one.refund(stale.reservation);
    expect((await first.prisma.attemptCounter.findUniqueOrThrow({ where: { key: row.key } })).failures).toBe(5);
  });

  it('lists spent budgets for the admin and lifts one', async () => {
    await Promise.all(Array.from({ length: 7 }, () => one.reserve({ userName: 'dave', sourceIp: '192.0.2.40' })));
    await one.reserve({ userName: 'erin', sourceIp: '192.0.2.41' });
    const lockouts = await other.lockouts();
    expect(lockouts).toEqual([
      {
        key: 'user-ip:dave|192.0.2.40',
        budget: 'user_address',
        userName: 'dave',
        sourceIp: '192.0.2.40',
        failures: 5,
        limit: 5,
        refusals: 2,
        windowStart: now(),
        endsAt: new Date(clock + 900_000),
        blockedAt: now(),
      },
    ]);
    const lifted = await other.lift('user-ip:dave|192.0.2.40');
    expect(lifted).toMatchObject({ failures: 5, refusals: 2 });
    expect(await other.lift('user-ip:dave|192.0.2.40')).toBeNull();
    // A budget with room left is no lockout.
    expect(await other.lift('user-ip:erin|192.0.2.41')).toBeNull();
    expect(await one.lockouts()).toEqual([]);
    expect((await one.reserve({ userName: 'dave', sourceIp: '192.0.2.40' })).granted).toBe(true);
  });

  it('purges windows that ended', async () => {
    await one.reserve({ userName: 'gina', sourceIp: '192.0.2.50' });
    clock += 901_000;
    expect(await one.purgeExpired()).toBe(3);
  });
});
