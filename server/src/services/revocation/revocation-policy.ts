/**
 * The inline deny policies that revoke people's AWS sessions (IAM User Guide, "Disabling
 * permissions for temporary security credentials"). Pure: no I/O, no clock.
 *
 * - On a role: one statement per revocation time, denying everything to sessions whose
 *   `aws:SourceIdentity` is one of the people revoked then and whose `aws:TokenIssueTime` is
 *   before it. The portal sets SourceIdentity on every AssumeRole and AWS carries it through role
 *   chaining, so the deny follows a person, not a role.
 * - On an IAM user: one statement denying the user's sessions (GetSessionToken) issued before the
 *   time. Long-term keys carry no `aws:TokenIssueTime`, so the user can still sign in again.
 */

/** The name of the portal's inline policy on roles and users. */
export const REVOCATION_POLICY_NAME = 'AwsMfaPortalRevokedSessions';
/** IAM's quotas for all inline policies of one role / user (whitespace not counted). */
export const ROLE_INLINE_POLICY_LIMIT = 10_240;
export const USER_INLINE_POLICY_LIMIT = 2_048;

export interface RevocationEntry {
  sourceIdentity: string;
  /** Credentials issued before this instant are denied. Whole seconds (see `cutoffAt`). */
  revokedAt: Date;
}

/** `2026-12-02T06:00:01Z`: AWS's date format, whole seconds. */
export const awsTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The cut-off for a revocation requested at `now`: the next whole second after every issue time
 * the portal knows of for the person (AWS's clock may run ahead of the portal's), so that
 * `DateLessThan` catches credentials issued in the same second as the click.
 */
export function cutoffAt(now: Date, latestKnownIssue: Date | null): Date {
  const latest = Math.max(now.getTime(), latestKnownIssue?.getTime() ?? 0);
  return new Date((Math.floor(latest / 1000) + 1) * 1000);
}

/** The role policy holding every entry, or null when there is none (the policy is then deleted). */
export function rolePolicyDocument(entries: RevocationEntry[]): string | null {
  if (entries.length === 0) return null;
  const byTime = new Map<string, string[]>();
  for (const entry of [...entries].sort((a, b) => a.sourceIdentity.localeCompare(b.sourceIdentity, 'en'))) {
    const time = awsTime(entry.revokedAt);
    byTime.set(time, [...(byTime.get(time) ?? []), entry.sourceIdentity]);
  }
  const statements = [...byTime.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    // No Sid: every character counts against the role's 10,240.
    .map(([time, identities]) => ({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        // IAM user names are unique case-insensitively; so is the match on the person.
        StringEqualsIgnoreCase: { 'aws:SourceIdentity': identities.length === 1 ? identities[0] : identities },
        DateLessThan: { 'aws:TokenIssueTime': time },
      },
    }));
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The user policy for one person: their sessions issued before `revokedAt` are denied. */
export function userPolicyDocument(revokedAt: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RevokedBefore',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': awsTime(revokedAt) } },
      },
    ],
  });
}

/** The characters IAM counts against its inline policy quotas. */
export const countedSize = (document: string): number => document.replace(/\s/g, '').length;
