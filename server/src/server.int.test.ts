import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readinessWhileDraining } from '../test/resilience/processes.ts';
import { testDatabaseUrls } from '../test/test-databases.ts';

/** The server process as `npm start` runs it: settings from the environment, signals, exit codes. */
const SERVER = path.resolve(import.meta.dirname, 'server.ts');
// Resolved here: the server runs in an empty working directory, where `tsx` is not installed.
const TSX = import.meta.resolve('tsx');
const dir = mkdtempSync(path.join(tmpdir(), 'portal-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  let output = '';
  const child = spawn(process.execPath, ['--import', TSX, SERVER], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      LOG_LEVEL: 'warn',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForReady(port: number, exited: Promise<number | null>): Promise<Response> {
  const deadline = Date.now() + 30_000;
  let early = false;
  void exited.then(() => (early = true));
  while (Date.now() < deadline && !early) {
    try {
      return await fetch(`http://127.0.0.1:${port}/readyz`);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error('the server did not start');
}

describe('server process', () => {
  it('refuses to start on bad settings, naming each one, without a stack trace', async () => {
    const { output, exited } = start({ PORT: 'abc', DATABASE_URL: 'mysql://db/portal' });
    expect(await exited).toBe(78);
    expect(output()).toContain('PORT: must be a number');
    expect(output()).toContain('DATABASE_URL: unsupported database URL scheme "mysql:"');
    expect(output()).not.toMatch(/\n\s+at /);
  });

  it('refuses to start with an https PUBLIC_URL and no trusted proxy, or with TRUST_PROXY_HOPS, saying what to set', async () => {
    const { output, exited } = start({ PUBLIC_URL: 'https://portal.example.com', TRUST_PROXY_HOPS: '1' });
    expect(await exited).toBe(78);
    expect(output()).toContain('TRUSTED_PROXIES: must name the proxy that terminates TLS when PUBLIC_URL is https');
    expect(output()).toContain('TRUST_PROXY_HOPS: is no longer read');
  });

  it.each(testDatabaseUrls())(
    'starts with no other configuration on $name, is ready, and on SIGTERM drains before it exits',
    async ({ name, create }) => {
      const db = await create({ migrate: false });
      const port = await freePort();
      // SQLite: the default URL, created under the working directory on first start.
      const env: Record<string, string> = {
        PORT: String(port),
        ...(name === 'postgresql' ? { DATABASE_URL: db.url } : {}),
      };
      const { child, output, exited } = start(env);
      try {
        const ready = await waitForReady(port, exited);
        expect(ready.status, output()).toBe(200);
        expect(await ready.json()).toEqual({ status: 'ready' });
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
        const signalled = Date.now();
        child.kill('SIGTERM');
        // Draining (SHUTDOWN_DRAIN_SECONDS, 5 by default): it serves on, /readyz sends balancers
        // away, and each answer closes its connection.
        expect(await readinessWhileDraining(`http://127.0.0.1:${port}`)).toEqual({ status: 503, error: 'draining' });
        const alive = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(alive.status).toBe(200);
        expect(alive.headers.get('connection')).toBe('close');
        expect(await exited).toBe(0);
        expect(Date.now() - signalled).toBeGreaterThanOrEqual(5_000);
      } finally {
        child.kill('SIGKILL');
        await db.drop();
      }
    },
  );
});
