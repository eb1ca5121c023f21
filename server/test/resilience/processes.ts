import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { testRunLogFile } from '../../../emulator/src/secret-ledger.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
/** The built server (`npm run build`): what `npm start` and the container run. */
export const BUILT_SERVER = path.join(REPO_ROOT, 'dist/server/src/server.js');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The first /readyz answer other than 200 from a portal that was just sent SIGTERM (it drains:
 * still serving, answering 503 `draining`), or its last answer after 3 s. Throws when nothing
 * answers, as when the listener closed at once.
 */
export async function readinessWhileDraining(url: string): Promise<{ status: number; error?: string }> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const answer = await fetch(`${url}/readyz`);
    if (answer.status !== 200 || Date.now() > deadline) {
      const body = (await answer.json()) as { error?: string };
      return { status: answer.status, error: body.error };
    }
    await sleep(20);
  }
}

/**
 * Every line any process of the suite wrote, for the secrets sweep: this file's own, and during
 * `npm test` the whole run's (a copy goes to the run folder's logs/).
 */
export class LogBook {
  private readonly chunks: string[] = [];
  private readonly file = testRunLogFile('resilience');
  add(source: string, text: string): void {
    this.chunks.push(`[${source}] ${text}`);
    if (this.file) appendFileSync(this.file, `[${source}] ${text}`);
  }
  text(): string {
    return this.chunks.join('');
  }
}

export interface PortalProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  /** Resolves once /readyz answers 200. */
  ready(timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the built portal (`node dist/server/src/server.js`) as `npm start` would. */
export async function startPortalProcess(
  name: string,
  env: Record<string, string>,
  logs: LogBook,
  port?: number,
): Promise<PortalProcess> {
  if (!existsSync(BUILT_SERVER)) throw new Error(`${BUILT_SERVER} is missing: run \`npm run build\` first`);
  const listenPort = port ?? (await freePort());
  let output = '';
  const child = spawn(process.execPath, [BUILT_SERVER], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(listenPort),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output += chunk;
    logs.add(name, chunk.toString());
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${listenPort}`;
  return {
    name,
    port: listenPort,
    url,
    child,
    exited,
    output: () => output,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && !gone) {
        try {
          const response = await fetch(`${url}/readyz`);
          if (response.status === 200) return;
        } catch {
          // not listening yet
        }
        await sleep(100);
      }
      throw new Error(`${name} did not become ready:\n${output}`);
    },
    async stop(signal = 'SIGTERM') {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}
