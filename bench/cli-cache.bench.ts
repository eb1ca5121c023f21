import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ACCOUNT, startPortalHarness } from '../server/test/portal-harness.ts';

/**
 * Issue 12 part 4: the AWS CLI runs credential_process on every invocation, so the helper's cache
 * decides what a day of `aws` commands costs. N consecutive `aws sts get-caller-identity` calls
 * through the helper should cause exactly one portal issuance, and take (median wall time per call)
 * at most 1.2x the same call with static credentials in the environment.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS = path.join(ROOT, 'bench/results/cli-cache.json');
const HELPER = path.join(ROOT, 'bin/aws-mfa-portal-credentials.mjs');
const AWS_CLI = '/usr/bin/aws';
const exec = promisify(execFile);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (ms: number) => Math.round(ms * 10) / 10;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { calls: { type: 'string', default: '200' } } });
  const calls = Number(values.calls);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-cli-cache-'));
  const databaseUrl = `file:${path.join(dir, 'portal.db')}`;
  const portal = await startPortalHarness({ databaseUrl });
  try {
    await portal.app.services.custody.enroll('alice');
    await portal.app.services.catalog.add({
      alias: 'readonly',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/ReadOnly`,
      users: ['*'],
    });
    await portal.app.listen({ host: '127.0.0.1', port: 0 });
    const portalUrl = `http://127.0.0.1:${(portal.app.server.address() as AddressInfo).port}`;
    const env = {
      PATH: '/usr/bin:/bin',
      HOME: dir,
      AWS_CONFIG_FILE: path.join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
    };

    // Sign in once, as a user would (`login` reads the code from standard input here).
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [HELPER, 'login', '--portal', portalUrl, '--user', 'alice'], {
        env,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`login exited ${code}`))));
      child.stdin.end(`${portal.nextCode('alice')}\n`);
    });
    await writeFile(
      env.AWS_CONFIG_FILE,
      `[profile ro]\ncredential_process = ${process.execPath} ${HELPER} --portal ${portalUrl} --role readonly\nregion = us-east-1\n`,
    );
    // Static credentials for the comparison: the same role, issued once, in the environment.
    const issued = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'alice', code: portal.nextCode('alice'), role: 'readonly', format: 'json' },
    });
    const creds = issued.json() as { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    const staticEnv = {
      ...env,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_SESSION_TOKEN: creds.sessionToken,
    };

    const issuances = () =>
      portal.database.prisma.auditEvent.count({ where: { action: 'credentials.process', outcome: 'success' } });
    // The harness's emulator clock stands still unless moved; keep it at real time so SigV4's
    // 15-minute skew check passes however long the run takes.
    const syncClock = () => {
      const behind = Date.now() - portal.now().getTime();
      if (behind > 0) portal.advance(behind / 1000);
    };
    const cpu: { helper: number[]; staticEnv: number[] } = { helper: [], staticEnv: [] };
    /** Wall time of one CLI call; its CPU time (user + system, from /usr/bin/time) goes to `into`. */
    const timed = async (extraArgs: string[], callEnv: NodeJS.ProcessEnv, into: number[]) => {
      syncClock();
      const started = performance.now();
      const { stderr } = await exec(
        '/usr/bin/time',
        ['-f', 'cpu %U %S', AWS_CLI, 'sts', 'get-caller-identity', '--endpoint-url', portal.emulator.url, ...extraArgs],
        { env: callEnv },
      );
      const wall = performance.now() - started;
      const match = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      if (match) into.push((Number(match[1]) + Number(match[2])) * 1000);
      return wall;
    };

    // 1. The helper alone, as credential_process runs it, N times in a row: all but the first from the cache.
    const beforeDirect = await issuances();
    const directMs: number[] = [];
    for (let i = 0; i < calls; i += 1) {
      syncClock();
      const started = performance.now();
      await exec(process.execPath, [HELPER, '--portal', portalUrl, '--role', 'readonly'], { env });
      directMs.push(performance.now() - started);
    }
    const direct = {
      calls: directMs.length,
      portalIssuances: (await issuances()) - beforeDirect,
      medianMs: round(median(directMs)),
      p90Ms: round(percentile(directMs, 90)),
      firstMs: round(directMs[0]!),
    };

    const { stdout: cliVersion } = await exec(AWS_CLI, ['--version']);
    // 2. The AWS CLI through the helper vs with static credentials, from an empty cache again.
    await rm(path.join(dir, '.cache'), { recursive: true, force: true });
    const before = await issuances();
    const helperMs: number[] = [];
    const staticMs: number[] = [];
    const summary = async () => ({
      benchmark: 'cli-cache',
      recordedAt: new Date().toISOString(),
      calls: helperMs.length,
      machine: {
        cpus: os.cpus().length,
        loadAverage: os.loadavg().map((l) => round(l)),
        node: process.version,
        awsCli: cliVersion.trim(),
      },
      helperAlone: direct,
      portalIssuances: (await issuances()) - before,
      cpuMedianMs: { helper: round(median(cpu.helper)), staticEnv: round(median(cpu.staticEnv)) },
      cpuMedianRatio: Math.round((median(cpu.helper) / median(cpu.staticEnv)) * 1000) / 1000,
      helper: {
        medianMs: round(median(helperMs)),
        p90Ms: round(percentile(helperMs, 90)),
        firstMs: round(helperMs[0]!),
      },
      staticEnv: { medianMs: round(median(staticMs)), p90Ms: round(percentile(staticMs, 90)) },
      medianRatio: Math.round((median(helperMs) / median(staticMs)) * 1000) / 1000,
      targets: { portalIssuances: 1, medianRatioAtMost: 1.2 },
    });
    // Alternate the two so drift in machine load hits both alike; the first helper call fills the cache.
    for (let i = 0; i < calls; i += 1) {
      helperMs.push(await timed(['--profile', 'ro'], env, cpu.helper));
      staticMs.push(await timed([], staticEnv, cpu.staticEnv));
      // Progress on disk, so a long run on a busy machine leaves figures even if stopped.
      if ((i + 1) % 20 === 0 && i + 1 < calls)
        await writeFile(RESULTS, `${JSON.stringify(await summary(), null, 2)}\n`);
    }
    const result = await summary();
    await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await portal.close();
    await rm(dir, { recursive: true, force: true });
  }
}
