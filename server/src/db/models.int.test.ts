import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabaseUrls } from '../../test/test-databases.ts';
import { type Database, openDatabase } from './database.ts';

/**
 * Every model other than AuditEvent (see database.int.test.ts) through the generated client on
 * the migrated database: the columns, defaults, unique keys, the indexed filters the services
 * use, and the one relation (CliToken -> MfaSession, cascading).
 */
const at = (iso: string) => new Date(iso);

describe.each(testDatabaseUrls())('models on $name', ({ create }) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await create();
    db = await openDatabase(testDb.url);
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('EnrolledUser: unique by lower-cased name, defaults, rotation query by key age', async () => {
    const base = {
      accountId: '123456789012',
      accessKeyId: 'AKIAEXAMPLE1',
      sealedSecret: 'v1.k1.n.c.t',
      masterKeyId: 'k1',
      mfaSerial: 'arn:aws:iam::123456789012:mfa/alice',
      issuePath: 'assume_role' as const,
    };
    const alice = await db.prisma.enrolledUser.create({
      data: {
        ...base,
        userName: 'Alice',
        userNameKey: 'alice',
        userArn: 'arn:aws:iam::123456789012:user/Alice',
        keyCreatedAt: at('2026-01-01T00:00:00Z'),
      },
    });
    await db.prisma.enrolledUser.create({
      data: {
        ...base,
        userName: 'bob',
        userNameKey: 'bob',
        accessKeyId: 'AKIAEXAMPLE2',
        userArn: 'arn:aws:iam::123456789012:user/bob',
        keyCreatedAt: at('2026-06-01T00:00:00Z'),
      },
    });
    expect(alice.enrolledAt).toBeInstanceOf(Date);
    expect(alice.updatedAt).toBeInstanceOf(Date);
    expect(alice.lastSignInAt).toBeNull();
    const duplicate = await db.prisma.enrolledUser
      .create({
        data: {
          ...base,
          userName: 'ALICE',
          userNameKey: 'alice',
          accessKeyId: 'AKIAEXAMPLE3',
          userArn: 'x',
          keyCreatedAt: new Date(),
        },
      })
      .catch((e: unknown) => e);
    expect((duplicate as { code?: string }).code).toBe('P2002');

    // One IAM access key belongs to one enrolled user.
    const sharedKey = await db.prisma.enrolledUser
      .create({ data: { ...base, userName: 'carol', userNameKey: 'carol', userArn: 'y', keyCreatedAt: new Date() } })
      .catch((e: unknown) => e);
    expect((sharedKey as { code?: string }).code).toBe('P2002');

    const due = await db.prisma.enrolledUser.findMany({
      where: { keyCreatedAt: { lt: at('2026-03-01T00:00:00Z') } },
      orderBy: { userNameKey: 'asc' },
    });
    expect(due.map((u) => u.userName)).toEqual(['Alice']);
    await db.prisma.enrolledUser.updateMany({
      where: { userNameKey: 'alice' },
      data: { lastSignInAt: at('2026-07-01T12:00:00.123Z') },
    });
    expect((await db.prisma.enrolledUser.findUniqueOrThrow({ where: { userNameKey: 'alice' } })).lastSignInAt).toEqual(
      at('2026-07-01T12:00:00.123Z'),
    );
  });

  it('CatalogRole: unique alias, nullable flags and JSON lists', async () => {
    const data = {
      alias: 'readonly',
      roleArn: 'arn:aws:iam::123456789012:role/ReadOnly',
      accountId: '123456789012',
      roleName: 'ReadOnly',
      description: null,
      maxDurationSeconds: 3600,
      mfaMaxAgeSeconds: null,
      trustRequiresMfa: null,
      externalId: null,
      allowedGroups: ['engineers'],
      allowedUsers: [],
    };
    await db.prisma.catalogRole.create({ data });
    await db.prisma.catalogRole.create({
      data: { ...data, alias: 'admin', roleName: 'Admin', trustRequiresMfa: true, mfaMaxAgeSeconds: 900 },
    });
    const roles = await db.prisma.catalogRole.findMany({ orderBy: { alias: 'asc' } });
    expect(roles.map((r) => [r.alias, r.trustRequiresMfa, r.mfaMaxAgeSeconds])).toEqual([
      ['admin', true, 900],
      ['readonly', null, null],
    ]);
    expect(roles[1]!.allowedGroups).toEqual(['engineers']);
    expect(((await db.prisma.catalogRole.create({ data }).catch((e: unknown) => e)) as { code?: string }).code).toBe(
      'P2002',
    );
  });

  it('MfaSession and CliToken: token lookup by hash, FK enforced, tokens die with their session', async () => {
    const session = {
      userName: 'alice',
      accountId: '123456789012',
      mfaSerial: 'arn:aws:iam::123456789012:mfa/alice',
      authenticatedAt: at('2026-07-01T12:00:00Z'),
      expiresAt: at('2026-07-01T24:00:00Z'),
      sealedCredentials: 'v1.k1.n.c.t',
      masterKeyId: 'k1',
    };
    await db.prisma.$transaction(async (tx) => {
      await tx.mfaSession.create({ data: { id: 'sess-1', ...session } });
      await tx.cliToken.create({
        data: { tokenHash: 'a'.repeat(64), userName: 'alice', mfaSessionId: 'sess-1', expiresAt: session.expiresAt },
      });
    });
    const old = await db.prisma.mfaSession.create({ data: { ...session, expiresAt: at('2026-07-01T13:00:00Z') } });
    expect(old.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(old.createdAt).toBeInstanceOf(Date);

    const token = await db.prisma.cliToken.findUniqueOrThrow({ where: { tokenHash: 'a'.repeat(64) } });
    expect(token).toMatchObject({ mfaSessionId: 'sess-1', revokedAt: null, lastUsedAt: null });
    expect(
      await db.prisma.cliToken.findMany({
        where: { userName: 'alice', expiresAt: { gt: at('2026-07-01T20:00:00Z') } },
      }),
    ).toHaveLength(1);
    await db.prisma.cliToken.update({ where: { id: token.id }, data: { lastUsedAt: at('2026-07-01T13:30:00Z') } });

    const orphan = await db.prisma.cliToken
      .create({
        data: { tokenHash: 'b'.repeat(64), userName: 'alice', mfaSessionId: 'no-such-session', expiresAt: new Date() },
      })
      .catch((e: unknown) => e);
    expect((orphan as { code?: string }).code).toBe('P2003');

    const live = await db.prisma.mfaSession.findMany({
      where: { revokedAt: null, expiresAt: { gt: at('2026-07-01T14:00:00Z') } },
    });
    expect(live.map((s) => s.id)).toEqual(['sess-1']);
    await db.prisma.mfaSession.updateMany({
      where: { id: 'sess-1', revokedAt: null },
      data: { revokedAt: at('2026-07-01T15:00:00Z') },
    });
    expect(
      await db.prisma.mfaSession.deleteMany({ where: { expiresAt: { lte: at('2026-07-02T00:00:00Z') } } }),
    ).toEqual({ count: 2 });
    expect(await db.prisma.cliToken.count()).toBe(0);
  });

  it('WebSession: upsert by id and purge by expiry', async () => {
    for (const [id, expiresAt] of [
      ['s1', '2026-07-01T00:00:00Z'],
      ['s2', '2026-07-03T00:00:00Z'],
    ] as const) {
      await db.prisma.webSession.upsert({
        where: { id },
        create: { id, data: '{}', expiresAt: at(expiresAt) },
        update: { data: '{}', expiresAt: at(expiresAt) },
      });
    }
    await db.prisma.webSession.upsert({
      where: { id: 's1' },
      create: { id: 's1', data: 'x', expiresAt: new Date() },
      update: { data: '{"n":2}' },
    });
    expect((await db.prisma.webSession.findUniqueOrThrow({ where: { id: 's1' } })).data).toBe('{"n":2}');
    expect(
      await db.prisma.webSession.deleteMany({ where: { expiresAt: { lte: at('2026-07-02T00:00:00Z') } } }),
    ).toEqual({ count: 1 });
  });

  it('AttemptCounter: increments within a window, upserts a new one, purges old windows', async () => {
    const windowStart = at('2026-07-01T10:00:00Z');
    await db.prisma.attemptCounter.upsert({
      where: { key: 'user:alice' },
      create: { key: 'user:alice', windowStart, failures: 1 },
      update: { windowStart, failures: 1 },
    });
    const bumped = await db.prisma.attemptCounter.updateMany({
      where: { key: 'user:alice', windowStart: { gt: at('2026-07-01T09:50:00Z') } },
      data: { failures: { increment: 1 } },
    });
    expect(bumped.count).toBe(1);
    await db.prisma.attemptCounter.create({
      data: { key: 'ip:192.0.2.1', windowStart: at('2026-07-01T08:00:00Z'), failures: 5 },
    });
    const counter = await db.prisma.attemptCounter.findUniqueOrThrow({ where: { key: 'user:alice' } });
    expect(counter.updatedAt).toBeInstanceOf(Date);
    const counters = await db.prisma.attemptCounter.findMany({
      where: { key: { in: ['user:alice', 'ip:192.0.2.1'] } },
      orderBy: { key: 'asc' },
    });
    expect(counters.map((c) => [c.key, c.failures])).toEqual([
      ['ip:192.0.2.1', 5],
      ['user:alice', 2],
    ]);
    expect(
      await db.prisma.attemptCounter.deleteMany({ where: { windowStart: { lt: at('2026-07-01T09:00:00Z') } } }),
    ).toEqual({ count: 1 });
  });
});
