/** Codes are typed or pasted as "123456", "123 456" or "123-456"; AWS wants the six digits. */
export const normalizeMfaCode = (raw: string): string => raw.replace(/[\s-]+/g, '');

/** null when the code looks like a 6-digit TOTP code, else what to fix. */
export function mfaCodeProblem(raw: string): string | null {
  const code = normalizeMfaCode(raw);
  if (code.length === 0) return 'Enter the 6-digit code from your MFA device.';
  if (!/^\d{6}$/.test(code)) return 'An MFA code is 6 digits.';
  return null;
}
