import { formatDuration } from '../time-format.ts';
import { ApiError } from './client.ts';

/**
 * Plain words for the errors a person meets while signing in or taking credentials. The server's
 * messages are already written to be acted on; a few cases get wording tuned for this screen.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong in the page. Reload it and try again.';
  switch (error.code) {
    case 'invalid_mfa_code':
      return 'AWS did not accept that code. Wait for the next code on your MFA device (a new one appears every 30 seconds), then try again.';
    case 'too_many_attempts':
      return error.retryAfterSeconds === undefined
        ? error.message
        : `Too many wrong codes. Sign-in is locked for ${formatDuration(error.retryAfterSeconds)}; try again after that.`;
    case 'aws_unavailable':
      return 'AWS could not be reached just now. Try again in a minute.';
    default:
      return error.message;
  }
}
