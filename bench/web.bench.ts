import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { generateMasterKey } from '../server/src/services/custody/secret-box.ts';
import { createBenchDatabase } from './lib/databases.ts';
import { benchOrganisation, portalKeyOf, preparePortalDatabase, writeState } from './lib/portal-fixture.ts';
import { type Child, ensureBuilt, startEmulatorProcess, startPortalProcess } from './lib/processes.ts';
import { ROOT, writeResults } from './lib/results.ts';
import { printTable, summarise } from './lib/stats.ts';

/** The scripts a first visit loads before anything renders: index.html's module and its static imports. */
async function initialJavaScript(): Promise<{ files: string[]; bytes: number; gzipBytes: number }> {
  const dist = path.join(ROOT, 'dist/web');
  const html = await readFile(path.join(dist, 'index.html'), 'utf8');
  const queue = [
    ...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  const seen = new Set<string>();
  let bytes = 0;
  let gzipBytes = 0;
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await readFile(path.join(dist, file));
    bytes += code.length;
    gzipBytes += gzipSync(code, { level: 9 }).length;
    // Static imports only (`import ... from "./x.js"`); `import("./x.js")` loads on demand.
    for (const m of code.toString().matchAll(/(?:^|[;\s}])import\s*(?:[\w*{},\s$]+from\s*)?["']\.\/([^"']+\.js)["']/g))
      queue.push(`assets/${m[1]}`);
  }
  return { files: [...seen], bytes, gzipBytes };
}

/**
 * The web UI's weight and first render: the initial JavaScript (gzip -9), and in Debian's
 * Chromium (headless, a fresh context each time, so nothing is cached) the time from navigation
 * to the sign-in form on screen, served by the built portal in its own process.
 */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { loads: { type: 'string', default: '15' } } });
  ensureBuilt();
  const js = await initialJavaScript();
  console.log(`initial JS: ${js.files.join(', ')}: ${(js.gzipBytes / 1024).toFixed(1)} KiB gzipped`);

  const work = await mkdtemp(path.join(os.tmpdir(), 'portal-bench-web-'));
  const state = benchOrganisation(1);
  await writeState(path.join(work, 'state.json'), state);
  const db = createBenchDatabase('sqlite', 'web');
  const masterKey = generateMasterKey();
  let emulator: Child | undefined;
  let portal: Child | undefined;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    emulator = await startEmulatorProcess(path.join(work, 'state.json'));
    const portalKey = portalKeyOf(state);
    await preparePortalDatabase({ databaseUrl: db.url, masterKey, emulatorUrl: emulator.url, portalKey, users: [] });
    portal = await startPortalProcess({ databaseUrl: db.url, masterKey, emulatorUrl: emulator.url, portalKey });
    const visible: number[] = [];
    const fcp: number[] = [];
    for (let i = 0; i < Number(values.loads) + 2; i++) {
      const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': `10.252.0.${i + 1}` } });
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${portal.url}/`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      const ms = performance.now() - started;
      const paint = await page.evaluate(
        () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      );
      await context.close();
      if (i < 2) continue; // warm-up: the portal's and Chromium's first loads
      visible.push(ms);
      fcp.push(paint);
    }
    const signInVisible = summarise(visible);
    const firstContentfulPaint = summarise(fcp);
    const rows = [
      {
        what: 'initial JS (gzip -9)',
        value: `${(js.gzipBytes / 1024).toFixed(1)} KiB (${(js.bytes / 1024).toFixed(1)} KiB raw)`,
      },
      {
        what: 'navigation -> sign-in form visible, p50 / p95',
        value: `${signInVisible.p50Ms} / ${signInVisible.p95Ms} ms`,
      },
      {
        what: 'first contentful paint, p50 / p95',
        value: `${firstContentfulPaint.p50Ms} / ${firstContentfulPaint.p95Ms} ms`,
      },
    ];
    printTable(rows);
    await writeResults('web', {
      setup: {
        browser: `Chromium ${browser.version()} headless, fresh context per load`,
        portal: 'built, own process',
        loads: Number(values.loads),
      },
      initialJs: js,
      signInVisible,
      firstContentfulPaint,
      table: rows,
    });
  } finally {
    await browser.close();
    await portal?.stop();
    await emulator?.stop();
    db.drop();
    await rm(work, { recursive: true, force: true });
  }
}
