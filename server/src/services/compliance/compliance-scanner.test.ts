import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../../aws/aws-errors.ts';
import type { CredentialReportState, MfaDevice, SimulationResult } from '../../aws/aws-gateway.ts';
import type { AuthorizationDetailsPage, UserAuthorization } from '../../aws/iam-bulk-reads.ts';
import { createComplianceScanner, ReportTimeoutError, type ScannerDeps } from './compliance-scanner.ts';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const NO_KEY = 'false,N/A,N/A,N/A,N/A';
const KEY = 'true,2025-01-01T00:00:00+00:00,N/A,N/A,N/A';
const line = (name: string, password: boolean, mfa: boolean, key: boolean) =>
  `${name},arn:aws:iam::111111111111:user/${name},2020-01-01T00:00:00+00:00,${password},N/A,N/A,N/A,${mfa},${key ? KEY : NO_KEY},${NO_KEY},false,N/A,false,N/A`;
const REPORT = [
  HEADER,
  '<root_account>,arn:aws:iam::111111111111:root,2020-01-01T00:00:00+00:00,not_supported,N/A,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  line('hardware', true, true, false),
  line('fido', true, true, true),
  line('fresh', false, false, false), // enabled MFA after the report was generated
  line('open-keys', false, false, true),
  line('open-keys-2', false, false, true),
  line('forced', false, true, true),
  line('forced-2', false, false, true),
  line('flaky', false, false, true),
  line('personal', false, false, true),
  line('personal-2', false, false, true),
  line('newcomer', false, false, true), // created after the authorization listing
].join('\n');

const ARN = (name: string) => `arn:aws:iam::111111111111:user/${name}`;
const FORCE = 'arn:aws:iam::111111111111:policy/ForceMFA';
const FORCE_COPY = 'arn:aws:iam::111111111111:policy/ForceMFACopy';
const doc = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const FORCE_DOC = doc({
  Effect: 'Deny',
  NotAction: 'iam:*',
  Resource: 'arn:aws:iam::*:user/${aws:username}',
  Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
});
const user = (userName: string, extra: Partial<UserAuthorization> = {}): UserAuthorization => ({
  userName,
  arn: ARN(userName),
  groups: [],
  inlinePolicies: [],
  attachedPolicyArns: [],
  permissionsBoundaryArn: null,
  ...extra,
});
const PAGES: AuthorizationDetailsPage[] = [
  {
    users: [
      user('hardware'),
      user('fido', { attachedPolicyArns: [FORCE] }),
      user('fresh'),
      user('open-keys', { groups: ['developers'] }),
      user('open-keys-2', { groups: ['Developers'] }),
    ],
    groups: [],
    policies: [],
  },
  {
    users: [
      user('forced', { attachedPolicyArns: [FORCE], groups: ['developers'] }),
      // Another policy with the same document: the same permissions.
      user('forced-2', { attachedPolicyArns: [FORCE_COPY], groups: ['developers'] }),
      user('flaky', {
        inlinePolicies: [{ name: 'x', document: doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }) }],
      }),
      ...['personal', 'personal-2'].map((name) =>
        user(name, {
          inlinePolicies: [
            {
              name: 'only-alice',
              document: doc({
                Effect: 'Allow',
                Action: 's3:*',
                Resource: '*',
                Condition: { StringEquals: { 'aws:username': 'personal' } },
              }),
            },
          ],
        }),
      ),
    ],
    groups: [
      {
        groupName: 'developers',
        inlinePolicies: [{ name: 'read', document: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }],
        attachedPolicyArns: [],
      },
    ],
    policies: [
      { arn: FORCE, defaultDocument: FORCE_DOC },
      { arn: FORCE_COPY, defaultDocument: FORCE_DOC },
    ],
  },
];

const throttled = () => new AwsCallError('throttled', 'Throttling', 'x', 'Rate exceeded');

function fakeAws(overrides: Partial<ScannerDeps['aws']> = {}) {
  let inFlight = 0;
  let maxInFlight = 0;
  let reportPolls = 0;
  const simulated: string[] = [];
  const listed: string[] = [];
  const devices: Record<string, MfaDevice[]> = {
    hardware: [{ serialNumber: 'GAHT00000001', enabledAt: undefined }],
    fido: [{ serialNumber: 'arn:aws:iam::111111111111:u2f/user/fido/key-1', enabledAt: undefined }],
  };
  let throttles = 2;
  let pageThrottles = 1;
  const aws: ScannerDeps['aws'] = {
    portalCallerIdentity: async () => ({
      account: '111111111111',
      arn: 'arn:aws:iam::111111111111:user/portal',
      userId: 'AIDA',
    }),
    generateCredentialReport: async (): Promise<CredentialReportState> =>
      ++reportPolls < 3 ? 'INPROGRESS' : 'COMPLETE',
    getCredentialReport: async () => ({ csv: REPORT, generatedAt: new Date('2026-11-22T00:00:00Z') }),
    virtualMfaAssignmentPages: async function* () {
      yield [{ serialNumber: 'arn:aws:iam::111111111111:mfa/fresh', userName: 'fresh' }];
      yield [{ serialNumber: 'arn:aws:iam::111111111111:mfa/forced', userName: 'forced' }];
    },
    authorizationDetailsPages: async function* () {
      yield PAGES[0]!;
      // The second page is throttled once: the listing is asked for again.
      if (pageThrottles-- > 0) throw throttled();
      yield PAGES[1]!;
    },
    listMfaDevices: async (userName) => {
      listed.push(userName);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      if (userName === 'hardware' && throttles-- > 0) throw throttled();
      return devices[userName] ?? [];
    },
    simulatePrincipalPolicy: async (arn, actions): Promise<SimulationResult[]> => {
      simulated.push(arn);
      if (arn.endsWith('/flaky'))
        throw new AwsCallError('access_denied', 'AccessDenied', 'SimulatePrincipalPolicy', 'no');
      const allowed = /\/(open-keys|open-keys-2|personal|newcomer)$/.test(arn);
      return actions.map((action, i) => ({ action, decision: i === 0 && allowed ? 'allowed' : 'explicitDeny' }));
    },
    ...overrides,
  };
  return { aws, stats: () => ({ maxInFlight, reportPolls, simulated, listed }) };
}

const sleeps: number[] = [];
const deps = (aws: ScannerDeps['aws'], reportTimeoutMs = 60_000): ScannerDeps => ({
  aws,
  concurrency: 2,
  reportTimeoutMs,
  backoff: { attempts: 5, baseMs: 100, maxMs: 1000, sleep: async (ms) => void sleeps.push(ms) },
});
const observer = { onUsersFound: () => {}, onUserDone: () => {}, cancelled: () => false };

describe('compliance scanner', () => {
  it('tells device kinds, keys that work without MFA, and root MFA from few calls', async () => {
    const { aws, stats } = fakeAws();
    const result = await createComplianceScanner(deps(aws)).scan(observer);
    expect(result.rootMfa).toBe(false);
    const byName = Object.fromEntries(result.users.map((u) => [u.userName, u]));
    // Throttled twice, then answered: backed off instead of failing.
    expect(byName.hardware).toMatchObject({
      mfaActive: true,
      hardwareMfaCount: 1,
      virtualMfaCount: 0,
      fidoMfaCount: 0,
      consoleAccess: true,
      keysWorkWithoutMfa: 'n/a',
    });
    expect(byName.fido).toMatchObject({ mfaActive: true, fidoMfaCount: 1, hardwareMfaCount: 0, virtualMfaCount: 0 });
    // Live device listing wins over a report that predates the device.
    expect(byName.fresh).toMatchObject({ mfaActive: true, virtualMfaCount: 1 });
    expect(byName.forced).toMatchObject({ mfaActive: true, virtualMfaCount: 1, keysWorkWithoutMfa: 'no' });
    expect(byName['forced-2']).toMatchObject({ keysWorkWithoutMfa: 'no' });
    expect(byName['open-keys']).toMatchObject({
      mfaActive: false,
      activeKeyCount: 1,
      keysWorkWithoutMfa: 'yes',
      oldestKeyCreatedAt: new Date('2025-01-01T00:00:00Z'),
    });
    expect(byName['open-keys-2']).toMatchObject({ keysWorkWithoutMfa: 'yes' });
    expect(byName.flaky).toMatchObject({ keysWorkWithoutMfa: 'unknown' });
    // A condition on aws:username: the same documents answer differently per user.
    expect(byName.personal).toMatchObject({ keysWorkWithoutMfa: 'yes' });
    expect(byName['personal-2']).toMatchObject({ keysWorkWithoutMfa: 'no' });
    expect(byName.newcomer).toMatchObject({ keysWorkWithoutMfa: 'yes' });
    // Group memberships as the listing spells them (the throttled page counted once); unknown for
    // the user it did not list, never "in no group".
    expect(byName['open-keys-2']!.iamGroups).toEqual(['Developers']);
    expect(byName.forced!.iamGroups).toEqual(['developers']);
    expect(byName.hardware!.iamGroups).toEqual([]);
    expect(byName.newcomer!.iamGroups).toBeNull();

    // One simulation per permission setup: open-keys(-2) share one, forced(-2) and fido share
    // ForceMFA's document (forced adds developers), personal users and the newcomer stand alone.
    const simulated = stats().simulated.map((arn) => arn.split('/').pop());
    expect(simulated.sort()).toEqual(['fido', 'flaky', 'forced', 'newcomer', 'open-keys', 'personal', 'personal-2']);
    // Device listings only for users whose MFA the listings cannot classify.
    expect([...new Set(stats().listed)].sort()).toEqual(['fido', 'hardware']);
    expect(stats().maxInFlight).toBeLessThanOrEqual(2);
    expect(stats().reportPolls).toBe(3);
  });

  it('tells a root virtual MFA device (CIS 1.6) from the device listing, whichever page it is on', async () => {
    const plain = await createComplianceScanner(deps(fakeAws().aws)).scan(observer);
    expect(plain.rootAccount).toMatchObject({ virtualMfa: false });
    const { aws } = fakeAws({
      virtualMfaAssignmentPages: async function* () {
        yield [{ serialNumber: 'arn:aws:iam::111111111111:mfa/fresh', userName: 'fresh' }];
        yield [{ serialNumber: 'arn:aws:iam::111111111111:mfa/root-account-mfa-device', userName: null }];
      },
    });
    const result = await createComplianceScanner(deps(aws)).scan(observer);
    expect(result.rootAccount).toMatchObject({ virtualMfa: true });
    expect(result.users.find((u) => u.userName === 'fresh')).toMatchObject({ virtualMfaCount: 1 });
  });

  it('gives up on a credential report that never completes', async () => {
    const { aws } = fakeAws({ generateCredentialReport: async () => 'INPROGRESS' });
    await expect(createComplianceScanner(deps(aws, 1)).scan(observer)).rejects.toBeInstanceOf(ReportTimeoutError);
  });

  it('stops when cancelled', async () => {
    const { aws } = fakeAws();
    await expect(createComplianceScanner(deps(aws)).scan({ ...observer, cancelled: () => true })).rejects.toThrow(
      /cancelled/,
    );
  });
});
