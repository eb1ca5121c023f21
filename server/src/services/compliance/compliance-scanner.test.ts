import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../../aws/aws-errors.ts';
import type { CredentialReportState, MfaDevice, SimulationResult } from '../../aws/aws-gateway.ts';
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
  line('fresh', false, false, false), // enabled MFA after the report was generated
  line('open-keys', false, false, true),
  line('forced', false, true, true),
  line('flaky', false, false, true),
].join('\n');

const throttled = () => new AwsCallError('throttled', 'Throttling', 'x', 'Rate exceeded');

function fakeAws(overrides: Partial<ScannerDeps['aws']> = {}) {
  let inFlight = 0;
  let maxInFlight = 0;
  let reportPolls = 0;
  const devices: Record<string, MfaDevice[]> = {
    hardware: [{ serialNumber: 'GAHT00000001', enabledAt: undefined }],
    fresh: [{ serialNumber: 'arn:aws:iam::111111111111:mfa/fresh', enabledAt: undefined }],
    forced: [{ serialNumber: 'arn:aws:iam::111111111111:mfa/forced', enabledAt: undefined }],
  };
  let throttles = 2;
  const aws: ScannerDeps['aws'] = {
    portalCallerIdentity: async () => ({
      account: '111111111111',
      arn: 'arn:aws:iam::111111111111:user/portal',
      userId: 'AIDA',
    }),
    generateCredentialReport: async (): Promise<CredentialReportState> =>
      ++reportPolls < 3 ? 'INPROGRESS' : 'COMPLETE',
    getCredentialReport: async () => ({ csv: REPORT, generatedAt: new Date('2026-11-22T00:00:00Z') }),
    listVirtualMfaDevices: async () => [
      { serialNumber: 'arn:aws:iam::111111111111:mfa/fresh', userName: 'fresh' },
      { serialNumber: 'arn:aws:iam::111111111111:mfa/forced', userName: 'forced' },
    ],
    listMfaDevices: async (userName) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      if (userName === 'forced' && throttles-- > 0) throw throttled();
      return devices[userName] ?? [];
    },
    simulatePrincipalPolicy: async (arn, actions): Promise<SimulationResult[]> => {
      if (arn.endsWith('/flaky'))
        throw new AwsCallError('access_denied', 'AccessDenied', 'SimulatePrincipalPolicy', 'no');
      const decision = arn.endsWith('/open-keys') ? 'allowed' : 'explicitDeny';
      return actions.map((action, i) => ({ action, decision: i === 0 ? decision : 'implicitDeny' }));
    },
    ...overrides,
  };
  return { aws, stats: () => ({ maxInFlight, reportPolls }) };
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
    expect(byName.hardware).toMatchObject({
      mfaActive: true,
      hardwareMfaCount: 1,
      virtualMfaCount: 0,
      consoleAccess: true,
      keysWorkWithoutMfa: 'n/a',
    });
    // Live device listing wins over a report that predates the device.
    expect(byName.fresh).toMatchObject({ mfaActive: true, virtualMfaCount: 1 });
    expect(byName['open-keys']).toMatchObject({
      mfaActive: false,
      activeKeyCount: 1,
      keysWorkWithoutMfa: 'yes',
      oldestKeyCreatedAt: new Date('2025-01-01T00:00:00Z'),
    });
    // Throttled twice, then answered: backed off instead of failing.
    expect(byName.forced).toMatchObject({ mfaActive: true, keysWorkWithoutMfa: 'no' });
    expect(byName.flaky).toMatchObject({ keysWorkWithoutMfa: 'unknown' });
    expect(stats().maxInFlight).toBeLessThanOrEqual(2);
    expect(stats().reportPolls).toBe(3);
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
