import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import QRCode from 'qrcode';
import { AwsCallError } from '../../aws/aws-errors.ts';
import type { AwsGateway } from '../../aws/aws-gateway.ts';
import type { DbClient } from '../../db/prisma-types.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import { appErrorFromAws, portalAwsError } from '../aws-error-mapping.ts';
import type { SnapshotUpdates } from '../compliance/snapshot-updates.ts';
import { type KeyRing, open, seal } from '../custody/secret-box.ts';

export interface MfaSetupServiceDeps {
  prisma: PrismaClient;
  aws: Pick<
    AwsGateway,
    'listMfaDevices' | 'portalCallerIdentity' | 'createVirtualMfaDevice' | 'enableMfaDevice' | 'deleteVirtualMfaDevice'
  >;
  keyRing: () => KeyRing;
  audit: Pick<AuditService, 'append'>;
  snapshot: Pick<SnapshotUpdates, 'recordVirtualMfaEnabled'>;
  linkHours: number;
  /** PUBLIC_URL; without it the link is a path the admin's browser resolves against the portal. */
  publicUrl: string | undefined;
  now?: () => Date;
}

export interface SetupLink {
  url: string;
  expiresAt: Date;
}

/** An open link: the device, and on the first open the binding to hand the browser (a cookie). */
export interface OpenedLink {
  device: SetupDevice;
  /** Set when this open bound the link; the browser must present it from now on. */
  binding?: string;
}

export interface SetupDevice {
  userName: string;
  accountId: string;
  expiresAt: Date;
  serialNumber: string;
  /** base32 TOTP secret, for typing into an authenticator app. */
  secret: string;
  /** data:image/png;base64,... of the otpauth:// URI. */
  qrCodePng: string;
}

const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const CODE = /^\d{6}$/;
/** Wrong code pairs a link survives; then it is spent (tokens are long, codes are not). */
export const MAX_FAILED_ATTEMPTS = 5;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const BINDING = /^[A-Za-z0-9_-]{43}$/;
const boundElsewhere = () =>
  forbidden(
    'setup_link_in_use',
    'This MFA setup link was already opened in another browser, and only that browser may use it. Ask your administrator for a new link if that was not you.',
  );
const sealContext = (linkId: string) => `mfa-setup:${linkId}`;
const linkGone = () =>
  notFound('setup_link_invalid', 'This MFA setup link is not valid. Ask your administrator for a new one.');

/**
 * One-time links that let an IAM user without MFA set up a virtual MFA device: an admin creates
 * the link; the user opens it (the portal creates the device in IAM and shows its QR code and
 * secret) and confirms with two consecutive codes (the portal enables the device for the user).
 * The first browser to open a link binds it (a random binding, kept as a SHA-256; the route
 * hands it over as an HttpOnly cookie): the secret is shown, and the setup completed, only there.
 * Every open of a real link is audited with its address, refused ones too.
 */
export function createMfaSetupService({
  prisma,
  aws,
  keyRing,
  audit,
  snapshot,
  linkHours,
  publicUrl,
  now = () => new Date(),
}: MfaSetupServiceDeps) {
  /** The link behind a token while it may still be used; one answer for unknown, used and expired. */
  async function usableLink(token: string) {
    if (!TOKEN.test(token)) throw linkGone();
    const link = await prisma.mfaSetupLink.findUnique({ where: { tokenHash: hashToken(token) } });
    if (!link || link.consumedAt) throw linkGone();
    if (link.expiresAt.getTime() <= now().getTime())
      throw new AppError(
        410,
        'setup_link_expired',
        'This MFA setup link has expired. Ask your administrator for a new one.',
      );
    return link;
  }

  /** Creates the IAM device under a name nobody uses yet (an abandoned link may have left one). */
  async function createDevice(userName: string) {
    for (let attempt = 0; ; attempt++) {
      const name = attempt === 0 ? userName : `${userName}-${randomBytes(3).toString('hex')}`;
      try {
        return await aws.createVirtualMfaDevice(name);
      } catch (error) {
        if (!(error instanceof AwsCallError && error.kind === 'conflict') || attempt >= 3)
          throw portalAwsError(error, 'create MFA devices (iam:CreateVirtualMFADevice)');
      }
    }
  }

  return {
    async createLink(input: { userName: string; admin: string; origin: RequestOrigin }): Promise<SetupLink> {
      if (!USER_NAME.test(input.userName))
        throw badRequest('invalid_user_name', 'An IAM user name is 1 to 64 characters of letters, digits and +=,.@_-.');
      let devices: Awaited<ReturnType<typeof aws.listMfaDevices>>;
      try {
        devices = await aws.listMfaDevices(input.userName);
      } catch (error) {
        if (error instanceof AwsCallError && error.kind === 'not_found')
          throw notFound('unknown_user', `IAM has no user named ${input.userName}.`);
        throw portalAwsError(error, 'list MFA devices (iam:ListMFADevices)');
      }
      if (devices.length > 0) throw conflict('mfa_already_active', `${input.userName} already has an MFA device.`);
      const accountId = (
        await aws.portalCallerIdentity().catch((error: unknown) => {
          throw appErrorFromAws(error);
        })
      ).account;
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now().getTime() + linkHours * 3_600_000);
      const { link, replacedDevices } = await auditedTransaction(prisma, async (tx) => {
        // One live link per user: a new link replaces any earlier one.
        const replaced = await tx.mfaSetupLink.findMany({
          where: { userName: input.userName, consumedAt: null },
          select: { deviceSerial: true },
        });
        await tx.mfaSetupLink.updateMany({
          where: { userName: input.userName, consumedAt: null },
          data: { consumedAt: now(), sealedSecret: null },
        });
        const created = await tx.mfaSetupLink.create({
          data: { tokenHash: hashToken(token), userName: input.userName, accountId, createdBy: input.admin, expiresAt },
        });
        await audit.append(
          {
            actor: input.admin,
            action: AuditAction.MfaSetupLinkCreate,
            outcome: 'success',
            ...input.origin,
            metadata: { userName: input.userName, linkId: created.id, expiresAt: expiresAt.toISOString() },
          },
          tx,
        );
        return { link: created, replacedDevices: replaced.flatMap((r) => (r.deviceSerial ? [r.deviceSerial] : [])) };
      });
      // Devices an earlier link created but nobody enabled would linger in IAM; remove them.
      for (const serial of replacedDevices) await aws.deleteVirtualMfaDevice(serial).catch(() => undefined);
      return { url: `${publicUrl ?? ''}/mfa-setup#${token}`, expiresAt: link.expiresAt };
    },

    /**
     * Opens a link. The first open binds it to the caller and creates the virtual device in IAM;
     * later opens with the binding show the same device; any other open is refused (403).
     */
    async openLink(token: string, binding: string | undefined, origin: RequestOrigin): Promise<OpenedLink> {
      let link = await usableLink(token);
      const opened = (outcome: 'success' | 'denied', first: boolean) => ({
        actor: link.userName,
        action: AuditAction.MfaSetupOpen,
        outcome,
        ...(outcome === 'denied' ? { errorCode: 'setup_link_in_use' } : {}),
        ...origin,
        metadata: { userName: link.userName, linkId: link.id, first },
      });
      let fresh: string | undefined;
      if (!link.bindingHash) {
        const candidate = randomBytes(32).toString('base64url');
        const bound = await auditedTransaction(prisma, async (tx) => {
          const claimed = await tx.mfaSetupLink.updateMany({
            where: { id: link.id, bindingHash: null, consumedAt: null },
            data: { bindingHash: hashToken(candidate) },
          });
          if (claimed.count !== 1) return false;
          await audit.append(opened('success', true), tx);
          return true;
        });
        if (bound) fresh = candidate;
        else link = await usableLink(token); // another browser bound it a moment ago
      }
      if (!fresh) {
        if (!isBoundTo(link.bindingHash, binding)) {
          await audit.append(opened('denied', false));
          throw boundElsewhere();
        }
        await audit.append(opened('success', false));
      }
      if (!link.deviceSerial || !link.sealedSecret) {
        // The key ring first: without a master key the device could not be kept, so do not create it.
        const ring = keyRing();
        const device = await createDevice(link.userName);
        const won = await auditedTransaction(prisma, async (tx) => {
          const claimed = await tx.mfaSetupLink.updateMany({
            where: { id: link.id, deviceSerial: null, consumedAt: null },
            data: {
              deviceSerial: device.serialNumber,
              sealedSecret: seal(ring, device.base32Seed, sealContext(link.id)),
              masterKeyId: ring.current.id,
            },
          });
          if (claimed.count !== 1) return false;
          await audit.append(
            {
              actor: link.userName,
              action: AuditAction.MfaSetupDeviceCreate,
              outcome: 'success',
              ...origin,
              metadata: { userName: link.userName, linkId: link.id, serialNumber: device.serialNumber },
            },
            tx,
          );
          return true;
        });
        // A second open raced us and its device is the one kept: ours must not linger in IAM.
        if (!won) await aws.deleteVirtualMfaDevice(device.serialNumber).catch(() => undefined);
        link = await usableLink(token);
      }
      const secret = open(keyRing(), link.sealedSecret!, sealContext(link.id));
      const label = `AWS:${link.userName}@${link.accountId}`;
      const uri = `otpauth://totp/${encodeURIComponent(label)}?secret=${secret}&issuer=AWS`;
      const device: SetupDevice = {
        userName: link.userName,
        accountId: link.accountId,
        expiresAt: link.expiresAt,
        serialNumber: link.deviceSerial!,
        secret,
        qrCodePng: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
      };
      return fresh ? { device, binding: fresh } : { device };
    },

    /** Enables the device with two consecutive codes and spends the link. */
    async completeLink(input: {
      token: string;
      binding: string | undefined;
      code1: string;
      code2: string;
      origin: RequestOrigin;
    }): Promise<{ userName: string; serialNumber: string }> {
      const link = await usableLink(input.token);
      if (!link.deviceSerial || !link.bindingHash)
        throw conflict('setup_not_opened', 'Open the setup link first to get the QR code.');
      if (!isBoundTo(link.bindingHash, input.binding)) {
        await audit.append({
          actor: link.userName,
          action: AuditAction.MfaSetupComplete,
          outcome: 'denied',
          errorCode: 'setup_link_in_use',
          ...input.origin,
          metadata: { userName: link.userName, linkId: link.id },
        });
        throw boundElsewhere();
      }
      const [code1, code2] = [input.code1.replace(/\s/g, ''), input.code2.replace(/\s/g, '')];
      if (!CODE.test(code1) || !CODE.test(code2))
        throw badRequest('invalid_mfa_codes', 'Enter two consecutive 6-digit codes from your authenticator app.');
      try {
        await aws.enableMfaDevice(link.userName, link.deviceSerial, code1, code2);
      } catch (error) {
        if (error instanceof AwsCallError && error.kind === 'invalid_mfa_code') {
          const failures = link.failedAttempts + 1;
          const spent = failures >= MAX_FAILED_ATTEMPTS;
          await auditedTransaction(prisma, async (tx) => {
            await tx.mfaSetupLink.update({
              where: { id: link.id },
              data: { failedAttempts: failures, ...(spent ? { consumedAt: now(), sealedSecret: null } : {}) },
            });
            await audit.append(
              {
                actor: link.userName,
                action: AuditAction.MfaSetupComplete,
                outcome: 'failure',
                errorCode: 'invalid_mfa_codes',
                ...input.origin,
                metadata: { userName: link.userName, linkId: link.id, failures },
              },
              tx,
            );
          });
          if (spent) await aws.deleteVirtualMfaDevice(link.deviceSerial).catch(() => undefined);
          throw badRequest(
            'invalid_mfa_codes',
            spent
              ? 'Those codes were not accepted, and this link has now been used up. Ask your administrator for a new one.'
              : 'Those codes were not accepted. Enter two consecutive codes: wait for a new code after typing the first.',
          );
        }
        if (error instanceof AwsCallError && error.kind === 'conflict') throw linkGone(); // enabled already (a double submit)
        throw portalAwsError(error, 'enable MFA devices (iam:EnableMFADevice)');
      }
      await auditedTransaction(prisma, async (tx) => {
        await tx.mfaSetupLink.updateMany({
          where: { id: link.id, consumedAt: null },
          data: { consumedAt: now(), completedAt: now(), sealedSecret: null },
        });
        await audit.append(
          {
            actor: link.userName,
            action: AuditAction.MfaSetupComplete,
            outcome: 'success',
            ...input.origin,
            metadata: { userName: link.userName, linkId: link.id, serialNumber: link.deviceSerial },
          },
          tx,
        );
        await snapshot.recordVirtualMfaEnabled(tx, link.userName);
      });
      return { userName: link.userName, serialNumber: link.deviceSerial };
    },

    /**
     * Housekeeping: links that expired unused give up their secret, and the virtual device they
     * created (never enabled) is deleted from IAM. Each link is claimed before its device is
     * deleted, so instances sweeping at once never act on the same link twice.
     */
    async sweepExpired(): Promise<number> {
      const expired = await prisma.mfaSetupLink.findMany({
        where: { consumedAt: null, expiresAt: { lte: now() } },
        take: 100,
      });
      let swept = 0;
      for (const link of expired) {
        const claimed = await prisma.mfaSetupLink.updateMany({
          where: { id: link.id, consumedAt: null },
          data: { consumedAt: now(), sealedSecret: null },
        });
        if (claimed.count === 0) continue;
        swept++;
        if (link.deviceSerial) await aws.deleteVirtualMfaDevice(link.deviceSerial).catch(() => undefined);
      }
      return swept;
    },
  };
}

export type MfaSetupService = ReturnType<typeof createMfaSetupService>;

/** Whether `binding` is the one whose hash the link keeps (constant time). */
function isBoundTo(bindingHash: string | null, binding: string | undefined): boolean {
  if (!bindingHash || !binding || !BINDING.test(binding)) return false;
  return timingSafeEqual(Buffer.from(hashToken(binding)), Buffer.from(bindingHash));
}

/**
 * Re-seals the device secrets of open links under `target`'s current key (rotate-master-key);
 * returns how many. Links that gave up their secret hold nothing sealed.
 */
export async function resealSetupLinks(tx: DbClient, target: KeyRing): Promise<number> {
  const links = await tx.mfaSetupLink.findMany({ where: { sealedSecret: { not: null } } });
  for (const link of links) {
    const secret = open(target, link.sealedSecret!, sealContext(link.id));
    await tx.mfaSetupLink.update({
      where: { id: link.id },
      data: { sealedSecret: seal(target, secret, sealContext(link.id)), masterKeyId: target.current.id },
    });
  }
  return links.length;
}
