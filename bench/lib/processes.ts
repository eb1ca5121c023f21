import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ROOT } from './results.ts';

/** The Node options `npm start` (and the Dockerfile, scripts/deployment-files.test.ts) runs the portal with. */
export const SHIPPED_NODE_OPTIONS = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(' ')
  .filter((word) => word.startsWith('--'));

/** Which malloc the portal's process runs with: the image's jemalloc (Dockerfile) or glibc's own. */
export type Allocator = 'jemalloc' | 'glibc';

/** The jemalloc settings the Dockerfile's runtime stage gives the portal (scripts/deployment-files.test.ts). */
export const SHIPPED_MALLOC_CONF = /^\s*MALLOC_CONF=(\S+)$/m.exec(
  readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'),
)![1]!;

/** Debian's jemalloc (`apt-get install libjemalloc2`), where it is installed. */
export function jemallocLibrary(): string | undefined {
  return ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib']
    .map((dir) => path.join(dir, 'libjemalloc.so.2'))
    .find((file) => existsSync(file));
}

/** A bench's `--allocator` value; without one, as the image ships the portal where this machine can. */
function allocatorFrom(value: string | undefined): Allocator {
  if (value === 'jemalloc' || value === 'glibc') return value;
  if (value !== undefined) throw new Error(`--allocator is jemalloc or glibc, not ${value}`);
  if (jemallocLibrary()) return 'jemalloc';
  console.log('libjemalloc2 is not installed: the portal runs on glibc malloc, not as the image runs it');
  return 'glibc';
}

function allocatorEnv(allocator: Allocator): Record<string, string> {
  if (allocator === 'glibc') return {};
  const library = jemallocLibrary();
  if (!library) throw new Error('--allocator jemalloc: install libjemalloc2 first (apt-get install libjemalloc2)');
  return { LD_PRELOAD: library, MALLOC_CONF: SHIPPED_MALLOC_CONF };
}

/**
 * The `parseArgs` options of a bench that starts the portal and measures its process (memory,
 * CPU): how to run it besides the shipped way.
 */
export const PORTAL_PROCESS_ARGS = {
  // Node options besides the shipped ones ("--no-optimize-for-size", "--max-old-space-size=128").
  'node-args': { type: 'string', default: '' },
  // jemalloc (with the Dockerfile's MALLOC_CONF; the default where libjemalloc2 is installed) or glibc.
  allocator: { type: 'string' },
} as const;

/** Those options read: the portal's extra Node options and its allocator. */
export function portalProcessFrom(values: { 'node-args'?: string; allocator?: string }): {
  nodeArgs: string[];
  allocator: Allocator;
} {
  return {
    nodeArgs: (values['node-args'] ?? '').split(' ').filter((arg) => arg !== ''),
    allocator: allocatorFrom(values.allocator),
  };
}

/** How the image runs the portal, for a bench's results beside its own choices. */
export const SHIPPED_PORTAL_SETUP = {
  shippedNodeOptions: SHIPPED_NODE_OPTIONS,
  shippedMallocConf: SHIPPED_MALLOC_CONF,
};

export interface Child {
  url: string;
  child: ChildProcess;
  /** Resident memory of the process in MiB (from /proc), or NaN where there is no /proc. */
  rssMiB(): number;
  /** CPU time (user + system) the process has used so far, in ms (from /proc; 10 ms resolution). */
  cpuMs(): number;
  stop(): Promise<void>;
}

function rssOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Math.round((kib / 1024) * 10) / 10;
  } catch {
    return Number.NaN;
  }
}

export function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** A free TCP port on 127.0.0.1 (the kernel's pick, released for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The emulator in its own process, as AWS would be: what talks to it pays for HTTP, SigV4 and XML. */
export async function startEmulatorProcess(statePath: string): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'emulator/src/cli.ts'), '--port', '0', '--state', statePath],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
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
  return { url, child, rssMiB: () => rssOf(child.pid), cpuMs: () => cpuMsOf(child.pid), stop: stopper(child) };
}

const SERVER_JS = path.join(ROOT, 'dist/server/src/server.js');

/** Builds the portal (web bundle and server) unless dist/ holds a build; `--rebuild` forces it. */
export function ensureBuilt(rebuild = false): void {
  if (!rebuild && existsSync(SERVER_JS) && existsSync(path.join(ROOT, 'dist/web/index.html'))) return;
  console.log('building the portal (npm run build) ...');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/**
 * The built portal (`node dist/server/src/server.js`, as `npm start` runs it) as a real HTTP
 * server in its own process, reaching the emulator through the AWS SDK's own variables. The
 * bench's loopback address is a trusted proxy, so each request can bring its own client
 * address in X-Forwarded-For and the per-address flood limit is not what gets measured.
 */
export async function startPortalProcess(options: {
  databaseUrl: string;
  masterKey: string;
  emulatorUrl: string;
  portalKey: { id: string; secret: string };
  env?: Record<string, string>;
  /** Default: as the image runs the portal, where this machine can (allocatorFrom). */
  allocator?: Allocator;
  /** Extra Node options, e.g. `--cpu-prof --cpu-prof-dir=...` to profile the portal. */
  nodeArgs?: string[];
}): Promise<Child> {
  ensureBuilt();
  const allocator = options.allocator ?? allocatorFrom(undefined);
  const port = await freePort();
  const child = spawn(process.execPath, [...SHIPPED_NODE_OPTIONS, ...(options.nodeArgs ?? []), SERVER_JS], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      PORTAL_MASTER_KEY: options.masterKey,
      TRUSTED_PROXIES: '127.0.0.1',
      LOG_LEVEL: 'info',
      COMPLIANCE_SCAN_INTERVAL_MINUTES: '0',
      MFA_FAILURE_FLOOR_MS: '0',
      // One instance, no balancer: nothing to drain for on SIGTERM.
      SHUTDOWN_DRAIN_SECONDS: '0',
      AWS_ENDPOINT_URL: options.emulatorUrl,
      AWS_ACCESS_KEY_ID: options.portalKey.id,
      AWS_SECRET_ACCESS_KEY: options.portalKey.secret,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...allocatorEnv(allocator),
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the portal exited (${code}) before it was ready`))),
  );
  exited.catch(() => {});
  const ready = (async () => {
    for (;;) {
      try {
        if ((await fetch(`${url}/readyz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  await Promise.race([ready, exited]);
  // The dynamic loader skips a preload it cannot load with a warning only: a run must not measure
  // glibc's malloc while its results say jemalloc.
  if (allocator === 'jemalloc' && !readFileSync(`/proc/${child.pid}/maps`, 'utf8').includes('libjemalloc')) {
    child.kill('SIGKILL');
    throw new Error('the portal did not load jemalloc (LD_PRELOAD)');
  }
  return { url, child, rssMiB: () => rssOf(child.pid), cpuMs: () => cpuMsOf(child.pid), stop: stopper(child) };
}
