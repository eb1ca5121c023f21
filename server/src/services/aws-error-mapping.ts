import { AwsCallError } from '../aws/aws-errors.ts';
import { AppError, badRequest, conflict, forbidden, serviceUnavailable, unauthorized } from '../errors/app-error.ts';

export const invalidMfaCode = () =>
  unauthorized(
    'invalid_mfa_code',
    'That MFA code was not accepted. Wait for the next code from your device and try again.',
  );

/**
 * Turns a failed AWS call into the API error a person can act on. Raw AWS text stays in logs.
 * `roleArn` names the role in role_not_assumable messages.
 */
export function appErrorFromAws(error: unknown, roleAlias?: string): AppError {
  if (error instanceof AppError) return error;
  if (!(error instanceof AwsCallError)) {
    return serviceUnavailable('aws_unavailable', 'AWS could not be reached. Try again in a moment.', 5);
  }
  switch (error.kind) {
    case 'invalid_mfa_code':
    case 'mfa_device_mismatch':
      return invalidMfaCode();
    case 'access_denied':
      return forbidden(
        'role_not_assumable',
        roleAlias
          ? `AWS refused to let you assume "${roleAlias}". If the role requires a recent MFA sign-in, get credentials with a new code; otherwise ask an administrator to check the role's trust policy.`
          : 'AWS refused the request.',
      );
    case 'expired':
      return unauthorized('session_expired', 'Your MFA session has expired. Sign in again with a new code.');
    case 'invalid_key':
      return conflict(
        'not_enrolled',
        "The portal's access key for this user no longer works in AWS. Ask an administrator to enroll you again.",
      );
    case 'validation':
      return /duration/i.test(error.message)
        ? badRequest('invalid_duration', 'AWS does not allow that duration for this role. Choose a shorter one.')
        : badRequest('invalid_request', 'AWS rejected the request as invalid.');
    case 'throttled':
    case 'unavailable':
      return serviceUnavailable('aws_unavailable', 'AWS is not answering right now. Try again in a moment.', 5);
    default:
      return serviceUnavailable('aws_unavailable', 'AWS could not complete the request. Try again in a moment.', 5);
  }
}

/**
 * For calls the portal makes with its own AWS identity on an admin's behalf (reading roles,
 * creating MFA devices, enrolling): a refusal means the portal's IAM policy lacks a permission,
 * which only an operator can fix; everything else maps as for users.
 */
export function portalAwsError(error: unknown, operation: string): AppError {
  if (error instanceof AwsCallError && error.kind === 'access_denied') {
    return serviceUnavailable(
      'portal_not_permitted',
      `The portal's AWS identity may not ${operation}. An operator must add the permission to the portal's IAM policy.`,
    );
  }
  if (error instanceof AwsCallError && error.kind === 'not_found')
    return new AppError(404, 'not_found', 'AWS has no such entity.');
  return appErrorFromAws(error);
}

/** What an audit row records for a failure: AWS's failure kind when AWS refused, else the answer's code. */
export const auditErrorCode = (error: unknown, answer: AppError): string =>
  error instanceof AwsCallError ? error.kind : answer.code;
