import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { CredentialReport } from '../../aws/aws-gateway.ts';
import type { AuthorizationDetailsPage, VirtualMfaAssignment } from '../../aws/iam-bulk-reads.ts';
import { createComplianceScanner, type ScannerDeps } from './compliance-scanner.ts';

/**
 * Issue 13: a scan holds no more than one page of raw listings at a time beyond its results.
 * The fake hands out the credential report and the listing pages and, before each new page,
 * collects garbage and counts which of the objects it handed out are still reachable. Not a
 * measurement: after a full collection an object is either reachable from the scanner or gone.
 */

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
/** A WeakRef's target stays alive until the current job ends; a new turn of the event loop ends it. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const USERS = 1200;
const PAGE = 200;
const name = (n: number) => `user-${String(n).padStart(5, '0')}`;
const arn = (n: number) => `arn:aws:iam::111111111111:user/${name(n)}`;
const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const ROOT_ROW =
  '<root_account>,arn:aws:iam::111111111111:root,2020-01-01T00:00:00+00:00,not_supported,N/A,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A';
const KEY = 'true,2025-01-01T00:00:00+00:00,2026-01-01T00:00:00+00:00,us-east-1,s3';
const reportRow = (n: number) =>
  `${name(n)},${arn(n)},2020-01-01T00:00:00+00:00,true,N/A,N/A,N/A,${n % 2 === 0},${KEY},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
const DOCUMENT = (n: number) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `*${n % 7}` }],
  });

/** Hands out objects and tells how many of them are still reachable. */
function liveObjects() {
  const handedOut: Array<WeakRef<object>> = [];
  return {
    track<T extends object>(value: T): T {
      handedOut.push(new WeakRef(value));
      return value;
    },
    async alive(): Promise<number> {
      await nextTurn();
      collectGarbage();
      return handedOut.filter((ref) => ref.deref() !== undefined).length;
    },
  };
}

function pagingAws() {
  const report = liveObjects();
  const pages = liveObjects();
  /** Live objects counted just before each page was handed out, and at the first later call. */
  const seen = { reportAtFirstPage: -1, pagesBeforePage: [] as number[], pagesAfterListings: -1 };

  const authorizationPage = (first: number): AuthorizationDetailsPage =>
    pages.track({
      users: Array.from({ length: PAGE }, (_, i) => ({
        userName: name(first + i),
        arn: arn(first + i),
        groups: ['staff'],
        inlinePolicies: [{ name: 'own', document: DOCUMENT(first + i) }],
        attachedPolicyArns: [],
        permissionsBoundaryArn: null,
      })),
      groups: first === 0 ? [{ groupName: 'staff', inlinePolicies: [], attachedPolicyArns: [] }] : [],
      policies: [],
    });
  const devicePage = (first: number): VirtualMfaAssignment[] =>
    pages.track(
      Array.from({ length: PAGE / 2 }, (_, i) => ({
        serialNumber: `arn:aws:iam::111111111111:mfa/${name(first + 2 * i)}`,
        userName: name(first + 2 * i),
      })),
    );

  async function beforePage(index: number) {
    if (index === 0 && seen.reportAtFirstPage < 0) seen.reportAtFirstPage = await report.alive();
    // The page the caller is still finishing may be reachable; none before it.
    seen.pagesBeforePage.push(await pages.alive());
  }

  const aws: ScannerDeps['aws'] = {
    portalCallerIdentity: async () => ({ account: '111111111111', arn: arn(0), userId: 'AIDA' }),
    generateCredentialReport: async () => 'COMPLETE',
    getCredentialReport: async (): Promise<CredentialReport> =>
      report.track({
        csv: [HEADER, ROOT_ROW, ...Array.from({ length: USERS }, (_, n) => reportRow(n))].join('\n'),
        generatedAt: new Date('2026-12-01T00:00:00Z'),
      }),
    virtualMfaAssignmentPages: async function* () {
      for (let first = 0; first < USERS; first += PAGE) {
        await beforePage(first / PAGE);
        yield devicePage(first);
      }
    },
    authorizationDetailsPages: async function* () {
      for (let first = 0; first < USERS; first += PAGE) {
        await beforePage(first / PAGE);
        yield authorizationPage(first);
      }
    },
    simulatePrincipalPolicy: async (_arn, actions) => {
      if (seen.pagesAfterListings < 0) seen.pagesAfterListings = await pages.alive();
      return actions.map((action) => ({ action, decision: 'explicitDeny' as const }));
    },
    listMfaDevices: async () => [],
  };
  return { aws, seen };
}

describe('compliance scanner memory', () => {
  it('drops the credential report once read and each listing page once taken', async () => {
    const { aws, seen } = pagingAws();
    const scanner = createComplianceScanner({
      aws,
      concurrency: 2,
      reportTimeoutMs: 60_000,
      backoff: { attempts: 3, baseMs: 1, maxMs: 1, sleep: async () => {} },
    });
    const result = await scanner.scan({ onUsersFound: () => {}, onUserDone: () => {}, cancelled: () => false });

    expect(result.users).toHaveLength(USERS);
    expect(result.users.filter((u) => u.virtualMfaCount === 1)).toHaveLength(USERS / 2);
    expect(result.users.every((u) => u.keysWorkWithoutMfa === 'no')).toBe(true);
    // The report (its text and its rows) is gone before the first listing page arrives.
    expect(seen.reportAtFirstPage).toBe(0);
    // Twelve pages handed out (six of devices, six of permissions), never more than one alive.
    expect(seen.pagesBeforePage).toHaveLength((2 * USERS) / PAGE);
    expect(Math.max(...seen.pagesBeforePage)).toBeLessThanOrEqual(1);
    // Once the listings are read, none of their pages is.
    expect(seen.pagesAfterListings).toBe(0);
  });
});
