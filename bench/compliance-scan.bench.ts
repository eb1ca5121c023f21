import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { codeAtStep, timeStepAt } from '../emulator/src/totp.ts';
import { buildApp } from '../server/src/app.ts';
import { createAwsGateway } from '../server/src/aws/aws-gateway.ts';
import { loadConfig } from '../server/src/config/config.ts';
import { openDatabase } from '../server/src/db/database.ts';
import { applyMigrations } from '../server/src/db/migrator.ts';
import { generateMasterKey } from '../server/src/services/custody/secret-box.ts';
import {
  ADMIN_SEED,
  ADMIN_USER,
  BENCH_ACCOUNT,
  generateOrganisation,
  type PermissionSetups,
  type UserTruth,
} from './generate-organisation.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/**
 * SQLite (the default) records to compliance-scan.json; another database to
 * compliance-scan.<provider>.json; another size than the default 10,000 users adds `.<n>-users`.
 */
const resultsFile = (provider: string, users: number) =>
  path.join(
    ROOT,
    `bench/results/compliance-scan${provider === 'sqlite' ? '' : `.${provider}`}${users === 10_000 ? '' : `.${users}-users`}.json`,
  );

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

/** Counts the HTTP requests the portal sends to AWS, per operation (retries included). */
function requestCounter() {
  const calls: Record<string, number> = {};
  /** When each operation was first and last sent, in ms since the reset: where the scan's time goes. */
  const spans: Record<string, [number, number]> = {};
  let zero = performance.now();
  let zeroEpoch = Date.now();
  return {
    calls,
    spans,
    /** The wall-clock time of the reset (spans count from it). */
    get zeroEpoch() {
      return zeroEpoch;
    },
    onRequest: (operation: string) => {
      calls[operation] = (calls[operation] ?? 0) + 1;
      const at = Math.round(performance.now() - zero);
      spans[operation] = [spans[operation]?.[0] ?? at, at];
    },
    reset: () => {
      for (const key of Object.keys(calls)) delete calls[key];
      for (const key of Object.keys(spans)) delete spans[key];
      zero = performance.now();
      zeroEpoch = Date.now();
    },
  };
}

/** CPU time (user + system) a process has used so far, from /proc (Linux). */
async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Samples this process's memory while `work` runs: the peak RSS and heap, in MiB, and the RSS
 * samples with their times (to tell the scan's own peak from the after-scan work's).
 */
async function withPeakMemory<T>(work: () => Promise<T>): Promise<{
  result: T;
  peakRssMiB: number;
  peakHeapMiB: number;
  rssSamples: Array<{ at: number; rss: number }>;
}> {
  let peakRss = 0;
  let peakHeap = 0;
  const rssSamples: Array<{ at: number; rss: number }> = [];
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
    rssSamples.push({ at: Date.now(), rss: usage.rss });
  };
  sample();
  const timer = setInterval(sample, 100);
  try {
    const result = await work();
    sample();
    return {
      result,
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      peakHeapMiB: Math.round(peakHeap / 2 ** 20),
      rssSamples,
    };
  } finally {
    clearInterval(timer);
  }
}

/**
 * The highest RSS sampled in each phase (between consecutive moments), in MiB; null for a phase
 * shorter than the sampling interval (no sample fell in it).
 */
function peaksBetween(samples: Array<{ at: number; rss: number }>, moments: number[]): Array<number | null> {
  const bounds = [Number.NEGATIVE_INFINITY, ...moments, Number.POSITIVE_INFINITY];
  return bounds.slice(1).map((end, i) => {
    const inPhase = samples.filter((s) => s.at > bounds[i]! && s.at <= end);
    return inPhase.length ? Math.round(Math.max(...inPhase.map((s) => s.rss)) / 2 ** 20) : null;
  });
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

/** Reads the snapshot's rows page by page and lists users whose row is not the generated truth. */
async function compareWithTruth(
  database: Awaited<ReturnType<typeof openDatabase>>,
  scanId: string,
  truth: Map<string, UserTruth>,
): Promise<string[]> {
  const mismatches: string[] = [];
  let seen = 0;
  for (let cursor: string | undefined; ; ) {
    const rows = await database.prisma.complianceUser.findMany({
      where: { scanId, ...(cursor ? { userNameKey: { gt: cursor } } : {}) },
      orderBy: { userNameKey: 'asc' },
      take: 2000,
    });
    for (const row of rows) {
      seen++;
      const expected = truth.get(row.userName);
      const actual = {
        consoleAccess: row.consoleAccess,
        mfaActive: row.mfaActive,
        virtualMfaCount: row.virtualMfaCount,
        hardwareMfaCount: row.hardwareMfaCount,
        fidoMfaCount: row.fidoMfaCount,
        activeKeyCount: row.activeKeyCount,
        keysWorkWithoutMfa: row.keysWorkWithoutMfa,
      };
      if (!expected || JSON.stringify(actual) !== JSON.stringify(expected))
        mismatches.push(`${row.userName}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
    }
    if (rows.length < 2000) break;
    cursor = rows[rows.length - 1]!.userNameKey;
  }
  if (seen !== truth.size) mismatches.push(`${seen} rows for ${truth.size} users`);
  return mismatches;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '10000' },
      requests: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '8' },
      setups: { type: 'string', default: 'few' },
      database: { type: 'string' },
    },
  });
  const userCount = Number(values.users);
  const requests = Number(values.requests);
  const work = await mkdtemp(path.join(os.tmpdir(), 'portal-bench-'));
  const databaseUrl = values.database ?? process.env.BENCH_DATABASE_URL ?? `file:${path.join(work, 'bench.db')}`;
  const setups = values.setups as PermissionSetups;
  if (!['few', 'many', 'distinct'].includes(setups)) throw new Error('--setups must be few, many or distinct');
  const { state, expected, truth } = generateOrganisation(userCount, setups);
  const statePath = path.join(work, 'state.json');
  await writeFile(statePath, JSON.stringify(state));
  const emulator = await startEmulatorProcess(statePath);
  console.log(
    `emulator with ${userCount} generated users at ${emulator.url}; database ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`,
  );

  const portalKey = state.users.find((u) => u.name === 'portal' && u.account === BENCH_ACCOUNT)!.accessKeys![0]!;
  const counter = requestCounter();
  const calls = counter.calls;
  const aws = createAwsGateway({
    region: 'us-east-1',
    stsEndpoint: emulator.url,
    iamEndpoint: emulator.url,
    portalCredentials: { accessKeyId: portalKey.id, secretAccessKey: portalKey.secret },
    onRequest: counter.onRequest,
  });
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
    counter.reset();

    const loadBefore = os.loadavg();
    const emulatorCpuBefore = await processCpuMs(emulator.child.pid!);
    const cpuBefore = process.cpuUsage();
    // What the benchmark itself holds (the generated organisation and its truth) before the scan.
    const rssBeforeScanMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
    const scanStarted = performance.now();
    const {
      result: scan,
      peakRssMiB,
      peakHeapMiB,
      rssSamples,
    } = await withPeakMemory(async () => {
      const { scan } = await app.services.compliance.startScan('manual');
      await app.services.compliance.idle();
      return scan;
    });
    const scanMs = performance.now() - scanStarted;
    const portalCpu = process.cpuUsage(cpuBefore);
    const portalCpuMs = Math.round((portalCpu.user + portalCpu.system) / 1000);
    const emulatorCpuMs = (await processCpuMs(emulator.child.pid!)) - emulatorCpuBefore;
    const loadAfter = os.loadavg();
    const scanCalls = { ...calls };
    const totalCalls = Object.values(scanCalls).reduce((a, b) => a + b, 0);
    const listMfaDevices = scanCalls.ListMFADevices ?? 0;
    const finished = await app.services.compliance.progress();
    if (finished?.status !== 'complete' || finished.id !== scan?.id)
      throw new Error(`the scan did not complete: ${JSON.stringify(finished)}`);
    // The snapshot is stored when the scan is marked complete; the CIS findings and alerts follow.
    // Three phases: reading AWS (until the last request of the scan), storing the snapshot (until
    // the scan is marked complete), then the CIS findings and alerts.
    const awsReadsDoneAt = counter.zeroEpoch + Math.max(...Object.values(counter.spans).map(([, last]) => last));
    const [awsPeak, storingPeak, cisPeak] = peaksBetween(rssSamples, [awsReadsDoneAt, finished.finishedAt!.getTime()]);
    const rssPeaks = { awsReads: awsPeak ?? null, storingSnapshot: storingPeak ?? null, cisFindings: cisPeak ?? null };
    console.log(
      `full scan: ${(scanMs / 1000).toFixed(1)} s, ${totalCalls} AWS calls (${totalCalls - listMfaDevices} + ${listMfaDevices} ListMFADevices for ${expected.unclassifiable} unclassifiable users), CPU portal ${portalCpuMs} ms + emulator ${emulatorCpuMs} ms, peak RSS ${peakRssMiB} MiB (${rssBeforeScanMiB} before the scan, ${rssPeaks.awsReads} reading AWS, ${rssPeaks.storingSnapshot} storing the snapshot, ${rssPeaks.cisFindings} during the CIS findings), heap ${peakHeapMiB} MiB; load ${loadBefore.map((l) => l.toFixed(1)).join(' ')} -> ${loadAfter.map((l) => l.toFixed(1)).join(' ')}`,
      scanCalls,
    );
    console.log('first and last request per operation (ms into the scan)', counter.spans);
    const mismatches = await compareWithTruth(database, scan!.id, truth);
    console.log(`per-user rows that differ from the generated truth: ${mismatches.length}`, mismatches.slice(0, 5));

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
        permissionSetups: setups,
        dashboardVia: 'app.inject (full Fastify request path, no network)',
      },
      scan: {
        durationMs: Math.round(scanMs),
        usersScanned: finished.processedUsers,
        awsCalls: scanCalls,
        totalAwsCalls: totalCalls,
        requestSpansMs: counter.spans,
        callsBesidesListMfaDevices: totalCalls - listMfaDevices,
        unclassifiableUsers: expected.unclassifiable,
        portalCpuMs,
        emulatorCpuMs,
        rssBeforeScanMiB,
        peakRssReadingAwsMiB: rssPeaks.awsReads,
        peakRssStoringSnapshotMiB: rssPeaks.storingSnapshot,
        peakRssDuringCisFindingsMiB: rssPeaks.cisFindings,
        peakRssMiB,
        peakHeapMiB,
        loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
        loadAverageAfter: loadAfter.map((l) => Math.round(l * 100) / 100),
      },
      summaryMatchesGeneratedState:
        summary.users === expected.users &&
        summary.withMfa === expected.withMfa &&
        summary.consoleWithoutMfa === expected.consoleWithoutMfa &&
        summary.hardwareMfa === expected.hardwareMfa &&
        summary.consoleOnlyMfa === expected.consoleOnlyMfa &&
        summary.keysWorkWithoutMfa === expected.keysWorkWithoutMfa,
      usersDifferingFromGeneratedTruth: mismatches.length,
      summary,
      dashboard: { firstPage, filteredConsoleWithoutMfa: filtered, searchSortedByKeyAge: searched },
    };
    const results = resultsFile(database.provider, userCount);
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
