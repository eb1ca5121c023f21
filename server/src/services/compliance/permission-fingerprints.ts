import { createHash } from 'node:crypto';
import type { GroupAuthorization, ManagedPolicyDefault, UserAuthorization } from '../../aws/iam-bulk-reads.ts';

const digest = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 22);

/**
 * Condition text whose meaning depends on who the user is: policy variables (`${aws:username}`)
 * and keys naming the principal. Users whose policies hold such a condition are simulated one by
 * one, since the same documents may allow one of them and not another.
 */
const PERSONAL =
  /\$\{|aws:username|aws:userid|aws:principalarn|aws:principaltag\/|aws:sourceidentity|aws:principalisawsservice|aws:principalservicename|aws:resourcetag\/|iam:resourcetag\//i;

/**
 * Whether a document's answer may differ between users. Only conditions count: the scan
 * simulates on resource `*`, which a Resource pattern holding `${aws:username}` matches (or not)
 * alike for every user, since no user name contains `*`. A document that does not parse is
 * taken as personal (the strict side).
 */
function isPersonal(text: string): boolean {
  if (!PERSONAL.test(text)) return false;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return true;
  }
  const statement = (document as { Statement?: unknown } | null)?.Statement;
  const statements = Array.isArray(statement) ? statement : [statement];
  return statements.some((s) => {
    if (typeof s !== 'object' || s === null) return true;
    const condition = (s as { Condition?: unknown }).Condition;
    return condition !== undefined && PERSONAL.test(JSON.stringify(condition));
  });
}

interface DocumentRef {
  hash: string;
  personal: boolean;
}

interface UserRefs {
  inline: DocumentRef[];
  attached: string[];
  groups: string[];
  boundary: string | null;
}

/**
 * Groups users by the fingerprint of everything that decides their permissions: the documents
 * of their inline policies, of the managed policies attached to them and to their groups (the
 * default version), of their groups' inline policies, and their permissions boundary. Two users
 * with one fingerprint get the same answer from a policy simulation, so one simulation answers
 * for all of them.
 *
 * Fed page by page from GetAccountAuthorizationDetails, it keeps per user only a number (the
 * user's distinct set of references) and per document a short hash, never the pages themselves.
 */
export function createPermissionFingerprints() {
  const refIds = new Map<string, number>();
  const refs: UserRefs[] = [];
  const userRef = new Map<string, number>();
  const groups = new Map<string, { inline: DocumentRef[]; attached: string[] }>();
  const policies = new Map<string, DocumentRef>();
  const resolved = new Map<number, { fingerprint: string; perUser: boolean }>();

  const documentRef = (text: string): DocumentRef => ({ hash: digest(text), personal: isPersonal(text) });

  /** The documents a set of references stands for; `perUser` when one is personal or unknown. */
  function resolve(id: number): { fingerprint: string; perUser: boolean } {
    const cached = resolved.get(id);
    if (cached) return cached;
    const user = refs[id]!;
    const documents = new Set<string>();
    let perUser = false;
    const addManaged = (arn: string) => {
      const policy = policies.get(arn);
      if (!policy)
        perUser = true; // A policy the listing did not show: nothing to compare it by.
      else {
        documents.add(policy.hash);
        perUser ||= policy.personal;
      }
    };
    const addInline = (doc: DocumentRef) => {
      documents.add(doc.hash);
      perUser ||= doc.personal;
    };
    user.inline.forEach(addInline);
    user.attached.forEach(addManaged);
    for (const name of user.groups) {
      const group = groups.get(name.toLowerCase());
      if (!group) {
        perUser = true;
        continue;
      }
      group.inline.forEach(addInline);
      group.attached.forEach(addManaged);
    }
    let boundary = 'none';
    if (user.boundary !== null) {
      const policy = policies.get(user.boundary);
      if (!policy || policy.personal) perUser = true;
      boundary = policy?.hash ?? user.boundary;
    }
    const result = { fingerprint: digest(`${[...documents].sort().join(',')}|boundary:${boundary}`), perUser };
    resolved.set(id, result);
    return result;
  }

  return {
    addUser(user: UserAuthorization): void {
      const entry: UserRefs = {
        inline: user.inlinePolicies.map((p) => documentRef(p.document)),
        attached: [...new Set(user.attachedPolicyArns)].sort(),
        groups: [...new Set(user.groups.map((g) => g.toLowerCase()))].sort(),
        boundary: user.permissionsBoundaryArn,
      };
      entry.inline.sort((a, b) => a.hash.localeCompare(b.hash));
      const key = JSON.stringify(entry);
      let id = refIds.get(key);
      if (id === undefined) {
        id = refs.length;
        refs.push(entry);
        refIds.set(key, id);
      }
      userRef.set(user.userName.toLowerCase(), id);
    },

    addGroup(group: GroupAuthorization): void {
      groups.set(group.groupName.toLowerCase(), {
        inline: group.inlinePolicies.map((p) => documentRef(p.document)),
        attached: group.attachedPolicyArns,
      });
    },

    addPolicy(policy: ManagedPolicyDefault): void {
      if (policy.defaultDocument !== null) policies.set(policy.arn, documentRef(policy.defaultDocument));
    },

    /**
     * The user's fingerprint once every page was added: users sharing it share their
     * permissions. A user the listing did not show, or whose policies depend on who they are,
     * gets a fingerprint of their own.
     */
    fingerprintOf(userName: string, userArn: string): string {
      const id = userRef.get(userName.toLowerCase());
      if (id === undefined) return `user:${userArn}`;
      const { fingerprint, perUser } = resolve(id);
      return perUser ? `${fingerprint}|user:${userArn}` : fingerprint;
    },

    /** Distinct sets of references seen (before resolving them to documents). */
    get referenceSets(): number {
      return refs.length;
    },
  };
}

export type PermissionFingerprints = ReturnType<typeof createPermissionFingerprints>;
