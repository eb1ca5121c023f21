import type { StateFile } from '../../emulator/src/state/state-file.ts';
import { ACCOUNT, demoState } from './portal-harness.ts';

/**
 * The demo organisation with bob enrolled too (he gets an MFA device), and a partner role that
 * may list roles, so a working partner session has something to show.
 */
export function revocationState(): StateFile {
  const state = structuredClone(demoState());
  const bob = state.users.find((u) => u.name === 'bob')!;
  bob.mfaDevices = [
    { serial: `arn:aws:iam::${ACCOUNT}:mfa/bob`, type: 'virtual', seed: 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U' },
  ];
  const partner = state.roles!.find((r) => r.name === 'PartnerAudit')!;
  partner.inlinePolicies = [
    {
      name: 'ListRoles',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }] },
    },
  ];
  // The test reads the policies back as the portal; the portal itself never needs to.
  const portalPolicy = state.policies!.find((p) => p.arn === `arn:aws:iam::${ACCOUNT}:policy/PortalService`)!;
  (portalPolicy.document.Statement as object[]).push({
    Effect: 'Allow',
    Action: ['iam:GetRolePolicy', 'iam:GetUserPolicy'],
    Resource: '*',
  });
  return state;
}
