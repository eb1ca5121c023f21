import { expect } from 'vitest';

/**
 * No secret the suite created (key secrets, session tokens, MFA codes, cookies, CSRF, CLI and
 * setup tokens, the master key) may appear in any log line. MFA codes are six digits, so they
 * are looked for as whole words next to a code-ish field name only; everything else anywhere.
 */
export function expectNoSecretsIn(logText: string, secrets: string[]): void {
  const leaks: string[] = [];
  for (const secret of new Set(secrets)) {
    if (!secret) continue;
    if (/^\d{6}$/.test(secret)) {
      if (new RegExp(`"(code|code1|code2|tokenCode)"\\s*:\\s*"?${secret}\\b`).test(logText)) leaks.push(secret);
      continue;
    }
    if (secret.length < 12) continue;
    if (logText.includes(secret)) leaks.push(`${secret.slice(0, 6)}… (${secret.length} chars)`);
    // A master key or token might be logged URL-encoded.
    else if (encodeURIComponent(secret) !== secret && logText.includes(encodeURIComponent(secret)))
      leaks.push(`${secret.slice(0, 6)}… (URL-encoded)`);
  }
  expect(leaks, 'secrets found in the logs').toEqual([]);
}
