import { hasMessage, t } from '../i18n/i18n.ts';
import { formatDuration } from '../time-format.ts';
import { ApiError } from './client.ts';

/**
 * Plain words for an API error, in the UI's language. The server's messages (English, written to
 * be acted on) are shown as they are unless the catalogues know the code (`errors.<code>`).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.page_error');
  if (error.code === 'too_many_attempts' && error.retryAfterSeconds !== undefined)
    return t('errors.too_many_attempts_for', { duration: formatDuration(error.retryAfterSeconds) });
  const key = `errors.${error.code}`;
  return hasMessage(key) ? t(key) : error.message;
}
