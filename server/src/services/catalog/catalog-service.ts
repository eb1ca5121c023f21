import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import type { AwsGateway } from '../../aws/aws-gateway.ts';
import { AwsCallError } from '../../aws/aws-errors.ts';
import { badRequest, conflict, forbidden, notFound } from '../../errors/app-error.ts';
import { trustPolicyMfaRequirement } from './trust-policy.ts';

export interface CatalogRole {
  alias: string;
  roleArn: string;
  accountId: string;
  roleName: string;
  description: string | null;
  maxDurationSeconds: number;
  mfaMaxAgeSeconds: number | null;
  externalId: string | null;
  allowedGroups: string[];
  allowedUsers: string[];
  trustRequiresMfa: boolean | null;
}

export interface AddRoleInput {
  alias: string;
  roleArn: string;
  groups?: string[];
  users?: string[];
  maxDurationSeconds?: number;
  externalId?: string;
  description?: string;
}

export const ALIAS_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const ROLE_ARN_PATTERN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const PRINCIPAL_NAME = /^[\w+=,.@-]{1,128}$/;
/** Everyone enrolled may request a role whose user list is exactly this. */
export const ALL_USERS = '*';

export interface CatalogServiceDeps {
  prisma: PrismaClient;
  aws: Pick<AwsGateway, 'getRole' | 'listGroupsForUser' | 'portalCallerIdentity'>;
  /** How long IAM group memberships are trusted before being read again. */
  groupCacheMs: number;
  now?: () => number;
}

/**
 * The roles people may request, by alias, and who may request each: IAM group members, named
 * users, or (explicitly) every enrolled user. Group memberships come from IAM, cached briefly.
 */
export function createCatalogService({ prisma, aws, groupCacheMs, now = Date.now }: CatalogServiceDeps) {
  const groupCache = new Map<string, { groups: string[]; until: number }>();

  async function groupsFor(userName: string): Promise<string[]> {
    const key = userName.toLowerCase();
    const cached = groupCache.get(key);
    if (cached && cached.until > now()) return cached.groups;
    const groups = await aws.listGroupsForUser(userName);
    groupCache.set(key, { groups, until: now() + groupCacheMs });
    return groups;
  }

  function mayRequest(role: CatalogRole, userName: string, groups: string[]): boolean {
    const user = userName.toLowerCase();
    if (role.allowedUsers.some((u) => u === ALL_USERS || u.toLowerCase() === user)) return true;
    const memberOf = new Set(groups.map((g) => g.toLowerCase()));
    return role.allowedGroups.some((g) => memberOf.has(g.toLowerCase()));
  }

  async function all(): Promise<CatalogRole[]> {
    const rows = await prisma.catalogRole.findMany({ orderBy: { alias: 'asc' } });
    return rows.map(toCatalogRole);
  }

  return {
    groupsFor,

    list: all,

    async add(input: AddRoleInput): Promise<CatalogRole> {
      const alias = input.alias.trim().toLowerCase();
      if (!ALIAS_PATTERN.test(alias)) {
        throw badRequest('invalid_alias', 'A role alias is 1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.');
      }
      const arnMatch = ROLE_ARN_PATTERN.exec(input.roleArn.trim());
      if (!arnMatch) throw badRequest('invalid_role_arn', 'The role ARN must look like arn:aws:iam::123456789012:role/RoleName.');
      const groups = uniqueNames(input.groups ?? [], 'group');
      const users = uniqueNames(input.users ?? [], 'user', true);
      if (groups.length === 0 && users.length === 0) {
        throw badRequest('no_audience', `Say who may request the role: --groups, --users, or --users '${ALL_USERS}' for every enrolled user.`);
      }
      if (input.externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(input.externalId)) {
        throw badRequest('invalid_external_id', 'An external ID is 2 to 1224 characters of letters, digits and +=,.@:/-.');
      }
      const accountId = arnMatch[1]!;
      const roleName = arnMatch[2]!;

      // Same-account roles are read from IAM for their real limit and trust policy; the portal
      // cannot read another account's roles, so those take the operator's word (or AWS's default).
      let awsMax = 3600;
      let mfaMaxAgeSeconds: number | null = null;
      let trustRequiresMfa: boolean | null = null;
      const portalAccount = (await aws.portalCallerIdentity()).account;
      if (portalAccount === accountId) {
        try {
          const details = await aws.getRole(roleName);
          awsMax = details.maxSessionDuration;
          const requirement = trustPolicyMfaRequirement(details.trustPolicy);
          mfaMaxAgeSeconds = requirement.maxAgeSeconds;
          trustRequiresMfa = requirement.requiresMfa;
        } catch (error) {
          if (error instanceof AwsCallError && error.kind === 'not_found') throw notFound('unknown_role', `IAM has no role named ${roleName}.`);
          throw error;
        }
      }
      const maxDurationSeconds = input.maxDurationSeconds ?? awsMax;
      if (!Number.isInteger(maxDurationSeconds) || maxDurationSeconds < 900 || maxDurationSeconds > 43200) {
        throw badRequest('invalid_duration', 'The maximum duration is 900 to 43200 seconds.');
      }
      if (portalAccount === accountId && maxDurationSeconds > awsMax) {
        throw badRequest('invalid_duration', `The role allows sessions of at most ${awsMax} seconds (its MaxSessionDuration).`);
      }
      const existing = await prisma.catalogRole.findUnique({ where: { alias } });
      if (existing) throw conflict('alias_taken', `The catalog already has a role with alias ${alias}.`);
      const row = await prisma.catalogRole.create({
        data: {
          alias,
          roleArn: input.roleArn.trim(),
          accountId,
          roleName,
          description: input.description?.trim().slice(0, 500) || null,
          maxDurationSeconds,
          mfaMaxAgeSeconds,
          trustRequiresMfa,
          externalId: input.externalId ?? null,
          allowedGroups: JSON.stringify(groups),
          allowedUsers: JSON.stringify(users),
        },
      });
      return toCatalogRole(row);
    },

    async remove(alias: string): Promise<CatalogRole> {
      const row = await prisma.catalogRole.findUnique({ where: { alias: alias.toLowerCase() } });
      if (!row) throw notFound('unknown_role', `The catalog has no role with alias ${alias}.`);
      await prisma.catalogRole.delete({ where: { id: row.id } });
      return toCatalogRole(row);
    },

    /** The roles this user may request, in alias order. */
    async rolesFor(userName: string): Promise<CatalogRole[]> {
      const [roles, groups] = await Promise.all([all(), groupsFor(userName)]);
      return roles.filter((role) => mayRequest(role, userName, groups));
    },

    /** The role behind `alias` if this user may request it; 404 / 403 otherwise. */
    async resolve(userName: string, alias: string): Promise<CatalogRole> {
      const row = await prisma.catalogRole.findUnique({ where: { alias: alias.toLowerCase() } });
      if (!row) throw notFound('unknown_role', `There is no role called "${alias.slice(0, 64)}" in the portal's catalog.`);
      const role = toCatalogRole(row);
      if (!mayRequest(role, userName, await groupsFor(userName))) {
        throw forbidden('role_not_allowed', `You may not request the role "${role.alias}". Ask an administrator for access.`);
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
    if (!PRINCIPAL_NAME.test(name)) throw badRequest('invalid_name', `"${name.slice(0, 64)}" is not a valid IAM ${kind} name.`);
  }
  return cleaned;
}

function toCatalogRole(row: {
  alias: string;
  roleArn: string;
  accountId: string;
  roleName: string;
  description: string | null;
  maxDurationSeconds: number;
  mfaMaxAgeSeconds: number | null;
  trustRequiresMfa: boolean | null;
  externalId: string | null;
  allowedGroups: string;
  allowedUsers: string;
}): CatalogRole {
  return {
    alias: row.alias,
    roleArn: row.roleArn,
    accountId: row.accountId,
    roleName: row.roleName,
    description: row.description,
    maxDurationSeconds: row.maxDurationSeconds,
    mfaMaxAgeSeconds: row.mfaMaxAgeSeconds,
    trustRequiresMfa: row.trustRequiresMfa,
    externalId: row.externalId,
    allowedGroups: JSON.parse(row.allowedGroups) as string[],
    allowedUsers: JSON.parse(row.allowedUsers) as string[],
  };
}


