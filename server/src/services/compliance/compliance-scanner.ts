import { AwsCallError } from '../../aws/aws-errors.ts';
import type { AwsGateway, CredentialReport } from '../../aws/aws-gateway.ts';
// CIS checks (services/cis): the root user's facts and each user's oldest credential use.
import {
  isRootVirtualMfaSerial,
  oldestCredentialUse,
  type RootAccountFacts,
  rootAccountFacts,
} from '../cis/cis-checks.ts';
import type { KeysWorkWithoutMfa, ScannedUser } from './compliance-types.ts';
import { type BackoffOptions, mapWithConcurrency, pause, withThrottleBackoff } from './concurrency.ts';
import { type CredentialReportUser, readCredentialReport } from './credential-report.ts';
import { countMfaDeviceKinds, type MfaDeviceKind } from './mfa-device-kinds.ts';
import { createPermissionFingerprints } from './permission-fingerprints.ts';

/**
 * Actions a typical access key is used for. If any is allowed with
 * aws:MultiFactorAuthPresent=false, the keys do real work without MFA.
 */
export const REPRESENTATIVE_ACTIONS = ['s3:ListAllMyBuckets', 'ec2:DescribeInstances', 'iam:ListUsers'];

/** Members of a fingerprint group tried in turn when the one simulated has gone since the listing. */
const SIMULATION_CANDIDATES = 3;

export interface ScannerDeps {
  aws: Pick<
    AwsGateway,
    | 'portalCallerIdentity'
    | 'generateCredentialReport'
    | 'getCredentialReport'
    | 'virtualMfaAssignmentPages'
    | 'authorizationDetailsPages'
    | 'listMfaDevices'
    | 'simulatePrincipalPolicy'
  >;
  /** AWS calls in flight at once (simulations, per-user device listings). */
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
  /** Checked between calls so a portal that is shutting down stops scanning. */
  cancelled(): boolean;
}

export class ScanCancelledError extends Error {}
export class ReportTimeoutError extends Error {}

type DeviceCounts = Record<MfaDeviceKind, number>;

/**
 * Reads one AWS account's MFA posture with a number of calls that grows with the number of
 * distinct permission setups, not of users:
 * - the credential report (everyone's password, MFA flag and keys) and the listing of assigned
 *   virtual MFA devices;
 * - GetAccountAuthorizationDetails, page by page, to fingerprint each user's permissions (and keep
 *   their group memberships, for automatic offboarding); then one
 *   SimulatePrincipalPolicy (aws:MultiFactorAuthPresent=false) per fingerprint among users with
 *   active keys, whose answer every member of the group gets;
 * - ListMFADevices only for users the listings cannot classify: MFA active but no virtual device
 *   assigned (a hardware token or a FIDO security key).
 */
export function createComplianceScanner({ aws, concurrency, backoff, reportTimeoutMs }: ScannerDeps) {
  /** Scans run one at a time per instance; this is the running scan's stop signal. */
  let cancelled: () => boolean = () => false;
  const retrying = <T>(call: () => Promise<T>) => withThrottleBackoff(call, { ...backoff, cancelled });
  const checkCancelled = () => {
    if (cancelled()) throw new ScanCancelledError('the scan was cancelled');
  };

  async function credentialReport(): Promise<CredentialReport> {
    const deadline = Date.now() + reportTimeoutMs;
    let waitMs = 200;
    for (;;) {
      checkCancelled();
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

  /**
   * Every item of a paged listing, through `take`, one page at a time. A throttled page is asked
   * for again (the listing restarts, skipping the pages already taken).
   */
  async function eachPage<T>(pages: () => AsyncIterable<T>, take: (page: T) => void): Promise<void> {
    let taken = 0;
    await retrying(async () => {
      let index = 0;
      for await (const page of pages()) {
        checkCancelled();
        if (index++ < taken) continue;
        take(page);
        taken++;
      }
    });
  }

  /**
   * Counts each assigned virtual device on its user's record (users by lower-cased name) and
   * tells whether one is the root user's (CIS 1.6), page by page, keeping nothing of the pages.
   */
  async function countVirtualDevices(users: ScannedUser[], byName: Map<string, number>): Promise<boolean> {
    let rootVirtual = false;
    await eachPage(
      () => aws.virtualMfaAssignmentPages(),
      (page) => {
        for (const device of page) {
          rootVirtual ||= isRootVirtualMfaSerial(device.serialNumber);
          if (device.userName === null) continue;
          const index = byName.get(device.userName.toLowerCase());
          if (index !== undefined) users[index]!.virtualMfaCount++;
        }
      },
    );
    return rootVirtual;
  }

  /**
   * The permission fingerprints from the pages of GetAccountAuthorizationDetails, and each
   * listed user's IAM groups put on their record (for automatic offboarding). A user the listing
   * did not show (created since the report) keeps `iamGroups: null`: no known groups.
   */
  async function authorizationDetails(users: ScannedUser[], byName: Map<string, number>) {
    const prints = createPermissionFingerprints();
    await eachPage(
      () => aws.authorizationDetailsPages(),
      (page) => {
        for (const user of page.users) {
          prints.addUser(user);
          const index = byName.get(user.userName.toLowerCase());
          if (index !== undefined) users[index]!.iamGroups = [...user.groups];
        }
        page.groups.forEach(prints.addGroup);
        page.policies.forEach(prints.addPolicy);
      },
    );
    return prints;
  }

  /** One simulation for a group of users with the same permissions, tried on a few of them. */
  async function keysWorkWithoutMfa(memberArns: string[]): Promise<KeysWorkWithoutMfa> {
    for (const arn of memberArns.slice(0, SIMULATION_CANDIDATES)) {
      checkCancelled();
      try {
        const results = await retrying(() =>
          aws.simulatePrincipalPolicy(arn, REPRESENTATIVE_ACTIONS, { 'aws:MultiFactorAuthPresent': 'false' }),
        );
        if (results.length === 0) return 'unknown';
        return results.some((r) => r.decision === 'allowed') ? 'yes' : 'no';
      } catch (error) {
        // Deleted since the listings: ask another member. Missing permission, AWS trouble: say so.
        if (error instanceof AwsCallError && error.kind === 'not_found') continue;
        if (error instanceof ScanCancelledError) throw error;
        return 'unknown';
      }
    }
    return 'unknown';
  }

  async function listedDevices(userName: string): Promise<DeviceCounts> {
    checkCancelled();
    try {
      const devices = await retrying(() => aws.listMfaDevices(userName));
      return countMfaDeviceKinds(devices.map((d) => d.serialNumber));
    } catch (error) {
      if (error instanceof AwsCallError && error.kind === 'not_found') return { virtual: 0, hardware: 0, fido: 0 };
      if (error instanceof ScanCancelledError) throw error;
      // The report says MFA is active: count it as a device of unknown kind, a hardware token.
      return { virtual: 0, hardware: 1, fido: 0 };
    }
  }

  /**
   * A user's snapshot row from their report row, before the listings: no devices counted yet,
   * keys not simulated. This record (and a fingerprint per user with keys) is all a scan keeps
   * per user; the report's own rows are dropped as they are read.
   */
  function fromReport(user: CredentialReportUser): ScannedUser {
    const keyTimes = user.activeKeys.map((k) => k.createdAt).filter((d): d is Date => d !== null);
    const usedTimes = user.activeKeys.map((k) => k.lastUsedAt).filter((d): d is Date => d !== null);
    return {
      userName: user.userName,
      userArn: user.userArn,
      userCreatedAt: user.userCreatedAt,
      consoleAccess: user.passwordEnabled,
      passwordLastUsedAt: user.passwordLastUsedAt,
      mfaActive: false,
      mfaDeviceCount: 0,
      virtualMfaCount: 0,
      hardwareMfaCount: 0,
      fidoMfaCount: 0,
      activeKeyCount: user.activeKeys.length,
      oldestKeyCreatedAt: keyTimes.length ? new Date(Math.min(...keyTimes.map((d) => d.getTime()))) : null,
      keysLastUsedAt: usedTimes.length ? new Date(Math.max(...usedTimes.map((d) => d.getTime()))) : null,
      keysWorkWithoutMfa: 'n/a',
      enrolled: false,
      lastPortalSignInAt: null,
      oldestCredentialUseAt: oldestCredentialUse(user), // CIS 1.12
      iamGroups: null,
    };
  }

  /**
   * The credential report, read into one record per user. The report's text and its parsed rows
   * live only inside this call: they are the largest single thing a scan reads.
   */
  async function reportUsers() {
    const report = await credentialReport();
    const users: ScannedUser[] = [];
    /** Users by lower-cased name, to join the listings to. */
    const byName = new Map<string, number>();
    /** What the report says of MFA, until the device listings tell which kind. */
    const reportMfa: boolean[] = [];
    const { rootMfa, root } = readCredentialReport(report.csv, (user) => {
      byName.set(user.userName.toLowerCase(), users.length);
      reportMfa.push(user.mfaActive);
      users.push(fromReport(user));
    });
    return { generatedAt: report.generatedAt, rootMfa, root, users, byName, reportMfa };
  }

  return {
    async scan(observer: ScanObserver): Promise<AccountScan> {
      cancelled = () => observer.cancelled();
      const identity = await retrying(() => aws.portalCallerIdentity());
      const { generatedAt, rootMfa, root, users, byName, reportMfa } = await reportUsers();
      await observer.onUsersFound(users.length);
      const rootVirtual = await countVirtualDevices(users, byName);
      const prints = await authorizationDetails(users, byName);
      byName.clear();

      // Users with active keys, grouped by fingerprint: one simulation per group.
      const groups = new Map<string, number[]>();
      users.forEach((user, index) => {
        if (user.activeKeyCount === 0) return;
        const fingerprint = prints.fingerprintOf(user.userName, user.userArn);
        const members = groups.get(fingerprint);
        if (members) members.push(index);
        else groups.set(fingerprint, [index]);
      });
      await mapWithConcurrency([...groups.values()], concurrency, async (members) => {
        const answer = await keysWorkWithoutMfa(members.slice(0, SIMULATION_CANDIDATES).map((i) => users[i]!.userArn));
        for (const i of members) users[i]!.keysWorkWithoutMfa = answer;
      });
      groups.clear();

      // The report may be up to 4 hours old; the device listing is live, so a virtual device
      // enabled since the report still counts. MFA active without a virtual device: ask.
      const unclassified: number[] = [];
      users.forEach((user, index) => {
        if (user.virtualMfaCount === 0 && reportMfa[index]) unclassified.push(index);
      });
      await mapWithConcurrency(unclassified, concurrency, async (index) => {
        const user = users[index]!;
        const devices = await listedDevices(user.userName);
        user.virtualMfaCount = devices.virtual;
        user.hardwareMfaCount = devices.hardware;
        user.fidoMfaCount = devices.fido;
      });

      for (const user of users) {
        user.mfaDeviceCount = user.virtualMfaCount + user.hardwareMfaCount + user.fidoMfaCount;
        user.mfaActive = user.mfaDeviceCount > 0;
        observer.onUserDone();
      }
      return {
        accountId: identity.account,
        reportGeneratedAt: generatedAt,
        rootMfa,
        rootAccount: rootAccountFacts(root, rootVirtual),
        users,
      };
    },
  };
}

export type ComplianceScanner = ReturnType<typeof createComplianceScanner>;
