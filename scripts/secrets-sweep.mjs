#!/usr/bin/env node
// The last tier of `npm test`: no secret the suite created may appear in any log line it produced.
// Reads the run folder's ledger (values filed by the emulator and the test harnesses, see
// emulator/src/secret-ledger.ts) and every log and report file it is given, and fails naming the
// file and the kind of secret, never the secret itself. It also fails when it has nothing to
// compare (no log line or no ledger entry), so that it cannot pass by seeing nothing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Long secrets are found by their first characters, then compared whole. */
const PREFIX_LENGTH = 12;
/** Characters a ledger value or its URL-encoded form can contain. */
const SECRET_RUN = /[A-Za-z0-9+/=_.~%-]{12,}/g;
/**
 * Six-digit MFA codes would match any number, so they count only where a code is written: a JSON
 * field named like one, or a TokenCode / code query parameter.
 */
const CODE_IN_CONTEXT = /(?:"(?:code|code1|code2|tokenCode|TokenCode)"\s*:\s*"?|\bTokenCode=|[?&]code=)(\d{6})(?!\d)/g;
const TEXT_FILE = /\.(log|txt|json|jsonl|md|html|xml|out)$/i;
const LARGEST_FILE_BYTES = 200 * 1024 * 1024;

/**
 * @param {Array<{ kind: string, value: string }>} ledger
 * @param {Array<{ name: string, text: string }>} logs
 * @returns {Array<{ file: string, kind: string, count: number }>} every (file, kind) with a leak
 */
export function findLeaks(ledger, logs) {
  const codes = new Map();
  const byPrefix = new Map();
  for (const { kind, value } of ledger) {
    if (typeof value !== 'string') continue;
    if (kind === 'mfa_code') {
      if (/^\d{6}$/.test(value)) codes.set(value, kind);
      continue;
    }
    if (value.length < PREFIX_LENGTH) continue;
    for (const needle of new Set([value, encodeURIComponent(value)])) {
      const prefix = needle.slice(0, PREFIX_LENGTH);
      const list = byPrefix.get(prefix) ?? [];
      list.push({ needle, kind });
      byPrefix.set(prefix, list);
    }
  }
  const leaks = [];
  for (const { name, text } of logs) {
    const counts = new Map();
    const found = (kind) => counts.set(kind, (counts.get(kind) ?? 0) + 1);
    for (const run of text.matchAll(SECRET_RUN)) {
      const word = run[0];
      for (let i = 0; i + PREFIX_LENGTH <= word.length; i++) {
        const candidates = byPrefix.get(word.slice(i, i + PREFIX_LENGTH));
        if (!candidates) continue;
        for (const { needle, kind } of candidates) if (word.startsWith(needle, i)) found(kind);
      }
    }
    for (const match of text.matchAll(CODE_IN_CONTEXT)) {
      const kind = codes.get(match[1]);
      if (kind) found(kind);
    }
    for (const [kind, count] of counts) leaks.push({ file: name, kind, count });
  }
  return leaks;
}

/** Every ledger entry under `<runDir>/ledger`. */
export function readLedger(runDir) {
  const entries = [];
  for (const file of filesUnder(path.join(runDir, 'ledger'))) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        entries.push(JSON.parse(line));
      } catch {
        // a line cut short by a killed process
      }
    }
  }
  return entries;
}

/** Text files under the given folders (or the files themselves), skipping the ledger. */
export function logFilesIn(places, ledgerDir) {
  const files = [];
  for (const place of places) {
    for (const file of filesUnder(place)) {
      if (ledgerDir && file.startsWith(ledgerDir + path.sep)) continue;
      if (TEXT_FILE.test(file) && statSync(file).size <= LARGEST_FILE_BYTES) files.push(file);
    }
  }
  return files;
}

function filesUnder(place) {
  let stat;
  try {
    stat = statSync(place);
  } catch {
    return [];
  }
  if (stat.isFile()) return [place];
  if (!stat.isDirectory()) return [];
  return readdirSync(place, { withFileTypes: true }).flatMap((entry) => filesUnder(path.join(place, entry.name)));
}

/**
 * Sweeps `runDir` (its logs and ledger) and the extra places; returns the exit code and prints
 * one summary line, or one line per leak.
 */
export function sweep(runDir, extraPlaces = [], print = console.log) {
  const started = Date.now();
  const ledgerDir = path.join(runDir, 'ledger');
  const ledger = readLedger(runDir);
  const files = logFilesIn([runDir, ...extraPlaces], ledgerDir);
  let bytes = 0;
  let lines = 0;
  const logs = files.map((file) => {
    const text = readFileSync(file, 'utf8');
    bytes += text.length;
    lines += text.split('\n').length - 1;
    return { name: path.relative(process.cwd(), file), text };
  });
  if (lines === 0 || ledger.length === 0) {
    print(
      `secrets sweep: nothing to compare (${files.length} log files with ${lines} lines, ${ledger.length} ledger ` +
        `entries in ${runDir}); was the suite run with PORTAL_TEST_RUN_DIR set (npm test)?`,
    );
    return 1;
  }
  const leaks = findLeaks(ledger, logs);
  const kinds = new Map();
  for (const { kind } of ledger) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  const kindList = [...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ');
  const what = `${files.length} files (${lines} lines, ${(bytes / 1e6).toFixed(1)} MB) against ${ledger.length} secrets (${kindList})`;
  for (const leak of leaks) print(`secrets sweep: ${leak.file} contains ${leak.count} × ${leak.kind}`);
  print(
    leaks.length > 0
      ? `secrets sweep FAILED: ${leaks.length} leak(s) in ${what}`
      : `secrets sweep: no secret in ${what}, ${Date.now() - started} ms`,
  );
  return leaks.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [runDir, ...extra] = process.argv.slice(2);
  if (!runDir) {
    console.error('usage: node scripts/secrets-sweep.mjs <run folder> [more log folders or files...]');
    process.exit(2);
  }
  process.exit(
    sweep(
      path.resolve(runDir),
      extra.map((p) => path.resolve(p)),
    ),
  );
}
