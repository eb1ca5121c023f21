import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StateFile, UserSpec } from '../emulator/src/state/state-file.ts';

export const BENCH_ACCOUNT = '111111111111';
export const ADMIN_USER = 'bench-admin';
export const ADMIN_SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

const DEMO_STATE = path.resolve(import.meta.dirname, '../emulator/demo-state.json');
const DAY = 86_400_000;

/** A deterministic pseudo-random sequence, so every run benchmarks the same organisation. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const keyId = (n: number, k: number) => `AKIA${String(n * 2 + k).padStart(16, '0')}`;
const secret = (n: number, k: number) => `${String(n).padStart(8, '0')}${k}`.padEnd(40, 'x');

/**
 * The demo organisation's policies and groups with `count` generated IAM users in its main account:
 * about 60% with a virtual MFA device, 8% with a hardware token, 70% with a console password,
 * 70% with one or two access keys (some inactive), and a mix of policies: the strict force-MFA
 * policy, the variant that allows AssumeRole, developer access (keys work without MFA), nothing.
 */
export function generateOrganisation(count: number): { state: StateFile; expected: Record<string, number> } {
  const demo = JSON.parse(readFileSync(DEMO_STATE, 'utf8')) as StateFile;
  const next = random(20261122);
  const now = Date.parse('2026-11-22T00:00:00Z');
  const users: UserSpec[] = demo.users.filter((u) => u.account === BENCH_ACCOUNT && u.name === 'portal');
  users.push({
    account: BENCH_ACCOUNT,
    name: ADMIN_USER,
    groups: ['portal-admins'],
    attachedPolicies: [`arn:aws:iam::${BENCH_ACCOUNT}:policy/ForceMFAAllowAssumeRole`],
    mfaDevices: [{ serial: `arn:aws:iam::${BENCH_ACCOUNT}:mfa/${ADMIN_USER}`, type: 'virtual', seed: ADMIN_SEED }],
  });
  for (let n = 0; n < count; n++) {
    const name = `user-${String(n).padStart(5, '0')}`;
    const mfaRoll = next();
    const mfa: UserSpec['mfaDevices'] =
      mfaRoll < 0.6
        ? [{ serial: `arn:aws:iam::${BENCH_ACCOUNT}:mfa/${name}`, type: 'virtual', seed: ADMIN_SEED }]
        : mfaRoll < 0.68
          ? [{ serial: `GAHT${String(n).padStart(8, '0')}`, type: 'hardware', seed: ADMIN_SEED }]
          : [];
    const keyRoll = next();
    const keyCount = keyRoll < 0.3 ? 0 : keyRoll < 0.85 ? 1 : 2;
    const accessKeys = Array.from({ length: keyCount }, (_, k) => ({
      id: keyId(n, k),
      secret: secret(n, k),
      status: (next() < 0.1 ? 'Inactive' : 'Active') as 'Active' | 'Inactive',
      created: iso(now - Math.floor(next() * 900) * DAY),
      lastUsed: next() < 0.7 ? iso(now - Math.floor(next() * 60) * DAY) : null,
      lastUsedService: 's3',
      lastUsedRegion: 'eu-west-1',
    }));
    const policyRoll = next();
    const user: UserSpec = {
      account: BENCH_ACCOUNT,
      name,
      created: iso(now - Math.floor(next() * 1500) * DAY),
      ...(next() < 0.7
        ? { password: { enabled: true, lastUsed: next() < 0.8 ? iso(now - Math.floor(next() * 90) * DAY) : null } }
        : {}),
      ...(mfa.length ? { mfaDevices: mfa } : {}),
      ...(accessKeys.length ? { accessKeys } : {}),
    };
    if (policyRoll < 0.3) user.attachedPolicies = [`arn:aws:iam::${BENCH_ACCOUNT}:policy/ForceMFA`];
    else if (policyRoll < 0.55)
      user.attachedPolicies = [`arn:aws:iam::${BENCH_ACCOUNT}:policy/ForceMFAAllowAssumeRole`];
    if (policyRoll >= 0.3 && policyRoll < 0.8) user.groups = ['developers'];
    users.push(user);
  }
  const state: StateFile = { ...demo, users: [...users, ...demo.users.filter((u) => u.account !== BENCH_ACCOUNT)] };
  const mine = users;
  const hasMfa = (u: UserSpec) => (u.mfaDevices ?? []).length > 0;
  const expected = {
    users: mine.length,
    withMfa: mine.filter(hasMfa).length,
    consoleWithoutMfa: mine.filter((u) => u.password?.enabled && !hasMfa(u)).length,
    hardwareMfa: mine.filter((u) => (u.mfaDevices ?? []).some((d) => d.type === 'hardware')).length,
    usersWithActiveKeys: mine.filter((u) => (u.accessKeys ?? []).some((k) => k.status === 'Active')).length,
  };
  return { state, expected };
}
