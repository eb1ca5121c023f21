/**
 * The RoleSessionName the portal sends with AssumeRole, so CloudTrail's
 * `arn:aws:sts::<acct>:assumed-role/<Role>/<session>` names the person who asked.
 *
 * Rule (documented in the README): the IAM user name, with every character outside AWS's
 * allowed set `[\w+=,.@-]` replaced by `-`, cut to 64 characters, and padded with `-` to AWS's
 * minimum of 2. IAM user names already use only that set, so in practice the session name is
 * exactly the user name.
 */
const DISALLOWED = /[^\w+=,.@-]/g;
const MIN_LENGTH = 2;
const MAX_LENGTH = 64;

export function roleSessionNameFor(userName: string): string {
  const cleaned = userName.replace(DISALLOWED, '-').slice(0, MAX_LENGTH);
  return cleaned.padEnd(MIN_LENGTH, '-');
}

export const ROLE_SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
