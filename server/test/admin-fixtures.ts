import type { StateFile } from '../../emulator/src/state/state-file.ts';
import { ACCOUNT, demoState, type PortalHarness, sessionCookie } from './portal-harness.ts';

/**
 * The demo organisation plus users that cover every compliance case: console users without MFA
 * (one whose name a spreadsheet would run as a formula), keys that work without MFA and keys that
 * a force-MFA policy stops, a user with both a hardware and a virtual device, an inactive key, and
 * another name a spreadsheet would treat as a formula.
 */
export function complianceState(options: { rootMfa?: boolean } = {}): StateFile {
  const state = structuredClone(demoState());
  // Setup links remove devices that were created but never enabled (a replaced link's); the
  // demo's portal policy predates that, so grant it here.
  const portalPolicy = state.policies?.find((p) => p.arn === `arn:aws:iam::${ACCOUNT}:policy/PortalService`);
  const statements = portalPolicy?.document.Statement;
  if (Array.isArray(statements)) {
    statements.push({
      Sid: 'DeleteUnusedVirtualMfa',
      Effect: 'Allow',
      Action: 'iam:DeleteVirtualMFADevice',
      Resource: `arn:aws:iam::${ACCOUNT}:mfa/*`,
    });
  }
  const root = state.roots?.find((r) => r.account === ACCOUNT);
  if (root) root.mfa = options.rootMfa ?? true;
  const key = (id: string, status: 'Active' | 'Inactive' = 'Active', created = '2025-03-01T10:00:00Z') => ({
    id,
    secret: `${id}abcdefghijklmnopqrst`.slice(0, 40),
    status,
    created,
  });
  state.users.push(
    {
      account: ACCOUNT,
      name: 'gina',
      groups: ['developers'],
      password: { enabled: true, lastUsed: '2026-11-10T09:00:00Z', lastChanged: '2026-01-10T09:00:00Z' },
      accessKeys: [key('AKIAGINA000000000001', 'Active', '2024-06-01T08:00:00Z')],
    },
    {
      account: ACCOUNT,
      name: 'hank',
      mfaDevices: [
        { serial: 'GAHT99990000', type: 'hardware', seed: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
        { serial: `arn:aws:iam::${ACCOUNT}:mfa/hank`, type: 'virtual', seed: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU' },
      ],
    },
    {
      account: ACCOUNT,
      name: 'ivan',
      mfaDevices: [
        { serial: `arn:aws:iam::${ACCOUNT}:mfa/ivan`, type: 'virtual', seed: 'MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK' },
      ],
      accessKeys: [key('AKIAIVAN000000000001', 'Inactive')],
    },
    {
      account: ACCOUNT,
      name: '=cmd',
      password: { enabled: true, lastUsed: null, lastChanged: '2026-02-02T09:00:00Z' },
    },
    {
      account: ACCOUNT,
      name: '@ops',
      attachedPolicies: [`arn:aws:iam::${ACCOUNT}:policy/ForceMFA`],
      accessKeys: [key('AKIAOPS0000000000001')],
    },
  );
  return state;
}

export interface SignedIn {
  cookie: string;
  csrfToken: string;
}

export async function signIn(portal: PortalHarness, userName: string): Promise<SignedIn> {
  const response = await portal.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { userName, code: portal.nextCode(userName) },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in of ${userName} failed: ${response.body}`);
  return { cookie: sessionCookie(response), csrfToken: response.json().csrfToken as string };
}

/**
 * Runs a scan to the end. The harness's emulator clock stands still unless moved, and AWS builds
 * the credential report over time, so the clock is nudged while the scan waits for it.
 */
export async function runScan(portal: PortalHarness): Promise<void> {
  const { compliance } = portal.app.services;
  const done = compliance.idle();
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  while (!finished) {
    portal.advance(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await done;
}

export async function scanNow(portal: PortalHarness): Promise<void> {
  const { started } = await portal.app.services.compliance.startScan('manual');
  if (!started) throw new Error('a scan was already running');
  await runScan(portal);
}
