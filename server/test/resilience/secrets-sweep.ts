import { expect } from 'vitest';
import { secretLedgerFromEnv } from '../../../emulator/src/secret-ledger.ts';

/**
 * No secret the suite created (key secrets, session tokens, MFA codes, cookies, CSRF, CLI and
 * setup tokens, the master key) may appear in any log line. MFA codes are six digits, so they
 * are looked for as whole words next to a code-ish field name only; everything else anywhere.
 */
export function expectNoSecretsIn(logText: string, secrets: string[]): void {
  // The whole run's sweep looks for them too, in every log (scripts/secrets-sweep.mjs). This
  // list does not say what each one is (the harness hooks file most of them by kind first).
  const ledger = secretLedgerFromEnv();
  for (const secret of secrets) ledger?.record(/^\d{6}$/.test(secret) ? 'mfa_code' : 'other_secret', secret);
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
