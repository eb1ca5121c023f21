import { describe, expect, it } from 'vitest';
import { createKeyRing, generateMasterKey, open, parseMasterKey } from '../src/services/custody/secret-box.ts';
import { signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { testDatabaseUrls } from './test-databases.ts';

/** The key id a sealed text names (secret-box format `v1.<keyId>.<nonce>.<ciphertext>.<tag>`). */
const sealedUnder = (sealed: string) => sealed.split('.')[1];

describe.each(testDatabaseUrls())('rotate-master-key ($name)', (provider) => {
  const harness = useEnrolledPortal(provider);

  it('re-seals everything sealed: user keys, every MFA session and open setup links', async () => {
    const portal = harness();
    const { prisma } = portal.database;
    const old = portal.config.masterKey!;
    // MFA sessions: a live one, a revoked one and an expired one (their credentials may still work at AWS).
    for (const userName of ['alice', 'frank', 'erin']) await signIn(portal, userName);
    const sessions = await prisma.mfaSession.findMany({ orderBy: { createdAt: 'asc' } });
    expect(sessions.length).toBeGreaterThanOrEqual(3);
    await prisma.mfaSession.update({ where: { id: sessions[1]!.id }, data: { revokedAt: new Date() } });
    await prisma.mfaSession.update({
      where: { id: sessions[2]!.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    // An opened MFA setup link holds the device's secret.
    const { mfaSetup, custody } = portal.app.services;
    const link = await mfaSetup.createLink({ userName: 'bob', admin: 'carol', origin: {} });
    const { device } = await mfaSetup.openLink(link.url.split('#')[1]!, undefined, {});

    const next = parseMasterKey(generateMasterKey());
    const counts = await custody.rotateMasterKey(createKeyRing(next, [old]));
    expect(counts).toEqual({ users: 4, mfaSessions: sessions.length, setupLinks: 1 });

    // Nothing sealed under the old key remains: every sealed value names the new key and opens
    // with it alone.
    const onlyNext = createKeyRing(next);
    const sealed = [
      ...(await prisma.enrolledUser.findMany()).map((r) => ({
        keyId: r.masterKeyId,
        sealed: r.sealedSecret,
        context: `user-key:${r.userNameKey}:${r.accessKeyId}`,
      })),
      ...(await prisma.mfaSession.findMany()).map((r) => ({
        keyId: r.masterKeyId,
        sealed: r.sealedCredentials,
        context: `mfa-session:${r.id}`,
      })),
      ...(await prisma.mfaSetupLink.findMany({ where: { sealedSecret: { not: null } } })).map((r) => ({
        keyId: r.masterKeyId,
        sealed: r.sealedSecret!,
        context: `mfa-setup:${r.id}`,
      })),
    ];
    expect(sealed).toHaveLength(4 + sessions.length + 1);
    for (const record of sealed) {
      expect(record.keyId, record.context).toBe(next.id);
      expect(sealedUnder(record.sealed), record.context).toBe(next.id);
      expect(() => open(onlyNext, record.sealed, record.context), record.context).not.toThrow();
    }
    const setupSecret = sealed.find((r) => r.context.startsWith('mfa-setup:'))!;
    expect(open(onlyNext, setupSecret.sealed, setupSecret.context)).toBe(device.secret);
    const audit = await prisma.auditEvent.findFirstOrThrow({
      where: { action: 'custody.rotate_master_key' },
      orderBy: { seq: 'desc' },
    });
    expect(audit.metadata).toMatchObject({ masterKeyId: next.id, users: 4, setupLinks: 1 });
  });
});
