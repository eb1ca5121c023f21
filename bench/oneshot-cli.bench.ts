import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { codeAtStep, timeStepAt } from '../emulator/src/totp.ts';
import { generateMasterKey } from '../server/src/services/custody/secret-box.ts';
import { createBenchDatabase } from './lib/databases.ts';
import {
  ACCOUNT,
  benchOrganisation,
  benchUser,
  portalKeyOf,
  preparePortalDatabase,
  ROLE_ALIAS,
  ROLE_ARN,
  SEED,
  writeState,
} from './lib/portal-fixture.ts';
import { type Child, startEmulatorProcess, startPortalProcess } from './lib/processes.ts';
import { writeResults } from './lib/results.ts';
import { printTable, ratio, summarise } from './lib/stats.ts';

const run_ = promisify(execFile);

/** Debian's AWS CLI v2 (the pyenv `aws` first on PATH here is v1). */
const AWS_CLI = process.env.BENCH_AWS_CLI ?? '/usr/bin/aws';

/**
 * One request for role credentials with a fresh MFA code, end to end as a person's shell runs
 * it: `curl` to the portal's one-shot endpoint against the official AWS CLI's
 * `aws sts assume-role --serial-number --token-code` on the same emulator. Each request has a
 * user (and so a device, and a code) of its own, so no code is ever replayed; the two
 * alternate request by request.
 */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { requests: { type: 'string', default: '20' } } });
  const requests = Number(values.requests);
  const work = await mkdtemp(path.join(os.tmpdir(), 'portal-bench-oneshot-'));
  // Users 0..n-1 go through the portal (enrolled); n..2n-1 call AWS themselves with their own key.
  const state = benchOrganisation(2 * requests + 2);
  const cliUsers = Array.from({ length: requests + 1 }, (_, i) => benchUser(requests + 1 + i));
  for (const user of state.users)
    if (cliUsers.includes(user.name))
      user.accessKeys = [
        {
          id: `AKIABENCH${user.name.slice(-5)}CLI000`.slice(0, 20),
          secret: `benchSecret${user.name.slice(-5)}`.padEnd(40, 'x'),
          status: 'Active',
        },
      ];
  const statePath = path.join(work, 'state.json');
  await writeState(statePath, state);
  const portalKey = portalKeyOf(state);
  const masterKey = generateMasterKey();
  const db = createBenchDatabase('sqlite', 'oneshot');
  let emulator: Child | undefined;
  let portal: Child | undefined;
  try {
    emulator = await startEmulatorProcess(statePath);
    const portalUsers = Array.from({ length: requests + 1 }, (_, i) => benchUser(i));
    await preparePortalDatabase({
      databaseUrl: db.url,
      masterKey,
      emulatorUrl: emulator.url,
      portalKey,
      users: portalUsers,
    });
    portal = await startPortalProcess({ databaseUrl: db.url, masterKey, emulatorUrl: emulator.url, portalKey });
    const code = () => codeAtStep(SEED, timeStepAt(new Date()));

    const curl = async (i: number) => {
      const started = performance.now();
      const { stdout } = await run_('curl', [
        '-fsS',
        `${portal!.url}/api/v1/credentials`,
        '-H',
        `X-Forwarded-For: 10.77.${i >> 8}.${i & 255}`,
        '-d',
        `userName=${portalUsers[i]}`,
        '-d',
        `code=${code()}`,
        '-d',
        `role=${ROLE_ALIAS}`,
        '-d',
        'format=env',
      ]);
      const ms = performance.now() - started;
      if (!stdout.includes('AWS_SESSION_TOKEN')) throw new Error(`curl got no credentials: ${stdout.slice(0, 200)}`);
      return ms;
    };
    const cliKeyOf = (name: string) => state.users.find((u) => u.name === name)!.accessKeys![0]!;
    const awsCli = async (i: number) => {
      const user = cliUsers[i]!;
      const key = cliKeyOf(user);
      const started = performance.now();
      const { stdout } = await run_(
        AWS_CLI,
        [
          'sts',
          'assume-role',
          '--endpoint-url',
          emulator!.url,
          '--role-arn',
          ROLE_ARN,
          '--role-session-name',
          user,
          '--serial-number',
          `arn:aws:iam::${ACCOUNT}:mfa/${user}`,
          '--token-code',
          code(),
          '--output',
          'json',
        ],
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: work,
            AWS_ACCESS_KEY_ID: key.id,
            AWS_SECRET_ACCESS_KEY: key.secret,
            AWS_DEFAULT_REGION: 'us-east-1',
            AWS_EC2_METADATA_DISABLED: 'true',
            AWS_PAGER: '',
          },
        },
      );
      const ms = performance.now() - started;
      if (!stdout.includes('SessionToken')) throw new Error(`aws got no credentials: ${stdout.slice(0, 200)}`);
      return ms;
    };
    // Warm-up (page cache, the portal's JIT): one each, with the spare user of each side.
    await curl(requests);
    await awsCli(requests);
    const times = { curl: [] as number[], aws: [] as number[] };
    for (let i = 0; i < requests; i++) {
      if (i % 2 === 0) {
        times.curl.push(await curl(i));
        times.aws.push(await awsCli(i));
      } else {
        times.aws.push(await awsCli(i));
        times.curl.push(await curl(i));
      }
    }
    const curlSummary = summarise(times.curl);
    const awsSummary = summarise(times.aws);
    const { stdout: version } = await run_(AWS_CLI, ['--version']);
    const rows = [
      {
        side: 'curl one-shot (portal)',
        'p50 ms': curlSummary.p50Ms,
        'p95 ms': curlSummary.p95Ms,
        'speed-up': `${ratio(awsSummary.p50Ms, curlSummary.p50Ms)}x`,
      },
      {
        side: `aws sts assume-role (${version.trim().split(' ')[0]})`,
        'p50 ms': awsSummary.p50Ms,
        'p95 ms': awsSummary.p95Ms,
        'speed-up': '',
      },
    ];
    printTable(rows);
    await writeResults('oneshot-cli', {
      setup: {
        portal: 'built, own process, SQLite; curl -d userName -d code -d role -d format=env',
        awsCli: `${AWS_CLI} (${version.trim()})`,
        emulator: 'own process; both sides against it',
        requests,
      },
      curl: curlSummary,
      awsCli: awsSummary,
      speedUpP50: ratio(awsSummary.p50Ms, curlSummary.p50Ms),
      table: rows,
    });
  } finally {
    await portal?.stop();
    await emulator?.stop();
    db.drop();
    await rm(work, { recursive: true, force: true });
  }
}
