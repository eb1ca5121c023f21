import type { Caller } from '../protocol/operation.ts';
import type {
  AccessKeySpec,
  GroupSpec,
  ManagedPolicySpec,
  MfaDeviceSpec,
  PolicyDocument,
  RoleSpec,
  StateFile,
  UserSpec,
} from './state-file.ts';

/** Temporary credentials issued by GetSessionToken or AssumeRole. */
export interface TemporarySession {
  accessKeyId: string; // ASIA...
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: Date;
  caller: Caller; // kind 'user-session' or 'role-session'
}

export interface CredentialReportState {
  state: 'STARTED' | 'INPROGRESS' | 'COMPLETE';
  startedAt: Date;
  generatedAt: Date | null;
  csv: string | null;
}

/**
 * The emulator's whole world in memory: the state file's objects (mutated in place by IAM
 * operations, so `toStateFile()` can persist them) plus runtime-only data such as sessions.
 */
export class Store {
  readonly state: Required<
    Pick<StateFile, 'accounts' | 'users' | 'groups' | 'policies' | 'roles' | 'roots' | 'unassignedMfaDevices'>
  >;
  readonly sessions = new Map<string, TemporarySession>();
  /** Last accepted TOTP time step per MFA serial: a code is never accepted twice. */
  readonly lastAcceptedStep = new Map<string, number>();
  readonly credentialReports = new Map<string, CredentialReportState>();
  /**
   * Where users and keys were last found (state.users index). Operations add and remove users
   * and keys in place, so a hit is used only after checking it still holds; a miss searches.
   * This keeps look-ups constant-time for accounts of 100,000 users.
   */
  readonly #userAt = new Map<string, { index: number; user: UserSpec }>();
  readonly #keyAt = new Map<string, { index: number; user: UserSpec; key: AccessKeySpec }>();

  constructor(file: StateFile) {
    this.state = {
      accounts: file.accounts,
      users: file.users,
      groups: file.groups ?? [],
      policies: file.policies ?? [],
      roles: file.roles ?? [],
      roots: file.roots ?? [],
      unassignedMfaDevices: file.unassignedMfaDevices ?? [],
    };
  }

  toStateFile(): StateFile {
    return structuredClone(this.state);
  }

  hasAccount(account: string): boolean {
    return this.state.accounts.some((a) => a.id === account);
  }

  findUser(account: string, name: string): UserSpec | undefined {
    // IAM user names are case-insensitive for uniqueness and lookup.
    const wanted = name.toLowerCase();
    const cacheKey = `${account}:${wanted}`;
    const hit = this.#userAt.get(cacheKey);
    if (hit && this.state.users[hit.index] === hit.user && hit.user.name.toLowerCase() === wanted) return hit.user;
    const index = this.state.users.findIndex((u) => u.account === account && u.name.toLowerCase() === wanted);
    if (index < 0) {
      this.#userAt.delete(cacheKey);
      return undefined;
    }
    if (this.#userAt.size === 0 || hit) this.#indexUsers();
    else this.#userAt.set(cacheKey, { index, user: this.state.users[index]! });
    return this.state.users[index];
  }

  /** Rebuilds both caches in one pass (after the first look-up, or once users moved). */
  #indexUsers(): void {
    this.#userAt.clear();
    this.#keyAt.clear();
    this.state.users.forEach((user, index) => {
      this.#userAt.set(`${user.account}:${user.name.toLowerCase()}`, { index, user });
      for (const key of user.accessKeys ?? []) this.#keyAt.set(key.id, { index, user, key });
    });
  }

  usersOf(account: string): UserSpec[] {
    return this.state.users.filter((u) => u.account === account);
  }

  findAccessKey(accessKeyId: string): { user: UserSpec; key: AccessKeySpec } | undefined {
    const hit = this.#keyAt.get(accessKeyId);
    if (
      hit &&
      this.state.users[hit.index] === hit.user &&
      hit.user.accessKeys?.includes(hit.key) &&
      hit.key.id === accessKeyId
    )
      return { user: hit.user, key: hit.key };
    for (const [index, user] of this.state.users.entries()) {
      const key = user.accessKeys?.find((k) => k.id === accessKeyId);
      if (key) {
        if (this.#keyAt.size === 0 || hit) this.#indexUsers();
        else this.#keyAt.set(accessKeyId, { index, user, key });
        return { user, key };
      }
    }
    return undefined;
  }

  findMfaDevice(serial: string): { user: UserSpec; device: MfaDeviceSpec } | undefined {
    for (const user of this.state.users) {
      const device = user.mfaDevices?.find((d) => d.serial === serial);
      if (device) return { user, device };
    }
    return undefined;
  }

  findGroup(account: string, name: string): GroupSpec | undefined {
    const wanted = name.toLowerCase();
    return this.state.groups.find((g) => g.account === account && g.name.toLowerCase() === wanted);
  }

  findRole(account: string, name: string): RoleSpec | undefined {
    const wanted = name.toLowerCase();
    return this.state.roles.find((r) => r.account === account && r.name.toLowerCase() === wanted);
  }

  findRoleByArn(arn: string): RoleSpec | undefined {
    const match = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
    if (!match) return undefined;
    const role = this.findRole(match[1]!, match[2]!);
    return role && roleArn(role) === arn ? role : undefined;
  }

  findManagedPolicy(arn: string): ManagedPolicySpec | undefined {
    return this.state.policies.find((p) => p.arn === arn);
  }

  /** Every identity policy that applies to a user: inline, attached, and those of their groups. */
  policiesForUser(user: UserSpec): PolicyDocument[] {
    const docs: PolicyDocument[] = (user.inlinePolicies ?? []).map((p) => p.document);
    docs.push(...this.#managed(user.attachedPolicies));
    for (const groupName of user.groups ?? []) {
      const group = this.findGroup(user.account, groupName);
      if (!group) continue;
      docs.push(...(group.inlinePolicies ?? []).map((p) => p.document));
      docs.push(...this.#managed(group.attachedPolicies));
    }
    return docs;
  }

  /**
   * The document of a user's or role's permissions boundary, or undefined when it has none. A
   * boundary naming a policy that is gone allows nothing (fail closed), though DeletePolicy and
   * the state validator keep that from happening.
   */
  boundaryOf(entity: UserSpec | RoleSpec): PolicyDocument | undefined {
    if (entity.permissionsBoundary === undefined) return undefined;
    return this.findManagedPolicy(entity.permissionsBoundary)?.document ?? { Version: '2012-10-17', Statement: [] };
  }

  policiesForRole(role: RoleSpec): PolicyDocument[] {
    return [...(role.inlinePolicies ?? []).map((p) => p.document), ...this.#managed(role.attachedPolicies)];
  }

  #managed(arns: string[] | undefined): PolicyDocument[] {
    return (arns ?? []).flatMap((arn) => {
      const policy = this.findManagedPolicy(arn);
      return policy ? [policy.document] : [];
    });
  }
}

export const userArn = (user: UserSpec): string => `arn:aws:iam::${user.account}:user${user.path ?? '/'}${user.name}`;
export const roleArn = (role: RoleSpec): string => `arn:aws:iam::${role.account}:role${role.path ?? '/'}${role.name}`;
export const groupArn = (group: GroupSpec): string =>
  `arn:aws:iam::${group.account}:group${group.path ?? '/'}${group.name}`;
