import { badRequest } from '../../errors/app-error.ts';

/** AWS's floor for every STS session, and its cap for role sessions made from session credentials. */
export const MIN_DURATION_SECONDS = 900;
export const CHAINED_MAX_DURATION_SECONDS = 3600;

/**
 * The session length to ask AWS for: the requested one if the role allows it, else a clear 400.
 * `chained` means the call is signed with session credentials (an MFA session), which AWS caps
 * at one hour whatever the role allows.
 */
export function resolveDuration(roleMaxSeconds: number, requested: number | undefined, chained: boolean): number {
  const max = chained ? Math.min(CHAINED_MAX_DURATION_SECONDS, roleMaxSeconds) : roleMaxSeconds;
  if (requested === undefined) return Math.min(CHAINED_MAX_DURATION_SECONDS, max);
  if (!Number.isInteger(requested) || requested < MIN_DURATION_SECONDS || requested > max) {
    const hint =
      chained && requested > CHAINED_MAX_DURATION_SECONDS && roleMaxSeconds > CHAINED_MAX_DURATION_SECONDS
        ? ` Credentials from a signed-in session last at most 1 hour (AWS's role-chaining limit); get credentials with a new code for up to ${roleMaxSeconds} seconds.`
        : '';
    throw badRequest(
      'invalid_duration',
      `Choose a duration from ${MIN_DURATION_SECONDS} to ${max} seconds for this role.${hint}`,
    );
  }
  return requested;
}
