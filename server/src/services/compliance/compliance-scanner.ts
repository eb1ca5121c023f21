import { AwsCallError } from '../../aws/aws-errors.ts';
import type { AwsGateway, CredentialReport } from '../../aws/aws-gateway.ts';
// CIS checks (services/cis): the root user's facts and each user's oldest credential use.
import { oldestCredentialUse, type RootAccountFacts, rootAccountFacts } from '../cis/cis-checks.ts';
import type { KeysWorkWithoutMfa, ScannedUser } from './compliance-types.ts';
import { type BackoffOptions, mapWithConcurrency, pause, withThrottleBackoff } from './concurrency.ts';
import { type CredentialReportUser, parseCredentialReport } from './credential-report.ts';

/**
 * Actions a typical access key is used for. If any is allowed with
 * aws:MultiFactorAuthPresent=false, the keys do real work without MFA.
 */
export const REPRESENTATIVE_ACTIONS = ['s3:ListAllMyBuckets', 'ec2:DescribeInstances', 'iam:ListUsers'];

/** A virtual device's serial is an `arn:...:mfa/` ARN; anything else is a hardware token's serial. */
const VIRTUAL_SERIAL = /^arn:aws[\w-]*:iam::\d{12}:mfa\//;

export interface ScannerDeps {
  aws: Pick<
    AwsGateway,
    | 'portalCallerIdentity'
    | 'generateCredentialReport'
    | 'getCredentialReport'
    | 'listVirtualMfaDevices'
    | 'listMfaDevices'
    | 'simulatePrincipalPolicy'
  >;
  /** Per-user AWS calls in flight at once. */
  concurrency: number;
  backoff: BackoffOptions;
  /** Gives up on a credential report that is not ready after this long. */
  reportTimeoutMs: number;
}

export interface AccountScan {
  accountId: string;
  reportGeneratedAt: Date;
  rootMfa: boolean | null;
  /** For the CIS root checks; null when the report had no root row. */
  rootAccount: RootAccountFacts | null;
  /** Users as AWS shows them; `enrolled` / `lastPortalSignInAt` are filled in by the caller. */
  users: ScannedUser[];
}

export interface ScanObserver {
  onUsersFound(total: number): Promise<void> | void;
  onUserDone(): void;
  /** Checked between users so a portal that is shutting down stops scanning. */
  cancelled(): boolean;
}

export class ScanCancelledError extends Error {}
export class ReportTimeoutError extends Error {}

/**
 * Reads one AWS account's MFA posture with few calls: one credential report for everyone, one
 * listing of virtual MFA devices, then per user only what the report cannot tell: the device
 * kinds (ListMFADevices, users with MFA) and whether active keys work without MFA
 * (SimulatePrincipalPolicy, users with active keys).
 */
export function createComplianceScanner({ aws, concurrency, backoff, reportTimeoutMs }: ScannerDeps) {
  /** Scans run one at a time per instance; this is the running scan's stop signal. */
  let cancelled: () => boolean = () => false;
  const retrying = <T>(call: () => Promise<T>) => withThrottleBackoff(call, { ...backoff, cancelled });

  async function credentialReport(): Promise<CredentialReport> {
    const deadline = Date.now() + reportTimeoutMs;
    let waitMs = 200;
    for (;;) {
      if (cancelled()) throw new ScanCancelledError('the scan was cancelled');
      const state = await retrying(() => aws.generateCredentialReport());
      if (state === 'COMPLETE') {
        const report = await retrying(() => aws.getCredentialReport());
        if (report) return report;
      }
      if (Date.now() + waitMs > deadline) throw new ReportTimeoutError('the credential report was not ready in time');
      await pause(waitMs, backoff.sleep, cancelled);
      waitMs = Math.min(Math.round(waitMs * 1.6), 5000);
    }
  }

  async function keysWorkWithoutMfa(userArn: string): Promise<KeysWorkWithoutMfa> {
    try {
      const results = await retrying(() =>
        aws.simulatePrincipalPolicy(userArn, REPRESENTATIVE_ACTIONS, { 'aws:MultiFactorAuthPresent': 'false' }),
      );
      if (results.length === 0) return 'unknown';
      return results.some((r) => r.decision === 'allowed') ? 'yes' : 'no';
    } catch {
      // Missing permission, a user deleted since the report, AWS trouble: say so, never guess.
      return 'unknown';
    }
  }

  async function deviceKinds(
    user: CredentialReportUser,
    assignedVirtual: number,
  ): Promise<{ virtual: number; hardware: number }> {
    try {
      const devices = await retrying(() => aws.listMfaDevices(user.userName));
      const virtual = devices.filter((d) => VIRTUAL_SERIAL.test(d.serialNumber)).length;
      return { virtual, hardware: devices.length - virtual };
    } catch (error) {
      if (error instanceof AwsCallError && error.kind === 'not_found') return { virtual: 0, hardware: 0 };
      // Fall back to what the account-wide listing showed.
      return { virtual: assignedVirtual, hardware: 0 };
    }
  }

  async function examine(user: CredentialReportUser, virtualByUser: Map<string, number>): Promise<ScannedUser> {
    const assignedVirtual = virtualByUser.get(user.userName) ?? 0;
    // The report may be up to 4 hours old; the device listing is live, so a device enabled since
    // the report (e.g. through a setup link) still counts.
    const maybeMfa = user.mfaActive || assignedVirtual > 0;
    const kinds = maybeMfa ? await deviceKinds(user, assignedVirtual) : { virtual: 0, hardware: 0 };
    const keyTimes = user.activeKeys.map((k) => k.createdAt).filter((d): d is Date => d !== null);
    const usedTimes = user.activeKeys.map((k) => k.lastUsedAt).filter((d): d is Date => d !== null);
    return {
      userName: user.userName,
      userArn: user.userArn,
      userCreatedAt: user.userCreatedAt,
      consoleAccess: user.passwordEnabled,
      passwordLastUsedAt: user.passwordLastUsedAt,
      mfaActive: kinds.virtual + kinds.hardware > 0,
      mfaDeviceCount: kinds.virtual + kinds.hardware,
      virtualMfaCount: kinds.virtual,
      hardwareMfaCount: kinds.hardware,
      activeKeyCount: user.activeKeys.length,
      oldestKeyCreatedAt: keyTimes.length ? new Date(Math.min(...keyTimes.map((d) => d.getTime()))) : null,
      keysLastUsedAt: usedTimes.length ? new Date(Math.max(...usedTimes.map((d) => d.getTime()))) : null,
      keysWorkWithoutMfa: user.activeKeys.length > 0 ? await keysWorkWithoutMfa(user.userArn) : 'n/a',
      enrolled: false,
      lastPortalSignInAt: null,
      oldestCredentialUseAt: oldestCredentialUse(user), // CIS 1.12
    };
  }

  return {
    async scan(observer: ScanObserver): Promise<AccountScan> {
      cancelled = () => observer.cancelled();
      const identity = await retrying(() => aws.portalCallerIdentity());
      const report = await credentialReport();
      const parsed = parseCredentialReport(report.csv);
      await observer.onUsersFound(parsed.users.length);
      const virtualByUser = new Map<string, number>();
      const virtualSerials: string[] = []; // CIS 1.6: is the root user's device virtual?
      for (const device of await retrying(() => aws.listVirtualMfaDevices())) {
        virtualSerials.push(device.serialNumber);
        if (device.userName) virtualByUser.set(device.userName, (virtualByUser.get(device.userName) ?? 0) + 1);
      }
      const users = await mapWithConcurrency(parsed.users, concurrency, async (user) => {
        if (observer.cancelled()) throw new ScanCancelledError('the scan was cancelled');
        const scanned = await examine(user, virtualByUser);
        observer.onUserDone();
        return scanned;
      });
      return {
        accountId: identity.account,
        reportGeneratedAt: report.generatedAt,
        rootMfa: parsed.rootMfa,
        rootAccount: rootAccountFacts(parsed.root, virtualSerials),
        users,
      };
    },
  };
}

export type ComplianceScanner = ReturnType<typeof createComplianceScanner>;
