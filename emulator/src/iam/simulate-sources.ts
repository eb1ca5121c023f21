import { AwsError, noSuchEntity } from '../protocol/aws-error.ts';
import type { InlinePolicySpec, PolicyDocument } from '../state/state-file.ts';
import type { Store } from '../state/store.ts';
import { groupArn, roleArn, userArn } from '../state/store.ts';
import { roleId, userId } from './shapes.ts';
import { splitPolicyArn } from './users.ts';

/** `SourcePolicyType` values of the IAM API (PolicySourceType). */
export type PolicySourceType = 'user' | 'group' | 'role' | 'aws-managed' | 'user-managed' | 'none';

export interface SourcePolicy {
  id: string; // inline policy name or managed policy name, reported as SourcePolicyId
  type: PolicySourceType;
  document: PolicyDocument;
}

export interface SimulationSource {
  arn: string;
  policies: SourcePolicy[];
  /** The user's or role's permissions boundary (groups have none). */
  boundary?: SourcePolicy;
  /** Keys AWS knows about the principal itself; ContextEntries may override them. */
  principalKeys: Record<string, string>;
}

const inline = (policies: InlinePolicySpec[] | undefined, type: PolicySourceType): SourcePolicy[] =>
  (policies ?? []).map((p) => ({ id: p.name, type, document: p.document }));

function managed(store: Store, arns: string[] | undefined): SourcePolicy[] {
  return (arns ?? []).flatMap((arn) => {
    const policy = store.findManagedPolicy(arn);
    if (!policy) return [];
    const type: PolicySourceType = arn.startsWith('arn:aws:iam::aws:') ? 'aws-managed' : 'user-managed';
    return [{ id: splitPolicyArn(arn).name, type, document: policy.document }];
  });
}

/** The boundary as a source policy; one naming a policy that is gone allows nothing (fail closed). */
function boundaryOf(store: Store, arn: string): SourcePolicy {
  return (
    managed(store, [arn])[0] ?? {
      id: splitPolicyArn(arn).name,
      type: 'user-managed',
      document: { Version: '2012-10-17', Statement: [] },
    }
  );
}

const SOURCE_ARN = /^arn:aws:iam::(\d{12}):(user|group|role)(\/(?:[\u0021-\u007E]*\/)?)([\w+=,.@-]+)$/;

/**
 * The principal named by PolicySourceArn (a user, group or role of the caller's account) with
 * every identity policy that applies to it, each tagged with where it comes from.
 */
export function resolveSimulationSource(store: Store, account: string, arn: string): SimulationSource {
  const match = SOURCE_ARN.exec(arn);
  if (!match) throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`);
  const [, arnAccount, kind, , name] = match as unknown as [string, string, 'user' | 'group' | 'role', string, string];
  const sameAccount = arnAccount === account;
  if (kind === 'user') {
    const user = sameAccount ? store.findUser(account, name) : undefined;
    if (!user || userArn(user) !== arn) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    const groups = (user.groups ?? []).flatMap((g) => {
      const group = store.findGroup(account, g);
      return group ? [...inline(group.inlinePolicies, 'group'), ...managed(store, group.attachedPolicies)] : [];
    });
    const boundary = user.permissionsBoundary === undefined ? undefined : boundaryOf(store, user.permissionsBoundary);
    return {
      arn,
      policies: [...inline(user.inlinePolicies, 'user'), ...managed(store, user.attachedPolicies), ...groups],
      ...(boundary ? { boundary } : {}),
      principalKeys: {
        'aws:username': user.name,
        'aws:userid': userId(user),
        'aws:PrincipalArn': arn,
        'aws:PrincipalAccount': account,
        'aws:PrincipalType': 'User',
      },
    };
  }
  if (kind === 'group') {
    const group = sameAccount ? store.findGroup(account, name) : undefined;
    if (!group || groupArn(group) !== arn) throw noSuchEntity(`The group with name ${name} cannot be found.`);
    return {
      arn,
      policies: [...inline(group.inlinePolicies, 'group'), ...managed(store, group.attachedPolicies)],
      principalKeys: { 'aws:PrincipalAccount': account },
    };
  }
  const role = sameAccount ? store.findRole(account, name) : undefined;
  if (!role || roleArn(role) !== arn) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  const boundary = role.permissionsBoundary === undefined ? undefined : boundaryOf(store, role.permissionsBoundary);
  return {
    arn,
    policies: [...inline(role.inlinePolicies, 'role'), ...managed(store, role.attachedPolicies)],
    ...(boundary ? { boundary } : {}),
    principalKeys: {
      'aws:userid': roleId(role),
      'aws:PrincipalArn': arn,
      'aws:PrincipalAccount': account,
      'aws:PrincipalType': 'AssumedRole',
    },
  };
}
