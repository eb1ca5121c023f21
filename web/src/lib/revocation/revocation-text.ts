import type { ApplyReport } from '../api/revocation-service.ts';

/** What a revocation did, in words: never a partial success presented as a success. */
export function describeApplied(userName: string, applied: ApplyReport): string {
  const failed = applied.targets.filter((t) => t.status === 'failed');
  const roles = applied.targets.filter((t) => t.kind === 'role' && t.status !== 'failed').length;
  if (failed.length === 0)
    return `Revoked the AWS sessions of ${userName} on ${roles} roles and their MFA sessions. Credentials issued from now on work.`;
  return `Not complete: ${failed.length} of ${applied.targets.length} roles and users still accept ${userName}'s old credentials: ${failed
    .map((t) => `${t.arn} (${t.error ?? 'failed'})`)
    .join(', ')}. Fix the cause, then revoke again.`;
}
