import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The test run's secrets ledger. When `PORTAL_TEST_RUN_DIR` names a folder (`npm test` sets it),
 * everything that mints or receives a secret during the tests (this emulator, the test harnesses)
 * appends the value here, and the run's last step (scripts/secrets-sweep.mjs) fails if any of
 * them appears in a log file of the same folder. Without the variable nothing is written: the
 * emulator run by hand or by the demo keeps no ledger.
 */
export const TEST_RUN_DIR_VARIABLE = 'PORTAL_TEST_RUN_DIR';

/** What a ledger value is; the sweep names the kind (never the value) of a leaked secret. */
export type SecretKind =
  | 'aws_secret_access_key'
  | 'aws_session_token'
  | 'mfa_seed'
  | 'mfa_code'
  | 'master_key'
  | 'cli_token'
  | 'setup_token'
  | 'web_session'
  | 'csrf_token'
  | 'console_signin_token'
  /** Collected by a test that did not say what it is (the resilience suite's own lists). */
  | 'other_secret';

export interface SecretLedger {
  record(kind: SecretKind, value: string | null | undefined): void;
}

/** The run folder's logs/ subfolder, where the test harnesses write the log lines they see. */
export function testRunLogFile(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = env[TEST_RUN_DIR_VARIABLE];
  if (!dir) return null;
  const logs = path.join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  return path.join(logs, `${name.replace(/[^\w.-]+/g, '-')}-${process.pid}-${++logFiles}.log`);
}
let logFiles = 0;

const ledgers = new Map<string, SecretLedger>();

/** The ledger of the run folder named in the environment, or null outside `npm test`. */
export function secretLedgerFromEnv(env: NodeJS.ProcessEnv = process.env): SecretLedger | null {
  const dir = env[TEST_RUN_DIR_VARIABLE];
  if (!dir) return null;
  let ledger = ledgers.get(dir);
  if (!ledger) {
    // One file per process: appends of whole lines from one process never interleave.
    const file = path.join(dir, 'ledger', `secrets-${process.pid}.jsonl`);
    mkdirSync(path.dirname(file), { recursive: true });
    const seen = new Set<string>();
    ledger = {
      record(kind, value) {
        if (!value || seen.has(value)) return;
        seen.add(value);
        appendFileSync(file, `${JSON.stringify({ kind, value })}\n`);
      },
    };
    ledgers.set(dir, ledger);
  }
  return ledger;
}

/** The same ledger for code that may run with or without one. */
export const NO_LEDGER: SecretLedger = { record() {} };
