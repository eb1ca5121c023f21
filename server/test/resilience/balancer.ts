import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, type LogBook, REPO_ROOT, sleep } from './processes.ts';

/** The balancer configuration shipped for operators (docker-compose's `scale-out` profile uses it too). */
export const HAPROXY_TEMPLATE = path.join(REPO_ROOT, 'deploy/haproxy/haproxy.cfg');

export interface Balancer {
  url: string;
  port: number;
  /** The test certificate's PEM, for clients' trust store. */
  ca: string;
  close(): Promise<void>;
}

/**
 * HAProxy from Debian in front of the given backends: TLS terminated with a self-signed
 * certificate made for this run (openssl), round-robin, no stickiness, health checks on /readyz.
 * The configuration is deploy/haproxy/haproxy.cfg with the addresses filled in.
 */
export async function startHaproxy(
  backends: Array<{ name: string; port: number }>,
  logs: LogBook,
  port?: number,
): Promise<Balancer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'portal-haproxy-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  const ca = readFileSync(certFile, 'utf8');
  const bundle = path.join(dir, 'portal.pem');
  writeFileSync(bundle, ca + readFileSync(keyFile, 'utf8'));
  const listenPort = port ?? (await freePort());
  const servers = backends.map((b) => `    server ${b.name} 127.0.0.1:${b.port} check`).join('\n');
  const config = readFileSync(HAPROXY_TEMPLATE, 'utf8')
    .replace('bind :443 ssl crt /etc/haproxy/certs/portal.pem', `bind 127.0.0.1:${listenPort} ssl crt ${bundle}`)
    .replace(/^ {4}server .*$(\n {4}server .*$)*/m, servers)
    // Tests only: which instance answered, to prove that requests alternate.
    .replace('    balance roundrobin', '    balance roundrobin\n    http-response set-header x-served-by %s');
  const configFile = path.join(dir, 'haproxy.cfg');
  writeFileSync(configFile, config);
  execFileSync('haproxy', ['-c', '-q', '-f', configFile]);
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => logs.add('haproxy', d.toString()));
  child.stderr!.on('data', (d: Buffer) => logs.add('haproxy', d.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = `https://127.0.0.1:${listenPort}`;
  const client = new HttpsClient(url, ca);
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await client.request('GET', '/readyz')).status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('haproxy did not come up');
    await sleep(100);
  }
  return {
    url,
    port: listenPort,
    ca,
    async close() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** A small HTTPS client that trusts the test certificate (fetch cannot be given a CA). */
export class HttpsClient {
  private readonly agent: https.Agent;
  constructor(
    readonly base: string,
    ca: string,
  ) {
    this.agent = new https.Agent({ ca, keepAlive: true, maxSockets: 64 });
  }

  request(
    method: string,
    pathname: string,
    options: { headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
  ): Promise<HttpsAnswer> {
    const payload =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    const headers: Record<string, string> = { ...options.headers };
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
    return new Promise((resolve, reject) => {
      const request = https.request(
        new URL(pathname, this.base),
        { method, headers, agent: this.agent, timeout: options.timeoutMs ?? 30_000 },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body,
              json: <T>() => JSON.parse(body) as T,
            });
          });
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${pathname} timed out`)));
      request.on('error', reject);
      request.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `portal_session=...` from a response's Set-Cookie. */
export function cookieFrom(answer: HttpsAnswer): string {
  const raw = answer.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const found = all.find((c) => c.startsWith('portal_session='));
  if (!found) throw new Error(`no session cookie (status ${answer.status}: ${answer.body})`);
  return found.split(';')[0]!;
}
