import {
  type IAMClient,
  type ManagedPolicyDetail,
  paginateGetAccountAuthorizationDetails,
  paginateListVirtualMFADevices,
} from '@aws-sdk/client-iam';
import { classifyAwsError } from './aws-errors.ts';

/** A policy document as IAM returns it in bulk listings: JSON text (decoded from the URL encoding). */
export interface InlinePolicy {
  name: string;
  document: string;
}

/** One user of GetAccountAuthorizationDetails: everything that decides their permissions. */
export interface UserAuthorization {
  userName: string;
  arn: string;
  groups: string[];
  inlinePolicies: InlinePolicy[];
  attachedPolicyArns: string[];
  permissionsBoundaryArn: string | null;
}

export interface GroupAuthorization {
  groupName: string;
  inlinePolicies: InlinePolicy[];
  attachedPolicyArns: string[];
}

/** A managed policy with the text of its default version. */
export interface ManagedPolicyDefault {
  arn: string;
  defaultDocument: string | null;
}

/** One page of GetAccountAuthorizationDetails (users, groups, managed policies; roles are not read). */
export interface AuthorizationDetailsPage {
  users: UserAuthorization[];
  groups: GroupAuthorization[];
  policies: ManagedPolicyDefault[];
}

/** The page of virtual MFA devices assigned to users: serial and user name. */
export interface VirtualMfaAssignment {
  serialNumber: string;
  /** null for the root user's device (IAM names no user for it). */
  userName: string | null;
}

/**
 * Account-wide IAM listings a compliance scan reads page by page: each page is handed over as it
 * arrives (the SDK paginators follow Marker), so a caller holding only what it keeps from each
 * page stays within bounded memory on accounts of any size.
 */
export interface IamBulkReads {
  authorizationDetailsPages(): AsyncIterable<AuthorizationDetailsPage>;
  virtualMfaAssignmentPages(): AsyncIterable<VirtualMfaAssignment[]>;
}

/** IAM returns policy documents URL-encoded (RFC 3986); the SDK passes them on as they came. */
export function decodePolicyDocument(encoded: string | undefined): string | null {
  if (encoded === undefined) return null;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded; // Already plain JSON (some tools decode for you).
  }
}

const inline = (list: Array<{ PolicyName?: string; PolicyDocument?: string }> | undefined): InlinePolicy[] =>
  (list ?? []).map((p) => ({ name: p.PolicyName ?? '', document: decodePolicyDocument(p.PolicyDocument) ?? '' }));

const attached = (list: Array<{ PolicyArn?: string }> | undefined): string[] =>
  (list ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : []));

function defaultVersion(policy: ManagedPolicyDetail): string | null {
  const version =
    policy.PolicyVersionList?.find((v) => v.IsDefaultVersion) ??
    policy.PolicyVersionList?.find((v) => v.VersionId === policy.DefaultVersionId);
  return decodePolicyDocument(version?.Document);
}

/** Errors surface as AwsCallError, page by page (a throttled page is retried by the SDK first). */
async function* guarded<T>(operation: string, pages: AsyncIterable<T>): AsyncIterable<T> {
  const iterator = pages[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw classifyAwsError(error, operation);
    }
    if (next.done) return;
    yield next.value;
  }
}

export function createIamBulkReads(iam: IAMClient): IamBulkReads {
  return {
    async *authorizationDetailsPages() {
      const pages = paginateGetAccountAuthorizationDetails(
        { client: iam, pageSize: 1000 },
        { Filter: ['User', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] },
      );
      for await (const page of guarded('GetAccountAuthorizationDetails', pages)) {
        yield {
          users: (page.UserDetailList ?? []).flatMap((u): UserAuthorization[] =>
            u.UserName && u.Arn
              ? [
                  {
                    userName: u.UserName,
                    arn: u.Arn,
                    groups: u.GroupList ?? [],
                    inlinePolicies: inline(u.UserPolicyList),
                    attachedPolicyArns: attached(u.AttachedManagedPolicies),
                    permissionsBoundaryArn: u.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
                  },
                ]
              : [],
          ),
          groups: (page.GroupDetailList ?? []).flatMap((g): GroupAuthorization[] =>
            g.GroupName
              ? [
                  {
                    groupName: g.GroupName,
                    inlinePolicies: inline(g.GroupPolicyList),
                    attachedPolicyArns: attached(g.AttachedManagedPolicies),
                  },
                ]
              : [],
          ),
          policies: (page.Policies ?? []).flatMap((p): ManagedPolicyDefault[] =>
            p.Arn ? [{ arn: p.Arn, defaultDocument: defaultVersion(p) }] : [],
          ),
        };
      }
    },

    async *virtualMfaAssignmentPages() {
      const pages = paginateListVirtualMFADevices({ client: iam, pageSize: 1000 }, { AssignmentStatus: 'Assigned' });
      for await (const page of guarded('ListVirtualMFADevices', pages)) {
        yield (page.VirtualMFADevices ?? []).flatMap((d): VirtualMfaAssignment[] =>
          d.SerialNumber ? [{ serialNumber: d.SerialNumber, userName: d.User?.UserName ?? null }] : [],
        );
      }
    },
  };
}
