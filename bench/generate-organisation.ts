import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  InlinePolicySpec,
  ManagedPolicySpec,
  PolicyStatement,
  StateFile,
  UserSpec,
} from '../emulator/src/state/state-file.ts';

export const BENCH_ACCOUNT = '111111111111';
export const ADMIN_USER = 'bench-admin';
export const ADMIN_SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

const DEMO_STATE = path.resolve(import.meta.dirname, '../emulator/demo-state.json');
const DAY = 86_400_000;

/**
 * How many distinct permission setups the users have:
 * - `few`: a handful (force-MFA policies, the developers group, nothing), as in most accounts;
 * - `many`: those plus one of 40 inline policies per user, some granting what keys are used for,
 *   and a few conditions on `aws:username` (users whose answer differs with the same documents),
 *   and permissions boundaries on some users (see BOUNDARIES);
 * - `distinct`: every user has an inline policy of their own, so no two users share a setup; some
 *   have a boundary too.
 */
export type PermissionSetups = 'few' | 'many' | 'distinct';

/** What the dashboard must show for one generated user (the organisation's truth). */
export interface UserTruth {
  consoleAccess: boolean;
  mfaActive: boolean;
  virtualMfaCount: number;
  hardwareMfaCount: number;
  fidoMfaCount: number;
  activeKeyCount: number;
  keysWorkWithoutMfa: 'yes' | 'no' | 'n/a';
}

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
const statement = (s: PolicyStatement): InlinePolicySpec['document'] => ({ Version: '2012-10-17', Statement: [s] });

/** What a permissions boundary does to the question "do the keys work without MFA?". */
type BoundaryKind = 'requires-mfa' | 'no-effect' | 'ec2-only';

/**
 * The boundaries `many` and `distinct` give some users: one that makes keys need MFA (AWS's
 * deny-without-MFA statement, in the boundary), AWS's AdministratorAccess (allows everything: it
 * changes nothing, and is listed only because it is used as a boundary), and one that lets through
 * EC2 only (keys work without MFA only when the user's own policies grant an EC2 action).
 */
const BOUNDARIES: Record<BoundaryKind, ManagedPolicySpec> = {
  'requires-mfa': {
    arn: `arn:aws:iam::${BENCH_ACCOUNT}:policy/BoundaryRequireMfa`,
    document: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'UpToTheUsersPolicies', Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Sid: 'DenyAllExceptListedIfNoMFA',
          Effect: 'Deny',
          NotAction: ['iam:ListMFADevices', 'iam:GetUser', 'sts:GetSessionToken'],
          Resource: '*',
          Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        },
      ],
    },
  },
  'no-effect': {
    arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    document: statement({ Effect: 'Allow', Action: '*', Resource: '*' }),
  },
  'ec2-only': {
    arn: `arn:aws:iam::${BENCH_ACCOUNT}:policy/BoundaryEc2Only`,
    document: statement({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }),
  },
};

/** About 8% of users get each boundary; drawn from their own sequence, so the rest stays as it was. */
function boundaryOf(roll: number): BoundaryKind | null {
  if (roll < 0.08) return 'requires-mfa';
  if (roll < 0.16) return 'no-effect';
  if (roll < 0.24) return 'ec2-only';
  return null;
}

/** An inline policy and whether it lets keys do representative work (s3/ec2 listings) without MFA. */
function inlinePolicy(
  n: number,
  setups: PermissionSetups,
  roll: number,
): { policy: InlinePolicySpec; allows: boolean; allowsEc2: boolean } {
  if (setups === 'distinct') {
    const allows = n % 3 === 0;
    return {
      policy: {
        name: `own-${n}`,
        document: statement(
          allows
            ? { Effect: 'Allow', Action: ['ec2:DescribeInstances', `s3:GetObject`], Resource: '*', Sid: `Own${n}` }
            : { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket-${n}/*` },
        ),
      },
      allows,
      allowsEc2: allows,
    };
  }
  if (roll < 0.02) {
    // One document for all of them, allowing only the users whose name ends in 0.
    return {
      policy: {
        name: 'names-ending-in-0',
        document: statement({
          Effect: 'Allow',
          Action: 's3:ListAllMyBuckets',
          Resource: '*',
          Condition: { StringLike: { 'aws:username': 'user-*0' } },
        }),
      },
      allows: n % 10 === 0,
      allowsEc2: false,
    };
  }
  const variant = Math.floor(roll * 40);
  const allows = variant % 4 === 0;
  return {
    policy: {
      name: `variant-${variant}`,
      document: statement(
        allows
          ? { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*', Sid: `Variant${variant}` }
          : { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::team-${variant}/*` },
      ),
    },
    allows,
    allowsEc2: allows,
  };
}

/**
 * The demo organisation's policies and groups with `count` generated IAM users in its main account:
 * about 60% with a virtual MFA device, 8% with a hardware token, 3% with only a FIDO security key
 * (and 1% with a FIDO key beside their virtual device), 70% with a console password, 70% with one
 * or two access keys (some inactive), and a mix of policies: the strict force-MFA policy, the
 * variant that allows AssumeRole, developer access (keys work without MFA), nothing; plus the
 * inline policies `setups` asks for. Plus the portal's identity and an admin.
 */
export function generateOrganisation(
  count: number,
  setups: PermissionSetups = 'few',
): { state: StateFile; expected: Record<string, number>; truth: Map<string, UserTruth> } {
  const demo = JSON.parse(readFileSync(DEMO_STATE, 'utf8')) as StateFile;
  const next = random(20261122);
  const nextBoundary = random(20261202);
  const now = Date.parse('2026-11-22T00:00:00Z');
  const users: UserSpec[] = demo.users.filter((u) => u.account === BENCH_ACCOUNT && u.name === 'portal');
  users.push({
    account: BENCH_ACCOUNT,
    name: ADMIN_USER,
    groups: ['portal-admins'],
    attachedPolicies: [`arn:aws:iam::${BENCH_ACCOUNT}:policy/ForceMFAAllowAssumeRole`],
    mfaDevices: [{ serial: `arn:aws:iam::${BENCH_ACCOUNT}:mfa/${ADMIN_USER}`, type: 'virtual', seed: ADMIN_SEED }],
  });
  const truth = new Map<string, UserTruth>();
  const boundaryUsers: Record<BoundaryKind, number> = { 'requires-mfa': 0, 'no-effect': 0, 'ec2-only': 0 };
  let keysNeedMfaOnlyByBoundary = 0;
  // The portal's policy allows iam:ListUsers; the admin's force-MFA policy denies without MFA.
  truth.set('portal', {
    consoleAccess: false,
    mfaActive: false,
    virtualMfaCount: 0,
    hardwareMfaCount: 0,
    fidoMfaCount: 0,
    activeKeyCount: 1,
    keysWorkWithoutMfa: 'yes',
  });
  for (let n = 0; n < count; n++) {
    const name = `user-${String(n).padStart(5, '0')}`;
    const mfaRoll = next();
    const fido = { serial: `arn:aws:iam::${BENCH_ACCOUNT}:u2f/user/${name}/key-${n}`, type: 'fido' as const };
    const virtual = { serial: `arn:aws:iam::${BENCH_ACCOUNT}:mfa/${name}`, type: 'virtual' as const, seed: ADMIN_SEED };
    const mfa: UserSpec['mfaDevices'] =
      mfaRoll < 0.59
        ? [virtual]
        : mfaRoll < 0.6
          ? [fido, virtual]
          : mfaRoll < 0.68
            ? [{ serial: `GAHT${String(n).padStart(8, '0')}`, type: 'hardware', seed: ADMIN_SEED }]
            : mfaRoll < 0.71
              ? [fido]
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
    const password = next() < 0.7;
    const user: UserSpec = {
      account: BENCH_ACCOUNT,
      name,
      created: iso(now - Math.floor(next() * 1500) * DAY),
      ...(password
        ? { password: { enabled: true, lastUsed: next() < 0.8 ? iso(now - Math.floor(next() * 90) * DAY) : null } }
        : {}),
      ...(mfa.length ? { mfaDevices: mfa } : {}),
      ...(accessKeys.length ? { accessKeys } : {}),
    };
    const forced = policyRoll < 0.55;
    if (policyRoll < 0.3) user.attachedPolicies = [`arn:aws:iam::${BENCH_ACCOUNT}:policy/ForceMFA`];
    else if (forced) user.attachedPolicies = [`arn:aws:iam::${BENCH_ACCOUNT}:policy/ForceMFAAllowAssumeRole`];
    const developer = policyRoll >= 0.3 && policyRoll < 0.8;
    if (developer) user.groups = ['developers'];
    let inlineAllows = false;
    let inlineAllowsEc2 = false;
    let boundary: BoundaryKind | null = null;
    if (setups !== 'few') {
      const { policy, allows, allowsEc2 } = inlinePolicy(n, setups, next());
      user.inlinePolicies = [policy];
      inlineAllows = allows;
      inlineAllowsEc2 = allowsEc2;
      boundary = boundaryOf(nextBoundary());
      if (boundary) {
        user.permissionsBoundary = BOUNDARIES[boundary].arn;
        boundaryUsers[boundary]++;
      }
    }
    users.push(user);
    const kinds = { virtual: 0, hardware: 0, fido: 0 };
    for (const d of mfa) kinds[d.type]++;
    // A user with a virtual device is classified from the listing alone: further devices unseen.
    if (kinds.virtual > 0) kinds.fido = 0;
    const activeKeyCount = accessKeys.filter((k) => k.status === 'Active').length;
    // Without a boundary: no force-MFA policy, and the developers group or the inline policy grants
    // a representative action. A boundary lets through only what it allows too.
    const identityAllows = !forced && (developer || inlineAllows);
    const keysWork =
      boundary === 'requires-mfa' ? false : boundary === 'ec2-only' ? !forced && inlineAllowsEc2 : identityAllows;
    if (activeKeyCount > 0 && identityAllows && !keysWork) keysNeedMfaOnlyByBoundary++;
    truth.set(name, {
      consoleAccess: password,
      mfaActive: mfa.length > 0,
      virtualMfaCount: kinds.virtual,
      hardwareMfaCount: kinds.hardware,
      fidoMfaCount: kinds.fido,
      activeKeyCount,
      keysWorkWithoutMfa: activeKeyCount === 0 ? 'n/a' : keysWork ? 'yes' : 'no',
    });
  }
  // Enrolled before the scan: the portal created a key for the admin, which force-MFA denies.
  truth.set(ADMIN_USER, {
    consoleAccess: false,
    mfaActive: true,
    virtualMfaCount: 1,
    hardwareMfaCount: 0,
    fidoMfaCount: 0,
    activeKeyCount: 1,
    keysWorkWithoutMfa: 'no',
  });
  const state: StateFile = {
    ...demo,
    users: [...users, ...demo.users.filter((u) => u.account !== BENCH_ACCOUNT)],
    ...(setups === 'few' ? {} : { policies: [...(demo.policies ?? []), ...Object.values(BOUNDARIES)] }),
  };
  const all = [...truth.values()];
  const expected = {
    users: users.length,
    withMfa: all.filter((u) => u.mfaActive).length,
    consoleWithoutMfa: all.filter((u) => u.consoleAccess && !u.mfaActive).length,
    hardwareMfa: all.filter((u) => u.hardwareMfaCount > 0).length,
    consoleOnlyMfa: all.filter((u) => u.fidoMfaCount > 0 && u.virtualMfaCount + u.hardwareMfaCount === 0).length,
    keysWorkWithoutMfa: all.filter((u) => u.keysWorkWithoutMfa === 'yes').length,
    usersWithActiveKeys: all.filter((u) => u.activeKeyCount > 0).length,
    /** Users the bulk listings cannot classify: MFA without a virtual device (one ListMFADevices each). */
    unclassifiable: all.filter((u) => u.mfaActive && u.virtualMfaCount === 0).length,
    boundaryRequiresMfa: boundaryUsers['requires-mfa'],
    boundaryNoEffect: boundaryUsers['no-effect'],
    boundaryEc2Only: boundaryUsers['ec2-only'],
    /** Users with keys whose own policies let them work without MFA, but whose boundary does not. */
    keysNeedMfaOnlyByBoundary,
  };
  return { state, expected, truth };
}
