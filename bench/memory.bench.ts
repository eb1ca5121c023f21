import { parseArgs } from 'node:util';
import { ADMIN_USER, generateOrganisation } from './generate-organisation.ts';
import { type Provider, providersFrom } from './lib/databases.ts';
import { httpLoad } from './lib/load.ts';
import { browserSignIn, ROLE_ALIAS } from './lib/portal-fixture.ts';
import { type Allocator, PORTAL_PROCESS_ARGS, portalProcessFrom, SHIPPED_PORTAL_SETUP } from './lib/processes.ts';
import { writeResults } from './lib/results.ts';
import { withBenchStack } from './lib/stack.ts';
import { printTable } from './lib/stats.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The built portal's resident memory (VmRSS of its process): idle after start, after 10,000
 * issuances (browser-session path, 8 at a time), at the peak of a compliance scan of 10,000 IAM
 * users, and after another 10,000 issuances (growth across runs would show there).
 */
async function measureOn(
  provider: Provider,
  options: { issuances: number; users: number; nodeArgs: string[]; allocator: Allocator },
) {
  const { state } = generateOrganisation(options.users);
  return withBenchStack({ provider, name: 'memory', state, users: [ADMIN_USER] }, async ({ startPortal }) => {
    const portal = await startPortal({ allocator: options.allocator, nodeArgs: options.nodeArgs });
    const p = portal;
    await sleep(3000);
    const idleMiB = p.rssMiB();
    const admin = await browserSignIn(p.url, ADMIN_USER);
    const issue = async () => {
      const run = await httpLoad({
        url: p.url,
        connections: 8,
        amount: options.issuances,
        request: () => ({
          method: 'POST',
          path: '/api/v1/credentials',
          headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
          body: JSON.stringify({ role: ROLE_ALIAS, format: 'json' }),
        }),
      });
      if (run.failed) throw new Error(`${run.failed} issuances failed: ${JSON.stringify(run.statusCodes)}`);
      await sleep(2000);
      return p.rssMiB();
    };
    const afterFirstMiB = await issue();
    console.log(`${provider}: idle ${idleMiB} MiB, after ${options.issuances} issuances ${afterFirstMiB} MiB`);

    const headers = { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'x-forwarded-for': '10.251.0.1' };
    const started = await fetch(`${p.url}/api/v1/admin/compliance/scan`, { method: 'POST', headers });
    if (started.status !== 202) throw new Error(`scan start answered ${started.status}: ${await started.text()}`);
    let peakScanMiB = 0;
    const scanStarted = performance.now();
    for (;;) {
      peakScanMiB = Math.max(peakScanMiB, p.rssMiB());
      const progress = (await (await fetch(`${p.url}/api/v1/admin/compliance/scan`, { headers })).json()) as {
        scan: { status: string; processedUsers?: number } | null;
      };
      if (progress.scan?.status === 'failed') throw new Error('the scan failed');
      if (progress.scan?.status === 'complete') break;
      await sleep(250);
    }
    const scanMs = Math.round(performance.now() - scanStarted);
    await sleep(2000);
    const afterScanMiB = p.rssMiB();
    const afterSecondMiB = await issue();
    console.log(
      `${provider}: scan peak ${peakScanMiB} MiB (${scanMs} ms), after another ${options.issuances} issuances ${afterSecondMiB} MiB`,
    );
    return { provider, idleMiB, afterFirstMiB, peakScanMiB, afterScanMiB, afterSecondMiB, scanMs };
  });
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      issuances: { type: 'string', default: '10000' },
      users: { type: 'string', default: '10000' },
      ...PORTAL_PROCESS_ARGS,
    },
  });
  const options = {
    issuances: Number(values.issuances),
    users: Number(values.users),
    ...portalProcessFrom(values),
  };
  const results = [];
  for (const provider of providersFrom(values.db)) results.push(await measureOn(provider, options));
  const rows = results.map((r) => ({
    db: r.provider,
    'idle MiB': r.idleMiB,
    [`after ${options.issuances} issuances`]: r.afterFirstMiB,
    [`scan of ${options.users} users, peak`]: r.peakScanMiB,
    'after scan': r.afterScanMiB,
    [`after ${options.issuances} more`]: r.afterSecondMiB,
  }));
  printTable(rows);
  await writeResults('memory', {
    setup: {
      portal: 'built, own process; RSS = VmRSS from /proc',
      ...SHIPPED_PORTAL_SETUP,
      ...options,
    },
    results,
    table: rows,
  });
}
