/**
 * What went wrong in a call to AWS, in the portal's terms. The raw AWS message is kept for logs
 * only (it never carries secrets, but it is not written for the portal's users).
 */
export type AwsFailureKind =
  | 'invalid_mfa_code' // wrong or replayed code
  | 'mfa_device_mismatch' // the serial is not a device of the signing user
  | 'access_denied' // a policy (identity or trust) refused the call
  | 'expired' // the signing session has expired
  | 'invalid_key' // the stored key is unknown, inactive or its secret is wrong
  | 'throttled'
  | 'unavailable' // 5xx, network failure, timeout
  | 'validation' // AWS rejected a parameter (duration, names)
  | 'not_found'
  | 'limit_exceeded'
  | 'conflict';

export class AwsCallError extends Error {
  readonly kind: AwsFailureKind;
  readonly awsCode: string;
  readonly operation: string;

  constructor(kind: AwsFailureKind, awsCode: string, operation: string, awsMessage: string) {
    super(awsMessage);
    this.name = 'AwsCallError';
    this.kind = kind;
    this.awsCode = awsCode;
    this.operation = operation;
  }
}

interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** Maps an error thrown by the AWS SDK (after its own retries) to an AwsCallError. */
export function classifyAwsError(error: unknown, operation: string): AwsCallError {
  const e = (error ?? {}) as SdkErrorLike;
  const code = e.name ?? 'Unknown';
  const message = typeof e.message === 'string' ? e.message : '';
  const status = e.$metadata?.httpStatusCode;
  const make = (kind: AwsFailureKind) => new AwsCallError(kind, code, operation, message);

  if (code === 'AccessDenied' || code === 'AccessDeniedException') {
    if (message.includes('invalid MFA one time pass code')) return make('invalid_mfa_code');
    if (message.includes('MultiFactorAuthentication failed')) return make('mfa_device_mismatch');
    return make('access_denied');
  }
  // EnableMFADevice with codes that do not verify.
  if (code === 'InvalidAuthenticationCode' || code === 'InvalidAuthenticationCodeException')
    return make('invalid_mfa_code');
  if (code === 'ExpiredToken' || code === 'ExpiredTokenException') return make('expired');
  if (code === 'InvalidClientTokenId' || code === 'SignatureDoesNotMatch' || code === 'UnrecognizedClientException') {
    return make('invalid_key');
  }
  if (code === 'Throttling' || code === 'ThrottlingException' || code === 'RequestLimitExceeded' || status === 429) {
    return make('throttled');
  }
  if (code === 'ValidationError' || code === 'InvalidParameterValue' || code === 'MalformedPolicyDocument')
    return make('validation');
  if (code === 'NoSuchEntity' || code === 'NoSuchEntityException') return make('not_found');
  if (code === 'LimitExceeded' || code === 'LimitExceededException') return make('limit_exceeded');
  if (
    code === 'EntityAlreadyExists' ||
    code === 'EntityAlreadyExistsException' ||
    code === 'DeleteConflict' ||
    code === 'DeleteConflictException'
  ) {
    return make('conflict');
  }
  if (
    code === 'TimeoutError' ||
    code === 'AbortError' ||
    NETWORK_ERRORS.has(e.code ?? '') ||
    NETWORK_ERRORS.has(code)
  ) {
    return make('unavailable');
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return make('unavailable');
  if (status === undefined) return make('unavailable'); // no HTTP answer at all
  // A 2xx/3xx whose body the SDK could not read (cut off, not XML) is AWS misbehaving, not refusing.
  if (status < 400) return make('unavailable');
  return make('access_denied');
}
