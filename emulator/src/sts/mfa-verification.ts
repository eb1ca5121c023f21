import { accessDenied } from '../protocol/aws-error.ts';
import type { OperationContext } from '../protocol/operation.ts';
import { verifyAndConsumeCode } from '../totp.ts';

// AWS's wording, including the double space and the trailing space.
export const MFA_DEVICE_NOT_ASSOCIATED =
  'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';
export const MFA_CODE_INVALID = 'MultiFactorAuthentication failed with invalid MFA one time pass code. ';

/**
 * Checks a TOTP code against an MFA device of the IAM user who signed the request (never anyone
 * else's: that is what makes a stolen serial useless) and consumes it. Returns the time of the
 * MFA authentication, which sessions carry for aws:MultiFactorAuthAge.
 */
export function verifyCallerMfa(ctx: OperationContext, serialNumber: string, tokenCode: string): Date {
  const { caller, store } = ctx;
  // Role sessions have no devices of their own.
  const user = caller.kind === 'role-session' ? undefined : store.findUser(caller.account, caller.userName);
  const device = user?.mfaDevices?.find((d) => d.serial === serialNumber);
  if (!device) throw accessDenied(MFA_DEVICE_NOT_ASSOCIATED);
  // STS accepts only TOTP codes: a FIDO security key protects console sign-in only (AWS's exact
  // answer for a FIDO serial is unconfirmed; it is refused like a wrong code).
  if (device.type === 'fido') throw accessDenied(MFA_CODE_INVALID);
  if (!verifyAndConsumeCode(store.lastAcceptedStep, device.serial, device.seed, tokenCode, ctx.now)) {
    throw accessDenied(MFA_CODE_INVALID);
  }
  return ctx.now;
}
