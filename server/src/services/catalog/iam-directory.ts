import type { AwsGateway } from '../../aws/aws-gateway.ts';

const ACCOUNT_ALIAS_CACHE_MS = 10 * 60_000;

export interface IamDirectoryDeps {
  aws: Pick<AwsGateway, 'listGroupsForUser' | 'portalCallerIdentity' | 'accountAlias'>;
  /** How long IAM group memberships are trusted before being read again. */
  groupCacheMs: number;
  now?: () => number;
}

/**
 * What IAM says about people and the account, cached briefly: a user's group memberships (who
 * may request which role, who is an admin) and the portal account's alias.
 */
export function createIamDirectory({ aws, groupCacheMs, now = Date.now }: IamDirectoryDeps) {
  const groupCache = new Map<string, { groups: string[]; until: number }>();
  // The portal can read only its own account's alias; it changes rarely, so it is cached longer.
  let aliasCache: { accounts: Map<string, string>; until: number } | undefined;

  async function groupsFor(userName: string): Promise<string[]> {
    const key = userName.toLowerCase();
    const cached = groupCache.get(key);
    if (cached && cached.until > now()) return cached.groups;
    const groups = await aws.listGroupsForUser(userName);
    groupCache.set(key, { groups, until: now() + groupCacheMs });
    return groups;
  }

  return {
    groupsFor,

    /** Is the user in this IAM group (IAM compares group names case-insensitively)? */
    async isMember(userName: string, group: string): Promise<boolean> {
      const wanted = group.toLowerCase();
      return (await groupsFor(userName)).some((g) => g.toLowerCase() === wanted);
    },

    /** Account id to alias, for the accounts whose alias the portal can read. */
    async accountAliases(): Promise<Map<string, string>> {
      if (aliasCache && aliasCache.until > now()) return aliasCache.accounts;
      const accounts = new Map<string, string>();
      try {
        const [identity, alias] = await Promise.all([aws.portalCallerIdentity(), aws.accountAlias()]);
        if (alias) accounts.set(identity.account, alias);
      } catch {
        // Without iam:ListAccountAliases the UI shows account ids; nothing else depends on aliases.
      }
      aliasCache = { accounts, until: now() + ACCOUNT_ALIAS_CACHE_MS };
      return accounts;
    },
  };
}

export type IamDirectory = ReturnType<typeof createIamDirectory>;
