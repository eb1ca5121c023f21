#!/usr/bin/env node
// `npm test`: every tier, in order: unit, integration (SQLite, and PostgreSQL when
// TEST_POSTGRES_URL is set), build, resilience (scale-out, faults, fuzzing), the browser tier,
// then the secrets sweep. Each runner prints its own summary; this script adds one closing line
// with the totals and fails if any tier fails or runs nothing.
//
// Every tier runs with PORTAL_TEST_RUN_DIR naming .tmp/test-run: the emulator and the test
// harnesses file the secrets they mint or see in its ledger/ and write the portals' debug log
// lines to its logs/; each tier's own output is kept in its tiers/. The sweep then looks for
// every ledger value in all of them and in the reports and Playwright output.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const reports = path.resolve('.tmp/test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const runDir = path.resolve('.tmp/test-run');
rmSync(runDir, { recursive: true, force: true });
mkdirSync(path.join(runDir, 'tiers'), { recursive: true });
const playwrightOutput = path.resolve('test-results');

const tiers = [
  {
    name: 'unit',
    cmd: [
      'npx',
      'vitest',
      'run',
      '--project',
      'unit',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reports}/unit.json`,
    ],
    report: 'unit.json',
    kind: 'vitest',
  },
  {
    name: 'integration',
    cmd: [
      'npx',
      'vitest',
      'run',
      '--project',
      'integration',
      // Two files at a time: many of them wait on child processes (the AWS CLI, boto3, the emulator).
      '--maxWorkers=2',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reports}/integration.json`,
    ],
    report: 'integration.json',
    kind: 'vitest',
  },
  { name: 'build', cmd: ['npm', 'run', '-s', 'build'] },
  {
    // Scale-out (two built instances behind HAProxy on a PostgreSQL of its own), AWS and database
    // faults, OpenAPI fuzzing and the secrets sweep; needs the build, haproxy, openssl, PostgreSQL.
    name: 'resilience',
    cmd: [
      'npx',
      'vitest',
      'run',
      '--project',
      'resilience',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reports}/resilience.json`,
    ],
    report: 'resilience.json',
    kind: 'vitest',
  },
  {
    name: 'e2e',
    cmd: ['npx', 'playwright', 'test', '--config', 'e2e/playwright.config.ts', '--reporter=list,json'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/e2e.json` },
    report: 'e2e.json',
    kind: 'playwright',
  },
  {
    // Last: every log line and report the tiers above produced, against the run's ledger.
    name: 'secrets',
    cmd: ['node', 'scripts/secrets-sweep.mjs', runDir, reports, playwrightOutput],
  },
];

const only = process.argv.slice(2);
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

if (!process.env.TEST_POSTGRES_URL) {
  console.log('note: TEST_POSTGRES_URL is not set, so the integration tier runs on SQLite only.');
}

for (const tier of tiers) {
  if (only.length > 0 && !only.includes(tier.name)) continue;
  console.log(`\n=== ${tier.name} ===`);
  const result = await runTier(tier);
  if (result.status !== 0) failures.push(`${tier.name} (exit ${result.status ?? result.signal})`);
  if (!tier.report) continue;
  const counts = readCounts(path.join(reports, tier.report), tier.kind);
  if (!counts) {
    failures.push(`${tier.name} (no report)`);
    continue;
  }
  if (counts.passed + counts.failed === 0) failures.push(`${tier.name} (ran no test)`);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
}

console.log('');
if (failures.length > 0) console.log(`failing tiers: ${failures.join(', ')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failures.length > 0 || totals.failed > 0 ? 1 : 0);

/** Runs a tier with its output shown and also kept in the run folder, for the sweep. */
function runTier(tier) {
  const log = createWriteStream(path.join(runDir, 'tiers', `${tier.name}.log`));
  const child = spawn(tier.cmd[0], tier.cmd.slice(1), {
    stdio: ['inherit', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORTAL_TEST_RUN_DIR: runDir,
      ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}),
      ...tier.env,
    },
  });
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    log.write(chunk);
  });
  child.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    log.write(chunk);
  });
  return new Promise((resolve) => {
    child.on('close', (status, signal) => log.end(() => resolve({ status, signal })));
  });
}

function readCounts(file, kind) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (kind === 'vitest') {
    return {
      passed: report.numPassedTests,
      failed: report.numFailedTests,
      skipped: report.numPendingTests + report.numTodoTests,
    };
  }
  const stats = report.stats ?? {};
  return {
    passed: stats.expected ?? 0,
    failed: (stats.unexpected ?? 0) + (stats.flaky ?? 0),
    skipped: stats.skipped ?? 0,
  };
}
