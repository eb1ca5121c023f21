import path from 'node:path';
import { parseArgs } from 'node:util';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AutocannonRequest } from 'autocannon';
import { roleSessionNameFor } from '../server/src/services/credentials/role-session-name.ts';
import { readCpuProfile, summariseCpuProfile } from './lib/cpu-profile.ts';
import { type Provider, providersFrom } from './lib/databases.ts';
import { callLoad, httpLoad, type LoadRun } from './lib/load.ts';
import {
  benchOrganisation,
  benchUser,
  browserSignIn,
  cliToken,
  mfaSessionCredentialsOf,
  ROLE_ALIAS,
  ROLE_ARN,
} from './lib/portal-fixture.ts';
import { type Allocator, PORTAL_PROCESS_ARGS, portalProcessFrom, SHIPPED_PORTAL_SETUP } from './lib/processes.ts';
import { ROOT, writeResults } from './lib/results.ts';
import { withBenchStack } from './lib/stack.ts';
import { printTable, ratio, type Summary, summarise } from './lib/stats.ts';

/**
 * Role credentials through the portal against a direct SDK AssumeRole with the same MFA session
 * credentials on the same emulator. The portal runs built, in its own process, as a real HTTP
 * server; the load is autocannon (keep-alive connections), each request from its own client
 * address. Sides alternate round by round (the order rotating), so a noisy neighbour hits all
 * of them alike.
 */

/** Users per side: requests go round-robin over their sessions (a crowd, not one hot session). */
const USERS_PER_SIDE = 4;
/** Where `--profile` has the portal write its V8 CPU profile (gitignored). */
const PROFILE_DIR = path.join(ROOT, 'bench/results/profiles');

interface Side {
  name: string;
  run(concurrency: number, amount: number): Promise<LoadRun>;
}

/**
 * The portal's ways to role credentials, each an HTTP request autocannon can send. HOOK for the
 * container-credentials path (helper "console", issue 12): add an entry here that builds its
 * request (GET <endpoint> with the `Authorization` header from its token) once that route
 * exists; the table and the ratios pick it up.
 */
type PortalPath = (ctx: {
  portalUrl: string;
  users: string[];
}) => Promise<() => Omit<AutocannonRequest, 'setupRequest'>>;

const PORTAL_PATHS: Record<string, PortalPath> = {
  'portal: browser session': async ({ portalUrl, users }) => {
    const sessions = await Promise.all(users.map((u) => browserSignIn(portalUrl, u)));
    let n = 0;
    return () => {
      const s = sessions[n++ % sessions.length]!;
      return {
        method: 'POST',
        path: '/api/v1/credentials',
        headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
        body: JSON.stringify({ role: ROLE_ALIAS, format: 'json' }),
      };
    };
  },
  'portal: credential_process token': async ({ portalUrl, users }) => {
    const tokens = await Promise.all(users.map((u) => cliToken(portalUrl, u)));
    let n = 0;
    return () => ({
      method: 'GET',
      path: `/api/v1/credentials/process?role=${ROLE_ALIAS}`,
      headers: { authorization: `Bearer ${tokens[n++ % tokens.length]}` },
    });
  },
  // What every AWS SDK fetches by itself with AWS_CONTAINER_CREDENTIALS_FULL_URI: the token verbatim.
  'portal: container credentials': async ({ portalUrl, users }) => {
    const tokens = await Promise.all(users.map((u) => cliToken(portalUrl, u)));
    let n = 0;
    return () => ({
      method: 'GET',
      path: `/api/v1/container-credentials/${ROLE_ALIAS}`,
      headers: { authorization: tokens[n++ % tokens.length]! },
    });
  },
};

async function measureOn(
  provider: Provider,
  options: {
    rounds: number;
    perRound1: number;
    perRound32: number;
    concurrency: number[];
    profile: boolean;
    nodeArgs: string[];
    allocator: Allocator;
    stsLatencyMs: number;
  },
) {
  const state = benchOrganisation(USERS_PER_SIDE * (Object.keys(PORTAL_PATHS).length + 1));
  const pathNames = Object.keys(PORTAL_PATHS);
  const usersOf = (index: number) =>
    Array.from({ length: USERS_PER_SIDE }, (_, k) => benchUser(index * USERS_PER_SIDE + k));
  return withBenchStack(
    { provider, name: 'issuance', state, users: pathNames.flatMap((_, i) => usersOf(i)) },
    async ({ db, emulator, masterKey, startPortal }) => {
      // Named for this run, so the summary reads this portal's profile and no older one.
      const profileName = `issuance-${provider}-${Date.now()}.cpuprofile`;
      const portal = await startPortal({
        allocator: options.allocator,
        nodeArgs: [
          ...options.nodeArgs,
          ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${profileName}`] : []),
        ],
      });
      const portalUrl = portal.url;

      const sides: Side[] = [];
      for (const [index, name] of pathNames.entries()) {
        const request = await PORTAL_PATHS[name]!({ portalUrl, users: usersOf(index) });
        sides.push({
          name,
          run: (connections, amount) => httpLoad({ url: portalUrl, connections, amount, request }),
        });
      }
      // The direct side: the SDK, one client per MFA session (as an application would keep it),
      // with the very MFA session credentials the portal holds for the browser path's users.
      const directClients = await Promise.all(
        usersOf(0).map(async (userName) => {
          const credentials = await mfaSessionCredentialsOf({ databaseUrl: db!.url, masterKey, userName });
          return {
            userName,
            sts: new STSClient({
              region: 'us-east-1',
              endpoint: emulator!.url,
              credentials: {
                accessKeyId: credentials.accessKeyId,
                secretAccessKey: credentials.secretAccessKey,
                sessionToken: credentials.sessionToken,
              },
            }),
          };
        }),
      );
      let d = 0;
      sides.push({
        name: 'direct SDK AssumeRole',
        run: (concurrency, amount) =>
          callLoad(concurrency, amount, async () => {
            const { userName, sts } = directClients[d++ % directClients.length]!;
            const out = await sts.send(
              new AssumeRoleCommand({
                RoleArn: ROLE_ARN,
                RoleSessionName: roleSessionNameFor(userName),
                SourceIdentity: roleSessionNameFor(userName),
                DurationSeconds: 3600,
              }),
            );
            if (!out.Credentials?.AccessKeyId) throw new Error('AssumeRole returned no credentials');
          }),
      });

      // AWS is not on loopback: with --sts-latency-ms every emulator answer waits that long, on
      // both sides alike, to show the portal's overhead next to a real STS round trip.
      if (options.stsLatencyMs > 0) {
        const set = await fetch(`${emulator!.url}/__emulator/faults`, {
          method: 'POST',
          body: JSON.stringify({ latencyMs: options.stsLatencyMs }),
        });
        if (!set.ok) throw new Error(`the emulator refused the latency setting: ${await set.text()}`);
      }

      const byConcurrency: Record<
        string,
        Record<
          string,
          {
            latency: Summary;
            throughputPerSecond: number;
            failed: number;
            cpuMsPerRequest: { portal: number; emulator: number; loadGeneratorOrSdk: number };
          }
        >
      > = {};
      for (const concurrency of options.concurrency) {
        const amount = concurrency === 1 ? options.perRound1 : options.perRound32;
        // Warm-up: every side once at this concurrency (JIT, connection pools, group cache).
        for (const side of sides) await side.run(concurrency, Math.max(concurrency * 2, 20));
        const runs = new Map<string, LoadRun[]>(sides.map((s) => [s.name, []]));
        // CPU each process spent per answered request: unlike wall time, hardly moved by neighbours.
        const cpu = new Map(sides.map((s) => [s.name, { portal: 0, emulator: 0, client: 0 }]));
        for (let round = 0; round < options.rounds; round++) {
          const order = sides.map((_, i) => sides[(i + round) % sides.length]!);
          for (const side of order) {
            const before = { portal: portal.cpuMs(), emulator: emulator.cpuMs(), client: process.cpuUsage() };
            runs.get(side.name)!.push(await side.run(concurrency, amount));
            const spent = cpu.get(side.name)!;
            spent.portal += portal.cpuMs() - before.portal;
            spent.emulator += emulator.cpuMs() - before.emulator;
            const client = process.cpuUsage(before.client);
            spent.client += (client.user + client.system) / 1000;
          }
        }
        byConcurrency[`c${concurrency}`] = Object.fromEntries(
          sides.map((side) => {
            const all = runs.get(side.name)!;
            const ok = all.reduce((a, r) => a + r.ok, 0);
            const wall = all.reduce((a, r) => a + r.wallMs, 0);
            // Throughput per round, then the median round: one slow round (a neighbour's burst) does not decide.
            const perRound = all.map((r) => (r.ok / r.wallMs) * 1000).sort((a, b) => a - b);
            const spent = cpu.get(side.name)!;
            const perRequest = (ms: number) => Math.round((ms / Math.max(1, ok)) * 100) / 100;
            return [
              side.name,
              {
                latency: summarise(all.flatMap((r) => r.latencies)),
                throughputPerSecond: Math.round(perRound[Math.floor(perRound.length / 2)]! * 10) / 10,
                meanThroughputPerSecond: Math.round((ok / wall) * 1000 * 10) / 10,
                failed: all.reduce((a, r) => a + r.failed, 0),
                cpuMsPerRequest: {
                  portal: perRequest(spent.portal),
                  emulator: perRequest(spent.emulator),
                  loadGeneratorOrSdk: perRequest(spent.client),
                },
                statusCodes: all.reduce<Record<string, number>>((acc, r) => {
                  for (const [code, count] of Object.entries(r.statusCodes)) acc[code] = (acc[code] ?? 0) + count;
                  return acc;
                }, {}),
              },
            ];
          }),
        );
      }
      const portalRssMiB = portal.rssMiB();
      for (const c of directClients) c.sts.destroy();
      return {
        provider,
        byConcurrency,
        portalRssMiB,
        profileFile: options.profile ? path.join(PROFILE_DIR, profileName) : undefined,
      };
    },
  );
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      rounds: { type: 'string', default: '8' },
      'per-round-c1': { type: 'string', default: '40' },
      'per-round-c32': { type: 'string', default: '640' },
      concurrency: { type: 'string', default: '1,32' },
      /** Writes a V8 CPU profile of the portal to bench/results/profiles/ (open in Chrome DevTools). */
      profile: { type: 'boolean', default: false },
      ...PORTAL_PROCESS_ARGS,
      // Milliseconds the emulator waits before each answer (both sides): a stand-in for AWS's distance.
      'sts-latency-ms': { type: 'string', default: '0' },
    },
  });
  const options = {
    rounds: Number(values.rounds),
    perRound1: Number(values['per-round-c1']),
    perRound32: Number(values['per-round-c32']),
    concurrency: values.concurrency!.split(',').map(Number),
    profile: values.profile === true,
    ...portalProcessFrom(values),
    stsLatencyMs: Number(values['sts-latency-ms']),
  };
  const results = [];
  for (const provider of providersFrom(values.db)) {
    console.log(`-- ${provider}`);
    const { profileFile, ...measured } = await measureOn(provider, options);
    // The portal has exited by now, so its profile is written: where its busy time went.
    const cpuProfile = profileFile
      ? { file: path.relative(ROOT, profileFile), ...profileShares(profileFile) }
      : undefined;
    results.push({ ...measured, ...(cpuProfile ? { cpuProfile } : {}) });
  }
  const rows: Array<Record<string, string | number>> = [];
  const direct = 'direct SDK AssumeRole';
  for (const r of results)
    for (const [c, sides] of Object.entries(r.byConcurrency))
      for (const [name, s] of Object.entries(sides))
        rows.push({
          db: r.provider,
          c: c.slice(1),
          side: name,
          'p50 ms': s.latency.p50Ms,
          'p95 ms': s.latency.p95Ms,
          'req/s': s.throughputPerSecond,
          'p50 vs direct': name === direct ? '' : `${ratio(s.latency.p50Ms, sides[direct]!.latency.p50Ms)}x`,
          'req/s vs direct':
            name === direct ? '' : `${ratio(s.throughputPerSecond, sides[direct]!.throughputPerSecond)}x`,
          'cpu ms/req portal': s.cpuMsPerRequest.portal,
          emulator: s.cpuMsPerRequest.emulator,
          client: s.cpuMsPerRequest.loadGeneratorOrSdk,
          failed: s.failed,
        });
  printTable(rows);
  // A run with a simulated distance to AWS goes beside the loopback one, not over it.
  await writeResults(options.stsLatencyMs > 0 ? `issuance.sts-latency-${options.stsLatencyMs}ms` : 'issuance', {
    setup: {
      portal: 'built (node dist/server/src/server.js), own process, HTTP on 127.0.0.1, LOG_LEVEL=info',
      ...SHIPPED_PORTAL_SETUP,
      emulator: 'own process, HTTP on 127.0.0.1',
      load: 'autocannon (keep-alive), each request its own X-Forwarded-For address via TRUSTED_PROXIES',
      direct: '@aws-sdk/client-sts AssumeRole, one client per MFA session, same credentials the portal holds',
      usersPerSide: USERS_PER_SIDE,
      ...options,
    },
    results,
    table: rows,
  });
}

/** The profile's self time by package, printed as a table and kept in the results. */
function profileShares(file: string): { byPlace: Array<{ where: string; percent: number }> } {
  const byPlace = summariseCpuProfile(readCpuProfile(file))
    .slice(0, 15)
    .map(({ where, percent }) => ({ where, percent }));
  console.log(`where the portal's busy time went (self time, ${path.relative(ROOT, file)}):`);
  printTable(byPlace.map(({ where, percent }) => ({ where, '% of busy time': percent })));
  return { byPlace };
}
