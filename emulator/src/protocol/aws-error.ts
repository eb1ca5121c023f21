/** An error AWS would answer with: rendered as `<ErrorResponse>` with this HTTP status. */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly type: 'Sender' | 'Receiver';

  constructor(code: string, message: string, status = 400, type: 'Sender' | 'Receiver' = 'Sender') {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = status;
    this.type = type;
  }
}

export const validationError = (value: string, member: string, constraint: string): AwsError =>
  new AwsError(
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );

export const accessDenied = (message: string): AwsError => new AwsError('AccessDenied', message, 403);

/** `why`: AWS's clause naming the policy type that refused, e.g. "because no permissions boundary allows ...". */
export const notAuthorized = (callerArn: string, action: string, resource: string, why?: string): AwsError =>
  accessDenied(
    `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}${why ? ` ${why}` : ''}`,
  );

export const noSuchEntity = (message: string): AwsError => new AwsError('NoSuchEntity', message, 404);
