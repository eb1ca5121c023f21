import { AwsCallError } from '../../aws/aws-errors.ts';
import type { AwsGateway } from '../../aws/aws-gateway.ts';
import { isUniqueViolation } from '../../db/prisma-types.ts';
import { badRequest, conflict, forbidden, notFound } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import type { CustodyService } from '../custody/custody-service.ts';
import type { CatalogRepository, CatalogRole } from './catalog-repository.ts';
import type { IamDirectory } from './iam-directory.ts';
import { trustPolicyMfaRequirement } from './trust-policy.ts';

export type { CatalogRole } from './catalog-repository.ts';

export interface AddRoleInput {
  alias: string;
  roleArn: string;
  groups?: string[];
  users?: string[];
  maxDurationSeconds?: number;
  externalId?: string;
  description?: string;
}

/** What an admin may change on a catalog role (null clears an optional field). */
export interface UpdateRoleInput {
  groups?: string[];
  users?: string[];
  maxDurationSeconds?: number;
  externalId?: string | null;
  description?: string | null;
}

/** Who changes the catalog, for the audit log; the CLI acts as 'system'. */
export interface ChangedBy {
  actor: string;
  origin?: RequestOrigin;
}

const SYSTEM: ChangedBy = { actor: 'system' };

export interface ImportableRole {
  roleArn: string;
  roleName: string;
  description: string | null;
  maxSessionDuration: number;
  trustRequiresMfa: boolean;
  mfaMaxAgeSeconds: number | null;
  /** Aliases under which the catalog already offers this role. */
  catalogAliases: string[];
}

const ALIAS_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const ROLE_ARN_PATTERN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const PRINCIPAL_NAME = /^[\w+=,.@-]{1,128}$/;
/** Everyone enrolled may request a role whose user list is exactly this. */
export const ALL_USERS = '*';

interface Requester {
  userName: string;
  groups: string[];
  enrolled: boolean;
}

export interface CatalogServiceDeps {
  prisma: PrismaClient;
  repository: CatalogRepository;
  directory: Pick<IamDirectory, 'groupsFor'>;
  custody: Pick<CustodyService, 'find'>;
  aws: Pick<AwsGateway, 'getRole' | 'portalCallerIdentity' | 'listRoles'>;
  audit: Pick<AuditService, 'append'>;
}

/**
 * The roles people may request, by alias, and who may request each: IAM group members, named
 * users, or (explicitly) every enrolled user. Group memberships come from the IAM directory.
 */
export function createCatalogService({ prisma, repository, directory, custody, aws, audit }: CatalogServiceDeps) {
  /**
   * Who is asking: their IAM groups, and whether the portal holds a key for them (read unless the
   * caller has just read it).
   */
  async function requester(userName: string, enrolled?: boolean): Promise<Requester> {
    const [groups, isEnrolled] = await Promise.all([
      directory.groupsFor(userName),
      enrolled ?? custody.find(userName).then((key) => key !== null),
    ]);
    return { userName, groups, enrolled: isEnrolled };
  }

  /** A '*' grant covers every enrolled user, and never one the portal holds no key for. */
  function mayRequest(role: CatalogRole, who: Requester): boolean {
    const user = who.userName.toLowerCase();
    if (role.allowedUsers.some((u) => (u === ALL_USERS ? who.enrolled : u.toLowerCase() === user))) return true;
    const memberOf = new Set(who.groups.map((g) => g.toLowerCase()));
    return role.allowedGroups.some((g) => memberOf.has(g.toLowerCase()));
  }

  /**
   * Same-account roles are read from IAM for their real limit and trust policy; the portal
   * cannot read another account's roles, so those take the operator's word (or AWS's default).
   */
  async function readRole(accountId: string, roleName: string) {
    const portalAccount = (await aws.portalCallerIdentity()).account;
    if (portalAccount !== accountId)
      return { sameAccount: false, awsMax: 3600, mfaMaxAgeSeconds: null, trustRequiresMfa: null };
    try {
      const details = await aws.getRole(roleName);
      const requirement = trustPolicyMfaRequirement(details.trustPolicy);
      return {
        sameAccount: true,
        awsMax: details.maxSessionDuration,
        mfaMaxAgeSeconds: requirement.maxAgeSeconds,
        trustRequiresMfa: requirement.requiresMfa,
      };
    } catch (error) {
      if (error instanceof AwsCallError && error.kind === 'not_found')
        throw notFound('unknown_role', `IAM has no role named ${roleName}.`);
      throw error;
    }
  }

  function checkDuration(maxDurationSeconds: number, role: { sameAccount: boolean; awsMax: number }): void {
    if (!Number.isInteger(maxDurationSeconds) || maxDurationSeconds < 900 || maxDurationSeconds > 43200) {
      throw badRequest('invalid_duration', 'The maximum duration is 900 to 43200 seconds.');
    }
    if (role.sameAccount && maxDurationSeconds > role.awsMax) {
      throw badRequest(
        'invalid_duration',
        `The role allows sessions of at most ${role.awsMax} seconds (its MaxSessionDuration).`,
      );
    }
  }

  function checkExternalId(externalId: string | null | undefined): void {
    if (externalId !== undefined && externalId !== null && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
      throw badRequest(
        'invalid_external_id',
        'An external ID is 2 to 1224 characters of letters, digits and +=,.@:/-.',
      );
    }
  }

  const find = (alias: string) => repository.find(prisma, alias);
  const all = () => repository.all(prisma);

  return {
    list: all,

    async add(input: AddRoleInput, by: ChangedBy = SYSTEM): Promise<CatalogRole> {
      const alias = input.alias.trim().toLowerCase();
      if (!ALIAS_PATTERN.test(alias)) {
        throw badRequest(
          'invalid_alias',
          'A role alias is 1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.',
        );
      }
      const arnMatch = ROLE_ARN_PATTERN.exec(input.roleArn.trim());
      if (!arnMatch)
        throw badRequest('invalid_role_arn', 'The role ARN must look like arn:aws:iam::123456789012:role/RoleName.');
      const groups = uniqueNames(input.groups ?? [], 'group');
      const users = uniqueNames(input.users ?? [], 'user', true);
      if (groups.length === 0 && users.length === 0) {
        throw badRequest(
          'no_audience',
          `Say who may request the role: --groups, --users, or --users '${ALL_USERS}' for every enrolled user.`,
        );
      }
      checkExternalId(input.externalId);
      const accountId = arnMatch[1]!;
      const roleName = arnMatch[2]!;
      const role = await readRole(accountId, roleName);
      const maxDurationSeconds = input.maxDurationSeconds ?? role.awsMax;
      checkDuration(maxDurationSeconds, role);
      const existing = await find(alias);
      if (existing) throw conflict('alias_taken', `The catalog already has a role with alias ${alias}.`);
      return auditedTransaction(prisma, async (tx) => {
        const created = await repository.create(tx, {
          alias,
          roleArn: input.roleArn.trim(),
          accountId,
          roleName,
          description: input.description?.trim().slice(0, 500) || null,
          maxDurationSeconds,
          mfaMaxAgeSeconds: role.mfaMaxAgeSeconds,
          trustRequiresMfa: role.trustRequiresMfa,
          externalId: input.externalId ?? null,
          allowedGroups: groups,
          allowedUsers: users,
        });
        await audit.append(
          {
            actor: by.actor,
            action: AuditAction.RoleAdd,
            outcome: 'success',
            targetRoleArn: created.roleArn,
            ...by.origin,
            metadata: { alias, groups: groups.join(','), users: users.join(','), maxDurationSeconds },
          },
          tx,
        );
        return created;
      }).catch((error: unknown) => {
        if (isUniqueViolation(error))
          throw conflict('alias_taken', `The catalog already has a role with alias ${alias}.`);
        throw error;
      });
    },

    /** Changes who may request a role, its duration cap, external ID or description. */
    async update(alias: string, input: UpdateRoleInput, by: ChangedBy = SYSTEM): Promise<CatalogRole> {
      const row = await find(alias);
      if (!row) throw notFound('unknown_role', `The catalog has no role with alias ${alias.slice(0, 64)}.`);
      const groups = input.groups !== undefined ? uniqueNames(input.groups, 'group') : row.allowedGroups;
      const users = input.users !== undefined ? uniqueNames(input.users, 'user', true) : row.allowedUsers;
      if (groups.length === 0 && users.length === 0) {
        throw badRequest(
          'no_audience',
          `Say who may request the role: groups, users, or users ['${ALL_USERS}'] for every enrolled user.`,
        );
      }
      checkExternalId(input.externalId);
      // Re-read the role: its trust policy or limit may have changed since it was added.
      const role = await readRole(row.accountId, row.roleName);
      const maxDurationSeconds =
        input.maxDurationSeconds ??
        Math.min(row.maxDurationSeconds, role.sameAccount ? role.awsMax : row.maxDurationSeconds);
      checkDuration(maxDurationSeconds, role);
      return auditedTransaction(prisma, async (tx) => {
        const changed = await repository.update(tx, row.alias, {
          allowedGroups: groups,
          allowedUsers: users,
          maxDurationSeconds,
          ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
          ...(input.description !== undefined ? { description: input.description?.trim().slice(0, 500) || null } : {}),
          ...(role.sameAccount
            ? { mfaMaxAgeSeconds: role.mfaMaxAgeSeconds, trustRequiresMfa: role.trustRequiresMfa }
            : {}),
        });
        await audit.append(
          {
            actor: by.actor,
            action: AuditAction.RoleUpdate,
            outcome: 'success',
            targetRoleArn: row.roleArn,
            ...by.origin,
            metadata: {
              alias: row.alias,
              fields: Object.keys(input).sort().join(','),
              groups: groups.join(','),
              users: users.join(','),
              maxDurationSeconds,
            },
          },
          tx,
        );
        return changed;
      });
    },

    async remove(alias: string, by: ChangedBy = SYSTEM): Promise<CatalogRole> {
      const row = await find(alias);
      if (!row) throw notFound('unknown_role', `The catalog has no role with alias ${alias.slice(0, 64)}.`);
      await auditedTransaction(prisma, async (tx) => {
        await repository.remove(tx, row.alias);
        await audit.append(
          {
            actor: by.actor,
            action: AuditAction.RoleRemove,
            outcome: 'success',
            targetRoleArn: row.roleArn,
            ...by.origin,
            metadata: { alias: row.alias },
          },
          tx,
        );
      });
      return row;
    },

    /** The portal account's roles (ListRoles) with what each trust policy demands of MFA. */
    async importable(): Promise<ImportableRole[]> {
      const [roles, catalog] = await Promise.all([aws.listRoles(), all()]);
      return roles
        .map((role) => {
          const requirement = trustPolicyMfaRequirement(role.trustPolicy);
          return {
            roleArn: role.arn,
            roleName: role.name,
            description: role.description ?? null,
            maxSessionDuration: role.maxSessionDuration,
            trustRequiresMfa: requirement.requiresMfa,
            mfaMaxAgeSeconds: requirement.maxAgeSeconds,
            catalogAliases: catalog.filter((c) => c.roleArn === role.arn).map((c) => c.alias),
          };
        })
        .sort((a, b) => a.roleName.localeCompare(b.roleName, 'en'));
    },

    /** The roles this user may request, in alias order. */
    async rolesFor(userName: string): Promise<CatalogRole[]> {
      const [roles, who] = await Promise.all([all(), requester(userName)]);
      return roles.filter((role) => mayRequest(role, who));
    },

    find,

    /**
     * The role behind `alias` if this user may request it; 404 / 403 otherwise. A caller that has
     * just checked the user's enrollment says so in `enrolled`, and the catalog does not read it again.
     */
    async resolve(userName: string, alias: string, enrolled?: boolean): Promise<CatalogRole> {
      const role = await find(alias);
      if (!role)
        throw notFound('unknown_role', `There is no role called "${alias.slice(0, 64)}" in the portal's catalog.`);
      if (!mayRequest(role, await requester(userName, enrolled))) {
        throw forbidden(
          'role_not_allowed',
          `You may not request the role "${role.alias}". Ask an administrator for access.`,
        );
      }
      return role;
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;

function uniqueNames(names: string[], kind: 'group' | 'user', allowAll = false): string[] {
  const cleaned = [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
  for (const name of cleaned) {
    if (allowAll && name === ALL_USERS) continue;
    if (!PRINCIPAL_NAME.test(name))
      throw badRequest('invalid_name', `"${name.slice(0, 64)}" is not a valid IAM ${kind} name.`);
  }
  return cleaned;
}
