import { AwsCallError } from '../../aws/aws-errors.ts';
import type { AwsGateway, AwsKey } from '../../aws/aws-gateway.ts';
import { AppError, badRequest, conflict, notFound, serviceUnavailable } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import type { IssuePath } from '../../generated/prisma-sqlite/enums.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import { REPRESENTATIVE_ACTIONS } from '../compliance/compliance-scanner.ts';
import type { KeysWorkWithoutMfa } from '../compliance/compliance-types.ts';
import { mfaDeviceKind } from '../compliance/mfa-device-kinds.ts';
import type { SnapshotUpdates } from '../compliance/snapshot-updates.ts';
import { resealSetupLinks } from '../mfa-setup/mfa-setup-service.ts';
import type { EndedSessions, RevocationService } from '../sessions/revocation-service.ts';
import { type KeyRing, open, seal } from './secret-box.ts';

/** How the portal gets role credentials for a user: the IssuePath enum of prisma/schema.prisma. */
export type { IssuePath };

export interface EnrolledUserSummary {
  userName: string;
  accountId: string;
  userArn: string;
  accessKeyId: string;
  mfaSerial: string;
  /** Only mfaSerial signs the user in (enroll --mfa-serial); else their other TOTP devices are tried after it. */
  mfaSerialPinned: boolean;
  issuePath: IssuePath;
  keyCreatedAt: Date;
  enrolledAt: Date;
  lastSignInAt: Date | null;
}

/** What enrolling found: the user, and whether their keys work without MFA (the warning to show). */
export interface Enrollment extends EnrolledUserSummary {
  /** As the compliance scan reports it: a policy simulation with aws:MultiFactorAuthPresent=false. */
  keysWorkWithoutMfa: Exclude<KeysWorkWithoutMfa, 'n/a'>;
}

/** An enrolled user with the opened key: handle with care, never log or return it. */
export interface UserKey extends EnrolledUserSummary {
  key: AwsKey;
}

export interface EnrollOptions {
  /** The one MFA device the user may sign in with (pins it); without it every TOTP device of theirs works. */
  mfaSerial?: string;
  /** An existing key pair to hold instead of creating one. */
  importedKey?: { accessKeyId: string; secretAccessKey: string };
  /** Who enrolls the user, for the audit log (the CLI acts as 'system'). */
  actor?: string;
  origin?: RequestOrigin;
}

export interface CustodyServiceDeps {
  prisma: PrismaClient;
  aws: Pick<
    AwsGateway,
    | 'createAccessKey'
    | 'deleteAccessKey'
    | 'listAccessKeyIds'
    | 'listMfaDevices'
    | 'getCallerIdentity'
    | 'simulatePrincipalPolicy'
  >;
  keyRing: () => KeyRing;
  audit: AuditService;
  /** Ends the user's sessions and tokens inside the unenrollment's transaction. */
  revocation: Pick<RevocationService, 'endAllOf'>;
  /** Marks the user (un)enrolled in the latest compliance snapshot, in the same transaction. */
  snapshot: Pick<SnapshotUpdates, 'recordEnrolled'>;
  now?: () => Date;
  /** Waits between checks that a new key works (IAM keys take a few seconds to propagate). */
  sleep?: (ms: number) => Promise<void>;
}

const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const KEY_ID = /^[A-Z0-9]{16,128}$/;
const KEY_PROPAGATION_CHECKS = 8;

/** FIDO security keys' serials are ARNs with `:u2f/`; STS takes codes only from TOTP devices. */
export const isFidoSerial = (serial: string) => serial.includes(':u2f/');

const sealContext = (userNameKey: string, accessKeyId: string) => `user-key:${userNameKey}:${accessKeyId}`;

/**
 * Holds one AWS access key per enrolled IAM user, sealed under the master key. AWS only checks
 * an MFA code against a device of the user who signs the call, so the portal must sign as the
 * user; the user's policy should make this key useless without MFA.
 */
export function createCustodyService({
  prisma,
  aws,
  keyRing,
  audit,
  revocation,
  snapshot,
  now = () => new Date(),
  sleep = defaultSleep,
}: CustodyServiceDeps) {
  async function identityOf(key: AwsKey) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await aws.getCallerIdentity(key);
      } catch (error) {
        const retriable =
          error instanceof AwsCallError && error.kind === 'invalid_key' && attempt < KEY_PROPAGATION_CHECKS;
        if (!retriable) throw error;
        await sleep(Math.min(500 * attempt, 3000));
      }
    }
  }

  /** Users under a deny-unless-MFA policy cannot call AssumeRole with their long-term key. */
  async function detectIssuePath(userArn: string): Promise<IssuePath> {
    try {
      const [result] = await aws.simulatePrincipalPolicy(userArn, ['sts:AssumeRole'], {});
      return result?.decision === 'explicitDeny' ? 'mfa_session' : 'assume_role';
    } catch {
      // Without iam:SimulatePrincipalPolicy the safe choice is the path that always works.
      return 'mfa_session';
    }
  }

  /**
   * Whether the key the portal will hold also works without an MFA code, the way the compliance
   * scan asks: then whoever steals it needs no code at all, and the user's policy should change.
   */
  async function keysWorkWithoutMfa(userArn: string): Promise<Enrollment['keysWorkWithoutMfa']> {
    try {
      const results = await aws.simulatePrincipalPolicy(userArn, REPRESENTATIVE_ACTIONS, {
        'aws:MultiFactorAuthPresent': 'false',
      });
      if (results.length === 0) return 'unknown';
      return results.some((r) => r.decision === 'allowed') ? 'yes' : 'no';
    } catch {
      return 'unknown';
    }
  }

  function summary(row: {
    userName: string;
    accountId: string;
    userArn: string;
    accessKeyId: string;
    mfaSerial: string;
    mfaSerialPinned: boolean;
    issuePath: IssuePath;
    keyCreatedAt: Date;
    enrolledAt: Date;
    lastSignInAt: Date | null;
  }): EnrolledUserSummary {
    return {
      userName: row.userName,
      accountId: row.accountId,
      userArn: row.userArn,
      accessKeyId: row.accessKeyId,
      mfaSerial: row.mfaSerial,
      mfaSerialPinned: row.mfaSerialPinned,
      issuePath: row.issuePath,
      keyCreatedAt: row.keyCreatedAt,
      enrolledAt: row.enrolledAt,
      lastSignInAt: row.lastSignInAt,
    };
  }

  /** Deletes a replaced key; true, or the reason it is still in IAM (audited as a failure). */
  async function deleteOldKey(userName: string, accessKeyId: string): Promise<true | string> {
    try {
      await aws.deleteAccessKey(userName, accessKeyId);
      return true;
    } catch (error) {
      if (error instanceof AwsCallError && error.kind === 'not_found') return true;
      const code = error instanceof AwsCallError ? error.kind : 'unexpected_error';
      await audit.append({
        actor: 'system',
        action: AuditAction.RotateKey,
        outcome: 'failure',
        errorCode: code,
        metadata: { userName, oldAccessKeyId: accessKeyId, step: 'delete_old_key' },
      });
      return code;
    }
  }

  /**
   * The device tried first: the one named (and then the only one), else the user's first TOTP
   * device. FIDO security keys cannot answer STS with a code, so they are never chosen.
   */
  async function chooseMfaSerial(userName: string, wanted: string | undefined): Promise<string> {
    const all = await aws.listMfaDevices(userName);
    // STS takes codes only from TOTP devices: a FIDO security key protects console sign-in only.
    const devices = all.filter((d) => mfaDeviceKind(d.serialNumber) !== 'fido');
    if (devices.length === 0) {
      throw conflict(
        'no_mfa_device',
        all.length > 0
          ? `${userName} has only FIDO security keys, which AWS accepts for the console only. Set up a virtual or hardware MFA device; the portal signs people in with its codes.`
          : `${userName} has no MFA device in IAM. Set one up first; the portal signs people in with its codes.`,
      );
    }
    const totp = devices.filter((d) => !isFidoSerial(d.serialNumber));
    if (wanted) {
      if (!devices.some((d) => d.serialNumber === wanted)) {
        throw badRequest(
          'unknown_mfa_device',
          `${userName} has no MFA device ${wanted}. Their devices: ${devices.map((d) => d.serialNumber).join(', ')}.`,
        );
      }
      if (isFidoSerial(wanted)) {
        throw badRequest(
          'fido_mfa_device',
          `${wanted} is a FIDO security key: AWS accepts its touches for console sign-in only, never as a code. Name a TOTP device.`,
        );
      }
      return wanted;
    }
    if (totp.length === 0) {
      throw conflict(
        'no_totp_device',
        `${userName} has only FIDO security keys, which cannot sign in with a code. Add a virtual or hardware TOTP device.`,
      );
    }
    return totp[0]!.serialNumber;
  }

  async function obtainKey(
    userName: string,
    options: EnrollOptions,
  ): Promise<{ key: { accessKeyId: string; secretAccessKey: string }; created: boolean }> {
    if (options.importedKey) {
      if (!KEY_ID.test(options.importedKey.accessKeyId) || options.importedKey.secretAccessKey.length < 16) {
        throw badRequest('invalid_key', 'The imported key does not look like an AWS access key pair.');
      }
      return { key: options.importedKey, created: false };
    }
    const existing = await aws.listAccessKeyIds(userName);
    if (existing.length >= 2) {
      throw conflict(
        'access_key_limit',
        `${userName} already has two access keys (the IAM limit). Delete one, or enroll with --import to hand the portal an existing key.`,
      );
    }
    return { key: await aws.createAccessKey(userName), created: true };
  }

  return {
    async enroll(userName: string, options: EnrollOptions = {}): Promise<Enrollment> {
      if (!USER_NAME.test(userName))
        throw badRequest('invalid_user_name', 'An IAM user name is 1 to 64 characters of letters, digits and +=,.@_-.');
      const userNameKey = userName.toLowerCase();
      if (await prisma.enrolledUser.findUnique({ where: { userNameKey } })) {
        throw conflict(
          'already_enrolled',
          `${userName} is already enrolled. Use rotate-keys to replace the key, or unenroll first.`,
        );
      }
      const mfaSerial = await chooseMfaSerial(userName, options.mfaSerial).catch(rethrowNotFound(userName));
      const { key, created } = await obtainKey(userName, options).catch(rethrowNotFound(userName));
      try {
        const identity = await identityOf(key);
        const expectedSuffix = `:user/${userName}`.toLowerCase();
        if (!identity.arn.toLowerCase().endsWith(expectedSuffix)) {
          throw badRequest('key_not_for_user', `That access key belongs to ${identity.arn}, not to ${userName}.`);
        }
        const issuePath = await detectIssuePath(identity.arn);
        const withoutMfa = await keysWorkWithoutMfa(identity.arn);
        const ring = keyRing();
        const row = await auditedTransaction(prisma, async (tx) => {
          const created = await tx.enrolledUser.create({
            data: {
              userName,
              userNameKey,
              accountId: identity.account,
              userArn: identity.arn,
              accessKeyId: key.accessKeyId,
              sealedSecret: seal(ring, key.secretAccessKey, sealContext(userNameKey, key.accessKeyId)),
              masterKeyId: ring.current.id,
              mfaSerial,
              mfaSerialPinned: options.mfaSerial !== undefined,
              issuePath,
              keyCreatedAt: now(),
            },
          });
          await audit.append(
            {
              actor: options.actor ?? 'system',
              action: AuditAction.Enroll,
              outcome: 'success',
              ...options.origin,
              metadata: {
                userName,
                accessKeyId: key.accessKeyId,
                issuePath,
                imported: !!options.importedKey,
                keysWorkWithoutMfa: withoutMfa,
              },
            },
            tx,
          );
          await snapshot.recordEnrolled(tx, userName, true);
          return created;
        });
        return { ...summary(row), keysWorkWithoutMfa: withoutMfa };
      } catch (error) {
        // Never leave a key in IAM that the portal does not hold.
        if (created) await aws.deleteAccessKey(userName, key.accessKeyId).catch(() => undefined);
        throw error;
      }
    },

    /**
     * Deletes the user's key in IAM and in the portal, and ends their browser sessions, MFA
     * sessions and CLI tokens in the same transaction as the deletion and its audit row.
     */
    async unenroll(
      userName: string,
      by: { actor?: string; origin?: RequestOrigin } = {},
    ): Promise<EnrolledUserSummary & { ended: EndedSessions }> {
      const row = USER_NAME.test(userName)
        ? await prisma.enrolledUser.findUnique({ where: { userNameKey: userName.toLowerCase() } })
        : null;
      if (!row) throw notFound('not_enrolled', `${userName.slice(0, 64)} is not enrolled.`);
      try {
        await aws.deleteAccessKey(row.userName, row.accessKeyId);
      } catch (error) {
        if (!(error instanceof AwsCallError && error.kind === 'not_found')) throw error;
      }
      const ended = await auditedTransaction(prisma, async (tx) => {
        await tx.enrolledUser.delete({ where: { id: row.id } });
        const ended = await revocation.endAllOf(tx, row.userName);
        await snapshot.recordEnrolled(tx, row.userName, false);
        await audit.append(
          {
            actor: by.actor ?? 'system',
            action: AuditAction.Unenroll,
            outcome: 'success',
            ...by.origin,
            metadata: { userName: row.userName, accessKeyId: row.accessKeyId, ...ended },
          },
          tx,
        );
        return ended;
      });
      return { ...summary(row), ended };
    },

    /**
     * Replaces keys created more than `olderThanDays` ago: new key first, old key deleted last. A
     * result with `newAccessKeyId` and `error` is a rotation whose old key is still in IAM.
     */
    async rotateKeys(
      olderThanDays: number,
    ): Promise<Array<{ userName: string; oldAccessKeyId: string; newAccessKeyId?: string; error?: string }>> {
      const cutoff = new Date(now().getTime() - olderThanDays * 86_400_000);
      const due = await prisma.enrolledUser.findMany({
        where: { keyCreatedAt: { lt: cutoff } },
        orderBy: { userNameKey: 'asc' },
      });
      const results = [];
      for (const row of due) {
        try {
          const fresh = await aws.createAccessKey(row.userName);
          try {
            await identityOf(fresh);
            const ring = keyRing();
            await auditedTransaction(prisma, async (tx) => {
              await tx.enrolledUser.update({
                where: { id: row.id },
                data: {
                  accessKeyId: fresh.accessKeyId,
                  sealedSecret: seal(ring, fresh.secretAccessKey, sealContext(row.userNameKey, fresh.accessKeyId)),
                  masterKeyId: ring.current.id,
                  keyCreatedAt: now(),
                },
              });
              await audit.append(
                {
                  actor: 'system',
                  action: AuditAction.RotateKey,
                  outcome: 'success',
                  metadata: {
                    userName: row.userName,
                    oldAccessKeyId: row.accessKeyId,
                    newAccessKeyId: fresh.accessKeyId,
                  },
                },
                tx,
              );
            });
          } catch (error) {
            await aws.deleteAccessKey(row.userName, fresh.accessKeyId).catch(() => undefined);
            throw error;
          }
          const deleted = await deleteOldKey(row.userName, row.accessKeyId);
          results.push({
            userName: row.userName,
            oldAccessKeyId: row.accessKeyId,
            newAccessKeyId: fresh.accessKeyId,
            ...(deleted === true
              ? {}
              : {
                  error: `the portal uses the new key ${fresh.accessKeyId}, but deleting the old key ${row.accessKeyId} failed (${deleted}); it still works: delete it in IAM`,
                }),
          });
        } catch (error) {
          const code =
            error instanceof AwsCallError ? error.kind : error instanceof AppError ? error.code : 'unexpected_error';
          const message =
            code === 'limit_exceeded'
              ? `${row.userName} already has two access keys (the IAM limit); delete the one the portal does not hold (${row.accessKeyId} is the portal's), then rotate again`
              : `rotation failed (${code}); the current key stays in use`;
          await audit.append({
            actor: 'system',
            action: AuditAction.RotateKey,
            outcome: 'failure',
            errorCode: code,
            metadata: { userName: row.userName },
          });
          results.push({ userName: row.userName, oldAccessKeyId: row.accessKeyId, error: message });
        }
      }
      return results;
    },

    /**
     * Re-seals every sealed record under `target`'s current key: user keys, every MFA session
     * (revoked and expired ones too: their credentials may still work at AWS until they expire)
     * and the secrets of open MFA setup links. Records must open with `target`'s ring.
     */
    async rotateMasterKey(target: KeyRing): Promise<{ users: number; mfaSessions: number; setupLinks: number }> {
      let users = 0;
      let mfaSessions = 0;
      let setupLinks = 0;
      await auditedTransaction(prisma, async (tx) => {
        for (const row of await tx.enrolledUser.findMany()) {
          const context = sealContext(row.userNameKey, row.accessKeyId);
          const secret = open(target, row.sealedSecret, context);
          await tx.enrolledUser.update({
            where: { id: row.id },
            data: { sealedSecret: seal(target, secret, context), masterKeyId: target.current.id },
          });
          users++;
        }
        for (const row of await tx.mfaSession.findMany()) {
          const context = `mfa-session:${row.id}`;
          const secret = open(target, row.sealedCredentials, context);
          await tx.mfaSession.update({
            where: { id: row.id },
            data: { sealedCredentials: seal(target, secret, context), masterKeyId: target.current.id },
          });
          mfaSessions++;
        }
        setupLinks = await resealSetupLinks(tx, target);
        await audit.append(
          {
            actor: 'system',
            action: AuditAction.RotateMasterKey,
            outcome: 'success',
            metadata: { masterKeyId: target.current.id, users, mfaSessions, setupLinks },
          },
          tx,
        );
      });
      return { users, mfaSessions, setupLinks };
    },

    async list(): Promise<EnrolledUserSummary[]> {
      return (await prisma.enrolledUser.findMany({ orderBy: { userNameKey: 'asc' } })).map(summary);
    },

    async find(userName: string): Promise<EnrolledUserSummary | null> {
      if (!USER_NAME.test(userName)) return null;
      const row = await prisma.enrolledUser.findUnique({ where: { userNameKey: userName.toLowerCase() } });
      return row ? summary(row) : null;
    },

    /** The user's opened key, or null when the user is not enrolled. */
    async loadKey(userName: string): Promise<UserKey | null> {
      if (!USER_NAME.test(userName)) return null;
      const row = await prisma.enrolledUser.findUnique({ where: { userNameKey: userName.toLowerCase() } });
      if (!row) return null;
      let secretAccessKey: string;
      try {
        secretAccessKey = open(keyRing(), row.sealedSecret, sealContext(row.userNameKey, row.accessKeyId));
      } catch {
        throw serviceUnavailable(
          'custody_unavailable',
          'The portal cannot open its stored key for this user. An administrator must check PORTAL_MASTER_KEY.',
        );
      }
      return { ...summary(row), key: { accessKeyId: row.accessKeyId, secretAccessKey } };
    },

    /** Who is enrolled in an account (lower-cased user name to last portal sign-in), for compliance scans. */
    async enrolledIn(accountId: string): Promise<Map<string, Date | null>> {
      const rows = await prisma.enrolledUser.findMany({
        where: { accountId },
        select: { userNameKey: true, lastSignInAt: true },
      });
      return new Map(rows.map((row) => [row.userNameKey, row.lastSignInAt]));
    },

    async recordSignIn(userName: string): Promise<void> {
      await prisma.enrolledUser.updateMany({
        where: { userNameKey: userName.toLowerCase() },
        data: { lastSignInAt: now() },
      });
    },
  };
}

export type CustodyService = ReturnType<typeof createCustodyService>;

function rethrowNotFound(userName: string) {
  return (error: unknown): never => {
    if (error instanceof AwsCallError && error.kind === 'not_found')
      throw notFound('unknown_user', `IAM has no user named ${userName}.`);
    throw error;
  };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
