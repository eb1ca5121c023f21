import type { ApplyReport } from '../api/revocation-service.ts';
import { t } from '../i18n/i18n.ts';

/** What a revocation did, in words: never a partial success presented as a success. */
export function describeApplied(userName: string, applied: ApplyReport): string {
  const failed = applied.targets.filter((t) => t.status === 'failed');
  const roles = applied.targets.filter((t) => t.kind === 'role' && t.status !== 'failed').length;
  if (failed.length === 0) return t('revoke.done', { user: userName, roles });
  return t('revoke.partial', {
    failed: failed.length,
    total: applied.targets.length,
    user: userName,
    targets: failed.map((f) => `${f.arn} (${f.error ?? t('revoke.failed')})`).join(', '),
  });
}
