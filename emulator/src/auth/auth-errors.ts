import { AwsError } from '../protocol/aws-error.ts';

export const invalidClientTokenId = (): AwsError =>
  new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);

export const expiredToken = (): AwsError =>
  new AwsError('ExpiredToken', 'The security token included in the request is expired', 403);
