import { UnsupportedPolicyError } from '../policy/errors.ts';
import { checkPolicy } from '../policy/statements.ts';
import { AwsError, validationError } from '../protocol/aws-error.ts';
import type { QueryParams } from '../protocol/query-params.ts';
import type { PolicyDocument } from '../state/state-file.ts';
import type { SourcePolicy } from './simulate-sources.ts';

/** `policyDocumentType` in the IAM API model: 1..131072 characters. */
const MAX_POLICY_LENGTH = 131_072;

/** `PolicyInputList.member.N` (or the boundary list): JSON documents, checked like IAM checks them. */
export function parsePolicyInputs(
  params: QueryParams,
  name: string,
  member: string,
  required: boolean,
): SourcePolicy[] {
  const texts = params.list(name);
  if (required && texts.length === 0) throw validationError('[]', member, 'Member must not be null');
  return texts.map((text, i) => {
    if (text.length < 1 || text.length > MAX_POLICY_LENGTH)
      throw validationError(
        text.slice(0, 32),
        `${member}.${i + 1}.member`,
        'Member must have length between 1 and 131072',
      );
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new AwsError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
    }
    try {
      checkPolicy(document, 'identity', `${name}.${i + 1}`);
    } catch (error) {
      if (error instanceof UnsupportedPolicyError) throw new AwsError('MalformedPolicyDocument', error.message);
      throw error;
    }
    // AWS names custom inputs by their place in the request.
    return { id: `${name}.${i + 1}`, type: 'none', document: document as PolicyDocument };
  });
}

/** `PermissionsBoundaryPolicyInputList` holds one boundary at most ("an IAM entity can only have one"). */
export function checkOneBoundary(boundaries: SourcePolicy[]): void {
  if (boundaries.length > 1)
    throw validationError(
      `${boundaries.length} policies`,
      'permissionsBoundaryPolicyInputList',
      'Member must have length less than or equal to 1',
    );
}
