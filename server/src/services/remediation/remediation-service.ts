import { AwsCallError } from '../../aws/aws-errors.ts';
import type { AwsGateway } from '../../aws/aws-gateway.ts';
import { badRequest, conflict, notFound } from '../../errors/app-error.ts';
import type { PrismaClient } from '../../generated/prisma-sqlite/client.ts';
import { AuditAction, type RequestOrigin } from '../audit/audit-events.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { auditedTransaction } from '../audit/audited-transaction.ts';
import { portalAwsError } from '../aws-error-mapping.ts';
import type { CisService } from '../cis/cis-service.ts';
import type { ComplianceRepository } from '../compliance/compliance-repository.ts';
import { REPRESENTATIVE_ACTIONS } from '../compliance/compliance-scanner.ts';
import type { KeysWorkWithoutMfa } from '../compliance/compliance-types.ts';
import {
  FORCE_MFA_POLICY_DESCRIPTION,
  FORCE_MFA_POLICY_NAME,
  FORCE_MFA_POLICY_PATH,
  forceMfaPolicyArn,
  forceMfaPolicyDocument,
  sameDocument,
} from './force-mfa-policy.ts';

export interface RemediationServiceDeps {
  prisma: PrismaClient;
  aws: Pick<
    AwsGateway,
    | 'portalCallerIdentity'
    | 'createPolicy'
    | 'getPolicyDocument'
    | 'attachUserPolicy'
    | 'attachGroupPolicy'
    | 'listGroupsForUser'
    | 'simulatePrincipalPolicy'
  >;
  compliance: Pick<ComplianceRepository, 'latest' | 'findUser' | 'updateUser' | 'summarize' | 'setSummary'>;
  cis: Pick<CisService, 'resolved'>;
  audit: Pick<AuditService, 'append'>;
}

export type RequireMfaTarget = { kind: 'user' } | { kind: 'group'; groupName: string };

export interface RequireMfaResult {
  userName: string;
  policyArn: string;
  attachedTo: string;
  /** The immediate re-check (SimulatePrincipalPolicy with aws:MultiFactorAuthPresent=false). */
  keysWorkWithoutMfa: KeysWorkWithoutMfa;
}

/**
 * "Require MFA for this user's keys": creates the portal's force-MFA policy once (or checks that
 * the one in IAM is still the portal's document), attaches it to the user or one of their
 * groups, re-checks the user at once and records the answer in the latest snapshot.
 */
export function createRemediationService(deps: RemediationServiceDeps) {
  const { prisma, aws, compliance, cis, audit } = deps;

  async function portalIdentity(): Promise<{ account: string; userName: string | null }> {
    const identity = await aws.portalCallerIdentity().catch((e: unknown) => {
      throw portalAwsError(e, 'read its own identity');
    });
    const user = /^arn:aws[\w-]*:iam::\d{12}:user\/(?:.*\/)?([\w+=,.@-]+)$/.exec(identity.arn);
    return { account: identity.account, userName: user ? user[1]! : null };
  }

  const policyArn = async (): Promise<string> => forceMfaPolicyArn((await portalIdentity()).account);

  /**
   * The portal signs its own calls with long-term keys: forcing MFA on its identity (directly or
   * through a group it is in) would lock the portal out of IAM. Exempt it instead.
   */
  async function refuseForPortal(userName: string, target: RequireMfaTarget): Promise<void> {
    const portal = (await portalIdentity()).userName;
    if (!portal) return;
    const refuse = () =>
      conflict(
        'portal_identity',
        "That would make the portal's own AWS identity need MFA and lock the portal out. Mark it exempt instead.",
      );
    if (target.kind === 'user' && portal.toLowerCase() === userName.toLowerCase()) throw refuse();
    if (target.kind === 'group') {
      const groups = await aws.listGroupsForUser(portal).catch((e: unknown) => {
        throw portalAwsError(e, 'list its own groups (iam:ListGroupsForUser)');
      });
      if (groups.some((g) => g.toLowerCase() === target.groupName.toLowerCase())) throw refuse();
    }
  }

  /** The policy's ARN, creating it when IAM has none; refuses a policy someone has changed. */
  async function ensurePolicy(arn: string): Promise<string> {
    const wanted = forceMfaPolicyDocument();
    const read = () =>
      aws.getPolicyDocument(arn).catch((e: unknown) => {
        throw portalAwsError(e, 'read its force-MFA policy (iam:GetPolicy, iam:GetPolicyVersion)');
      });
    let existing = await read();
    if (existing === null) {
      try {
        await aws.createPolicy({
          name: FORCE_MFA_POLICY_NAME,
          path: FORCE_MFA_POLICY_PATH,
          document: wanted,
          description: FORCE_MFA_POLICY_DESCRIPTION,
        });
        return arn;
      } catch (error) {
        // Another admin (or instance) created it a moment ago: use theirs if it is the same.
        if (!(error instanceof AwsCallError && error.kind === 'conflict'))
          throw portalAwsError(error, 'create its force-MFA policy (iam:CreatePolicy)');
        existing = await read();
      }
    }
    if (existing === null || !sameDocument(existing, wanted))
      throw conflict(
        'policy_changed',
        `The policy ${arn} in IAM is not the portal's force-MFA document (someone changed it). Restore or delete it, then try again.`,
      );
    return arn;
  }

  async function recheck(userArn: string): Promise<KeysWorkWithoutMfa> {
    try {
      const results = await aws.simulatePrincipalPolicy(userArn, REPRESENTATIVE_ACTIONS, {
        'aws:MultiFactorAuthPresent': 'false',
      });
      if (results.length === 0) return 'unknown';
      return results.some((r) => r.decision === 'allowed') ? 'yes' : 'no';
    } catch {
      return 'unknown';
    }
  }

  return {
    /** What an admin reviews before applying: the document, its ARN and name. */
    async policy(): Promise<{ policyArn: string; policyName: string; path: string; document: object }> {
      return {
        policyArn: await policyArn(),
        policyName: FORCE_MFA_POLICY_NAME,
        path: FORCE_MFA_POLICY_PATH,
        document: forceMfaPolicyDocument(),
      };
    },

    async requireMfa(
      userName: string,
      target: RequireMfaTarget,
      by: { actor: string; origin?: RequestOrigin },
    ): Promise<RequireMfaResult> {
      const scan = await compliance.latest(prisma, 'complete');
      const row = scan ? await compliance.findUser(prisma, scan.id, userName) : null;
      if (!scan || !row) throw notFound('unknown_user', `${userName} is not in the latest compliance scan.`);
      if (target.kind === 'group') {
        const groups = await aws.listGroupsForUser(row.userName).catch((e: unknown) => {
          throw portalAwsError(e, "list the user's groups (iam:ListGroupsForUser)");
        });
        if (!groups.some((g) => g.toLowerCase() === target.groupName.toLowerCase()))
          throw badRequest('not_a_member', `${row.userName} is not a member of the group ${target.groupName}.`);
      }
      await refuseForPortal(row.userName, target);
      const arn = await ensurePolicy(await policyArn());
      const attachedTo = target.kind === 'user' ? `user:${row.userName}` : `group:${target.groupName}`;
      try {
        if (target.kind === 'user') await aws.attachUserPolicy(row.userName, arn);
        else await aws.attachGroupPolicy(target.groupName, arn);
      } catch (error) {
        await auditedTransaction(prisma, (tx) =>
          audit.append(
            {
              actor: by.actor,
              action: AuditAction.RequireMfa,
              outcome: 'failure',
              errorCode: error instanceof AwsCallError ? error.kind : 'aws_error',
              ...by.origin,
              metadata: { userName: row.userName, policyArn: arn, attachedTo },
            },
            tx,
          ),
        );
        if (error instanceof AwsCallError && error.kind === 'limit_exceeded')
          throw conflict(
            'too_many_policies',
            `IAM allows no more managed policies on ${attachedTo.replace(':', ' ')}. Detach one, or attach the policy to a group.`,
          );
        throw portalAwsError(error, 'attach policies (iam:AttachUserPolicy, iam:AttachGroupPolicy)');
      }
      const keysWorkWithoutMfa = await recheck(row.userArn);
      await auditedTransaction(prisma, async (tx) => {
        await compliance.updateUser(tx, row.id, { keysWorkWithoutMfa });
        await compliance.setSummary(
          tx,
          scan.id,
          await compliance.summarize(tx, scan.id, scan.summary?.rootMfa ?? null),
        );
        await audit.append(
          {
            actor: by.actor,
            action: AuditAction.RequireMfa,
            outcome: 'success',
            ...by.origin,
            metadata: { userName: row.userName, policyArn: arn, attachedTo, keysWorkWithoutMfa },
          },
          tx,
        );
      });
      if (keysWorkWithoutMfa === 'no') await cis.resolved('keys_work_without_mfa', row.userName);
      return { userName: row.userName, policyArn: arn, attachedTo, keysWorkWithoutMfa };
    },
  };
}

export type RemediationService = ReturnType<typeof createRemediationService>;
