import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  IAMClient,
  type IAMClientConfig,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { AwsCallError, classifyAwsError } from './aws-errors.ts';
import { temporaryCredentials } from './aws-responses.ts';

/**
 * Where an inline policy is written: the portal's own account (its identity), or another account
 * through a role there that the portal's identity may assume (`viaRoleArn`).
 */
export interface PolicyTarget {
  viaRoleArn?: string | undefined;
}

/** The IAM calls that revocation makes: inline deny policies on roles and users. */
export interface InlinePolicyCalls {
  /** PutRolePolicy (creates or replaces). */
  putRolePolicy(target: PolicyTarget, roleName: string, policyName: string, document: string): Promise<void>;
  /** DeleteRolePolicy; false when there was no such policy (already gone). */
  deleteRolePolicy(target: PolicyTarget, roleName: string, policyName: string): Promise<boolean>;
  putUserPolicy(userName: string, policyName: string, document: string): Promise<void>;
  deleteUserPolicy(userName: string, policyName: string): Promise<boolean>;
}

export interface InlinePolicyClients {
  /** IAM signed by the portal's identity. */
  iam: IAMClient;
  /** STS signed by the portal's identity (to assume the revocation role of another account). */
  portalSts: STSClient;
  iamConfig: IAMClientConfig;
}

export function createInlinePolicyCalls({ iam, portalSts, iamConfig }: InlinePolicyClients): InlinePolicyCalls {
  /** IAM for a target: the portal's client, or one signed with a fresh session of the target's role. */
  async function withIam<T>(target: PolicyTarget, operation: string, call: (client: IAMClient) => Promise<T>) {
    if (!target.viaRoleArn) return guard(operation, () => call(iam));
    const viaRoleArn = target.viaRoleArn;
    const credentials = await guard('AssumeRole', async () => {
      const out = await portalSts.send(
        new AssumeRoleCommand({
          RoleArn: viaRoleArn,
          RoleSessionName: 'aws-mfa-portal-revocation',
          DurationSeconds: 900,
        }),
      );
      return temporaryCredentials(out.Credentials, 'AssumeRole');
    });
    const client = new IAMClient({
      ...iamConfig,
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
      },
    });
    try {
      return await guard(operation, () => call(client));
    } finally {
      client.destroy();
    }
  }

  const goneIsFine = async (call: () => Promise<void>): Promise<boolean> => {
    try {
      await call();
      return true;
    } catch (error) {
      if (error instanceof AwsCallError && error.kind === 'not_found') return false;
      throw error;
    }
  };

  return {
    putRolePolicy: (target, roleName, policyName, document) =>
      withIam(target, 'PutRolePolicy', async (client) => {
        await client.send(
          new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: document }),
        );
      }),
    deleteRolePolicy: (target, roleName, policyName) =>
      goneIsFine(() =>
        withIam(target, 'DeleteRolePolicy', async (client) => {
          await client.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
        }),
      ),
    putUserPolicy: (userName, policyName, document) =>
      guard('PutUserPolicy', async () => {
        await iam.send(
          new PutUserPolicyCommand({ UserName: userName, PolicyName: policyName, PolicyDocument: document }),
        );
      }),
    deleteUserPolicy: (userName, policyName) =>
      goneIsFine(() =>
        guard('DeleteUserPolicy', async () => {
          await iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: policyName }));
        }),
      ),
  };
}

async function guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyAwsError(error, operation);
  }
}
