import { expect } from 'vitest';
import { type SecretKind, secretLedgerFromEnv } from '../../../emulator/src/secret-ledger.ts';
import { findLeaks } from '../../../scripts/secrets-sweep.mjs';

/**
 * No secret the suite created (key secrets, session tokens, MFA codes, cookies, CSRF, CLI and
 * setup tokens, the master key) may appear in any log line: the whole run's matcher
 * (scripts/secrets-sweep.mjs), which names the kind of a leak and never its value.
 */
export function expectNoSecretsIn(logText: string, secrets: string[]): void {
  // This list does not say what each one is (the harness hooks file most of them by kind first).
  const entries = [...new Set(secrets)]
    .filter((value) => value !== '')
    .map((value) => ({ kind: (/^\d{6}$/.test(value) ? 'mfa_code' : 'other_secret') as SecretKind, value }));
  // The whole run's sweep looks for them too, in every log.
  const ledger = secretLedgerFromEnv();
  for (const { kind, value } of entries) ledger?.record(kind, value);
  expect(findLeaks(entries, [{ name: "this suite's logs", text: logText }]), 'secrets found in the logs').toEqual([]);
}
