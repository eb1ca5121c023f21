import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { codeAtStep, timeStepAt } from '../emulator/src/totp.ts';
import { buildApp } from '../server/src/app.ts';
import { type AwsGateway, createAwsGateway } from '../server/src/aws/aws-gateway.ts';
import { loadConfig } from '../server/src/config/config.ts';
import { openDatabase } from '../server/src/db/database.ts';
import { applyMigrations } from '../server/src/db/migrator.ts';
import { generateMasterKey } from '../server/src/services/custody/secret-box.ts';
import { ADMIN_SEED, ADMIN_USER, BENCH_ACCOUNT, generateOrganisation } from './generate-organisation.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** SQLite (the default) records to compliance-scan.json; another database to compliance-scan.<provider>.json. */
const resultsFile = (provider: string) =>
  path.join(ROOT, `bench/results/compliance-scan${provider === 'sqlite' ? '' : `.${provider}`}.json`);

/** Starts the emulator in its own process, as AWS would be: the portal's timings then include the wire. */
async function startEmulatorProcess(statePath: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'emulator/src/cli.ts'), '--port', '0', '--state', statePath],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before listening`)));
  });
  return { url, child };
}

/** Counts calls per gateway method, to report how many AWS calls a scan makes. */
function counting(aws: AwsGateway): { aws: AwsGateway; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const wrapped = new Proxy(aws, {
    get(target, property: string) {
      const value = target[property as keyof AwsGateway];
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[property] = (calls[property] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { aws: wrapped, calls };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (ms: number) => Math.round(ms * 100) / 100;

async function timeRequests(send: () => Promise<{ statusCode: number }>, count: number) {
  for (let i = 0; i < 10; i++) await send(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await send();
    times.push(performance.now() - started);
    if (response.statusCode !== 200) throw new Error(`dashboard answered ${response.statusCode}`);
  }
  times.sort((a, b) => a - b);
  return {
    requests: count,
    p50Ms: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    p99Ms: round(percentile(times, 99)),
    maxMs: round(times[times.length - 1]!),
  };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '10000' },
      requests: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '8' },
      database: { type: 'string' },
    },
  });
  const userCount = Number(values.users);
  const requests = Number(values.requests);
  const work = await mkdtemp(path.join(os.tmpdir(), 'portal-bench-'));
  const databaseUrl = values.database ?? process.env.BENCH_DATABASE_URL ?? `file:${path.join(work, 'bench.db')}`;
  const { state, expected } = generateOrganisation(userCount);
  const statePath = path.join(work, 'state.json');
  await writeFile(statePath, JSON.stringify(state));
  const emulator = await startEmulatorProcess(statePath);
  console.log(
    `emulator with ${userCount} generated users at ${emulator.url}; database ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`,
  );

  const portalKey = state.users.find((u) => u.name === 'portal' && u.account === BENCH_ACCOUNT)!.accessKeys![0]!;
  const { aws, calls } = counting(
    createAwsGateway({
      region: 'us-east-1',
      stsEndpoint: emulator.url,
      iamEndpoint: emulator.url,
      portalCredentials: { accessKeyId: portalKey.id, secretAccessKey: portalKey.secret },
    }),
  );
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORTAL_MASTER_KEY: generateMasterKey(),
    LOG_LEVEL: 'silent',
    COMPLIANCE_SCAN_INTERVAL_MINUTES: '0',
    MFA_FAILURE_FLOOR_MS: '0',
    COMPLIANCE_SCAN_CONCURRENCY: values.concurrency!,
  });
  await applyMigrations(databaseUrl);
  const database = await openDatabase(databaseUrl);
  const app = await buildApp({ config, database, aws, logger: false });
  await app.ready();
  try {
    await app.services.custody.enroll(ADMIN_USER);
    for (const key of Object.keys(calls)) delete calls[key];

    const scanStarted = performance.now();
    const { scan } = await app.services.compliance.startScan('manual');
    await app.services.compliance.idle();
    const scanMs = performance.now() - scanStarted;
    const scanCalls = { ...calls };
    const finished = await app.services.compliance.progress();
    if (finished?.status !== 'complete' || finished.id !== scan?.id)
      throw new Error(`the scan did not complete: ${JSON.stringify(finished)}`);
    console.log(`full scan: ${(scanMs / 1000).toFixed(1)} s`, scanCalls);

    const signIn = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName: ADMIN_USER, code: codeAtStep(ADMIN_SEED, timeStepAt(new Date())) },
    });
    if (signIn.statusCode !== 200) throw new Error(`admin sign-in failed: ${signIn.body}`);
    const cookie = signIn.cookies.find((c) => c.name === 'portal_session')!;
    // Each request from its own address: the per-address flood limit (300/min) is not what is measured.
    let requestNumber = 0;
    const dashboard = (query: string) => () => {
      requestNumber++;
      return app.inject({
        method: 'GET',
        url: `/api/v1/admin/compliance${query}`,
        cookies: { portal_session: cookie.value },
        remoteAddress: `10.${(requestNumber >> 16) & 255}.${(requestNumber >> 8) & 255}.${requestNumber & 255}`,
      });
    };

    const first = await dashboard('?limit=50')();
    const summary = first.json().summary;
    const firstPage = await timeRequests(dashboard('?limit=50'), requests);
    const filtered = await timeRequests(dashboard('?limit=50&filter=console_without_mfa'), requests);
    const searched = await timeRequests(dashboard('?limit=50&q=user-0999&sort=-oldestKey'), requests);
    console.log('dashboard first page', firstPage);

    const result = {
      recordedAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
      },
      setup: {
        iamUsers: expected.users,
        database: database.provider,
        emulator: 'separate process, HTTP on localhost',
        scanConcurrency: Number(values.concurrency),
        dashboardVia: 'app.inject (full Fastify request path, no network)',
      },
      scan: { durationMs: Math.round(scanMs), usersScanned: finished.processedUsers, awsCalls: scanCalls },
      summaryMatchesGeneratedState:
        summary.users === expected.users &&
        summary.withMfa === expected.withMfa &&
        summary.consoleWithoutMfa === expected.consoleWithoutMfa &&
        summary.hardwareMfa === expected.hardwareMfa,
      summary,
      dashboard: { firstPage, filteredConsoleWithoutMfa: filtered, searchSortedByKeyAge: searched },
    };
    const results = resultsFile(database.provider);
    await mkdir(path.dirname(results), { recursive: true });
    await writeFile(results, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${path.relative(ROOT, results)}`);
  } finally {
    await app.close();
    await database.close();
    emulator.child.kill('SIGTERM');
    await rm(work, { recursive: true, force: true });
  }
}
