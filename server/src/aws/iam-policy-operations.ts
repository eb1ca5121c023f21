import {
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AwsCallError, classifyAwsError } from './aws-errors.ts';

/** Customer-managed policies: what "Require MFA for this user's keys" needs from IAM. */
export interface IamPolicyGateway {
  /** CreatePolicy; a name already taken fails with AwsCallError kind 'conflict'. */
  createPolicy(input: { name: string; path: string; document: object; description: string }): Promise<{ arn: string }>;
  /** The policy's default version's document, or null when there is no such policy. */
  getPolicyDocument(policyArn: string): Promise<object | null>;
  attachUserPolicy(userName: string, policyArn: string): Promise<void>;
  attachGroupPolicy(groupName: string, policyArn: string): Promise<void>;
}

async function guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyAwsError(error, operation);
  }
}

export function iamPolicyOperations(iam: IAMClient): IamPolicyGateway {
  return {
    createPolicy: (input) =>
      guard('CreatePolicy', async () => {
        const out = await iam.send(
          new CreatePolicyCommand({
            PolicyName: input.name,
            Path: input.path,
            PolicyDocument: JSON.stringify(input.document),
            Description: input.description,
          }),
        );
        if (!out.Policy?.Arn) throw new AwsCallError('unavailable', 'EmptyResponse', 'CreatePolicy', 'no policy ARN');
        return { arn: out.Policy.Arn };
      }),

    getPolicyDocument: async (policyArn) => {
      try {
        return await guard('GetPolicy', async () => {
          const policy = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }));
          const versionId = policy.Policy?.DefaultVersionId ?? 'v1';
          const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId }));
          // IAM answers the document URL-encoded.
          return JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? '')) as object;
        });
      } catch (error) {
        if (error instanceof AwsCallError && error.kind === 'not_found') return null;
        throw error;
      }
    },

    attachUserPolicy: (userName, policyArn) =>
      guard('AttachUserPolicy', async () => {
        await iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: policyArn }));
      }),

    attachGroupPolicy: (groupName, policyArn) =>
      guard('AttachGroupPolicy', async () => {
        await iam.send(new AttachGroupPolicyCommand({ GroupName: groupName, PolicyArn: policyArn }));
      }),
  };
}
