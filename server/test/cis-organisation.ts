import type { StateFile, UserSpec } from '../../emulator/src/state/state-file.ts';
import { complianceState } from './admin-fixtures.ts';
import { ACCOUNT } from './portal-harness.ts';

/**
 * A generated organisation for the CIS checks: complianceState() plus users whose passwords, MFA
 * devices and keys take every combination that matters (ages on both sides of 45 and 90 days,
 * never-used credentials, two active keys, inactive keys, FORCE_MFA or not), and a root user with
 * an access key.
 */
export const FORCE_MFA = `arn:aws:iam::${ACCOUNT}:policy/ForceMFA`;
export const PORTAL_POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/aws-mfa-portal/AwsMfaPortalForceMfa`;
const DAY = 86_400_000;

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function cisOrganisation(now: Date, count = 40, seed = 13): StateFile {
  const state = complianceState();
  const root = state.roots!.find((r) => r.account === ACCOUNT)!;
  root.activeAccessKeys = 1;
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const AGES = [3, 30, 44, 46, 60, 89, 92, 200] as const;
  for (let i = 0; i < count; i++) {
    const name = `gen-${String(i).padStart(3, '0')}`;
    const user: UserSpec = { account: ACCOUNT, name, created: ago(400) };
    if (next() < 0.6) {
      const used = next() < 0.75;
      user.password = { enabled: true, lastUsed: used ? ago(pick(AGES)) : null, lastChanged: ago(pick(AGES)) };
    }
    const mfa = pick(['none', 'none', 'virtual', 'hardware'] as const);
    if (mfa === 'virtual')
      user.mfaDevices = [
        { serial: `arn:aws:iam::${ACCOUNT}:mfa/${name}`, type: 'virtual', seed: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
      ];
    if (mfa === 'hardware')
      user.mfaDevices = [
        { serial: `GAHTGEN${String(i).padStart(5, '0')}`, type: 'hardware', seed: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
      ];
    const keys = pick([0, 1, 1, 2] as const);
    user.accessKeys = Array.from({ length: keys }, (_, k) => ({
      id: `AKIAGEN${String(i).padStart(4, '0')}${k}`.padEnd(20, 'X'),
      secret: `gen${i}k${k}`.padEnd(40, 's'),
      status: next() < 0.85 ? ('Active' as const) : ('Inactive' as const),
      created: ago(pick(AGES)),
      lastUsed: next() < 0.6 ? ago(pick([1, 20, 50, 120])) : null,
    }));
    user.groups = ['developers'];
    if (next() < 0.4) user.attachedPolicies = [FORCE_MFA];
    state.users.push(user);
  }
  return state;
}

/** What the dashboard's "keys work without MFA" says for complianceState()'s own users. */
const DEMO_KEYS_WORK_WITHOUT_MFA: Record<string, boolean> = { dave: true, erin: true, gina: true, portal: true };

const days = (from: string, to: Date) => Math.floor((to.getTime() - new Date(from).getTime()) / DAY);

/**
 * The truth, check by check, of an organisation as the emulator holds it, computed straight from
 * its state (the CIS audit procedures, not the portal's code): subjects failing each check.
 */
export function cisTruth(state: StateFile, asOf: Date, enrolled: Set<string>): Record<string, string[]> {
  const root = state.roots?.find((r) => r.account === ACCOUNT);
  const truth: Record<string, string[]> = {
    root_mfa: root?.mfa || root?.hardwareMfa ? [] : ['<root_account>'],
    root_hardware_mfa: root?.hardwareMfa ? [] : ['<root_account>'],
    root_access_keys: (root?.activeAccessKeys ?? 0) > 0 ? ['<root_account>'] : [],
    console_user_mfa: [],
    user_mfa: [],
    credentials_unused_45_days: [],
    one_active_access_key: [],
    access_keys_rotated_90_days: [],
    keys_work_without_mfa: [],
    mfa_not_enrolled: [],
    fido_only_mfa: [],
  };
  const users = state.users
    .filter((u) => u.account === ACCOUNT)
    .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  for (const user of users) {
    const mfa = (user.mfaDevices ?? []).length > 0;
    const password = user.password?.enabled ? user.password : undefined;
    const active = (user.accessKeys ?? []).filter((k) => k.status === 'Active');
    const created = user.created ?? '2026-01-01T00:00:00Z';
    if (password && !mfa) truth.console_user_mfa!.push(user.name);
    if (!mfa) truth.user_mfa!.push(user.name);
    const unusedPassword = password && days(password.lastUsed ?? password.lastChanged ?? created, asOf) >= 45;
    const unusedKey = active.some((k) => days(k.lastUsed ?? k.created ?? created, asOf) >= 45);
    if (unusedPassword || unusedKey) truth.credentials_unused_45_days!.push(user.name);
    if (active.length > 1) truth.one_active_access_key!.push(user.name);
    if (active.some((k) => days(k.created ?? '2026-01-01T00:00:00Z', asOf) > 90))
      truth.access_keys_rotated_90_days!.push(user.name);
    const generated = user.name.startsWith('gen-');
    const attached = [
      ...(user.attachedPolicies ?? []),
      ...(user.groups ?? []).flatMap((g) => state.groups?.find((x) => x.name === g)?.attachedPolicies ?? []),
    ];
    const forced = attached.includes(FORCE_MFA) || attached.includes(PORTAL_POLICY_ARN);
    const keysWork = !forced && (generated || (DEMO_KEYS_WORK_WITHOUT_MFA[user.name] ?? false));
    if (active.length > 0 && keysWork) truth.keys_work_without_mfa!.push(user.name);
    if (mfa && !enrolled.has(user.name)) truth.mfa_not_enrolled!.push(user.name);
  }
  return truth;
}
