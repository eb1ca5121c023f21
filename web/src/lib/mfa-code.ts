import { t } from './i18n/i18n.ts';

/** Codes are typed or pasted as "123456", "123 456" or "123-456"; AWS wants the six digits. */
export const normalizeMfaCode = (raw: string): string => raw.replace(/[\s-]+/g, '');

/** null when the code looks like a 6-digit TOTP code, else what to fix. */
export function mfaCodeProblem(raw: string): string | null {
  const code = normalizeMfaCode(raw);
  if (code.length === 0) return t('mfa.missing');
  if (!/^\d{6}$/.test(code)) return t('mfa.notSixDigits');
  return null;
}
