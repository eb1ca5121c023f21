import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { roleCredentials } from '../../test/credential-fixtures.ts';
import { renderCredentials } from './index.ts';

// bin/aws-mfa-portal-credentials.mjs, run as users run it, against a tiny stand-in for the
// portal's two endpoints (POST /api/v1/cli-tokens, GET /api/v1/credentials/process).

const HELPER = fileURLToPath(new URL('../../../bin/aws-mfa-portal-credentials.mjs', import.meta.url));
const AWS_CLI_V2 = '/usr/bin/aws';
const TOKEN = 'cli_tok_0123456789abcdefABCDEF-_.xyz';
const PROCESS_BODY = renderCredentials('process', roleCredentials).body;

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Handler = (req: SeenRequest, res: ServerResponse) => void;

let server: Server;
let portal: string;
let dir: string;
let seen: SeenRequest[] = [];
let handler: Handler;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Behaves like the portal: the one token it issued is valid; every other token is expired. */
const portalHandler: Handler = (req, res) => {
  const url = new URL(req.url, 'http://portal');
  if (req.method === 'POST' && url.pathname === '/api/v1/cli-tokens') {
    const { userName, code } = JSON.parse(req.body) as { userName: string; code: string };
    if (userName === 'alice' && code === '123456') {
      return sendJson(res, 201, { token: TOKEN, expiresAt: '2030-01-02T15:00:00.000Z' });
    }
    return sendJson(res, 401, {
      error: 'invalid_mfa_code',
      message: 'The MFA code is wrong or was already used.',
      requestId: 'r1',
    });
  }
  if (req.method === 'GET' && url.pathname === '/api/v1/credentials/process') {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return sendJson(res, 401, { error: 'token_expired', message: 'The CLI token has expired.', requestId: 'r2' });
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(PROCESS_BODY);
  }
  sendJson(res, 404, { error: 'not_found', message: 'No such route.', requestId: 'r3' });
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'credential-helper-'));
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  portal = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

let cacheCounter = 0;
/** Each test starts without cached credentials (the helper caches per token and role). */
let cacheHome = '';

beforeEach(() => {
  seen = [];
  handler = portalHandler;
  cacheHome = path.join(dir, `cache-${++cacheCounter}`);
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runHelper(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HELPER, ...args], {
      env: { PATH: '/usr/bin:/bin', HOME: dir, XDG_CACHE_HOME: cacheHome, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

let fileCounter = 0;
/** A token file as login writes it, with the given mode. */
async function tokenFile(mode: number, content: Record<string, string> | string = {}): Promise<string> {
  const file = path.join(dir, `token-${++fileCounter}`);
  const body =
    typeof content === 'string'
      ? content
      : JSON.stringify({ portal, userName: 'alice', token: TOKEN, expiresAt: '2030-01-02T15:00:00.000Z', ...content });
  await writeFile(file, body);
  await chmod(file, mode);
  return file;
}

/** Every failure: exit 1, nothing on stdout, one line on stderr, and never the token. */
function expectFailure(result: Run): string {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).not.toContain(TOKEN);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^aws-mfa-portal-credentials: /);
  return result.stderr.trimEnd();
}

describe('login', () => {
  it('trades an MFA code for a token kept in a new 0600 file in a new 0700 directory', async () => {
    const file = path.join(dir, 'fresh', 'nested', 'token');
    const result = await runHelper(['login', '--portal', portal, '--user', 'alice', '--token-file', file], {
      input: '123456\n',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(TOKEN);
    expect(result.stderr).toContain(`Signed in to ${portal} as alice. Token saved to ${file}`);

    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/v1/cli-tokens' });
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ userName: 'alice', code: '123456' });

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      portal,
      userName: 'alice',
      token: TOKEN,
      expiresAt: '2030-01-02T15:00:00.000Z',
    });
    expect(await readdir(path.dirname(file))).toEqual(['token']);
  });

  it('replaces an existing token file atomically, leaving no temp file', async () => {
    const file = await tokenFile(0o600, { token: 'old_token_0123456789abcdef' });
    const result = await runHelper(['login', '--portal', portal, '--user', 'alice', '--token-file', file], {
      input: '123456\n',
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8')).token).toBe(TOKEN);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('says so when the portal rejects the code, and writes nothing', async () => {
    const file = path.join(dir, 'never-written');
    const result = await runHelper(['login', '--portal', portal, '--user', 'alice', '--token-file', file], {
      input: '000000\n',
    });
    expect(expectFailure(result)).toContain('did not accept that MFA code');
    expect(existsSync(file)).toBe(false);
  });

  it('takes a code with the spaces people paste, as the portal does, and sends its digits', async () => {
    const file = path.join(dir, 'spaced-code');
    const result = await runHelper(['login', '--portal', portal, '--user', 'alice', '--token-file', file], {
      input: '123 456\n',
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(seen[0]!.body)).toEqual({ userName: 'alice', code: '123456' });
  });

  it('checks the code locally before calling the portal', async () => {
    const result = await runHelper(
      ['login', '--portal', portal, '--user', 'alice', '--token-file', path.join(dir, 'x')],
      {
        input: '12345\n',
      },
    );
    expect(expectFailure(result)).toContain('6 digits');
    expect(seen).toHaveLength(0);
  });
});

describe('credential_process', () => {
  it('prints the portal body exactly, asking with the bearer token, role and duration', async () => {
    const file = await tokenFile(0o600);
    const result = await runHelper([
      '--role',
      'readonly',
      '--portal',
      portal,
      '--token-file',
      file,
      '--duration',
      '1800',
    ]);
    expect(result).toEqual({ code: 0, stdout: PROCESS_BODY, stderr: '' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/api/v1/credentials/process?role=readonly&durationSeconds=1800');
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]?.headers.accept).toBe('application/json');
  });

  it('finds the portal in the token file and the token file in ~/.config by default', async () => {
    const home = await mkdtemp(path.join(dir, 'home-'));
    const login = await runHelper(['login', '--portal', portal, '--user', 'alice'], {
      input: '123456\n',
      env: { HOME: home },
    });
    expect(login.code).toBe(0);
    expect(existsSync(path.join(home, '.config', 'aws-mfa-portal', 'token'))).toBe(true);
    const result = await runHelper(['--role', 'readonly'], { env: { HOME: home } });
    expect(result).toEqual({ code: 0, stdout: PROCESS_BODY, stderr: '' });
  });

  it('accepts a file holding just the token, with the portal from AWS_MFA_PORTAL_URL', async () => {
    const file = await tokenFile(0o600, `${TOKEN}\n`);
    const result = await runHelper(['--role', 'readonly', '--token-file', file], {
      env: { AWS_MFA_PORTAL_URL: portal },
    });
    expect(result).toEqual({ code: 0, stdout: PROCESS_BODY, stderr: '' });
  });

  it.each(['0644', '0640', '0604', '0660', '0666', '0602'])(
    'refuses a token file with mode %s and says how to fix it',
    async (octal) => {
      const mode = Number.parseInt(octal, 8);
      const file = await tokenFile(mode);
      const message = expectFailure(await runHelper(['--role', 'readonly', '--portal', portal, '--token-file', file]));
      expect(message).toContain(`other users can access it (mode ${octal})`);
      expect(message).toContain(`chmod 600 ${file}`);
      expect(seen).toHaveLength(0);
    },
  );

  it.runIf(process.getuid?.() === 0)('refuses a token file owned by another user', async () => {
    const file = await tokenFile(0o600);
    await chown(file, 65534, 65534);
    const message = expectFailure(await runHelper(['--role', 'readonly', '--portal', portal, '--token-file', file]));
    expect(message).toContain('it belongs to user id 65534, not to you (0)');
    expect(seen).toHaveLength(0);
  });

  it('tells the user how to get a new token when the portal says it expired', async () => {
    const file = await tokenFile(0o600, { token: 'stale_token_0123456789abcdef' });
    const message = expectFailure(await runHelper(['--role', 'readonly', '--token-file', file]));
    expect(message).toBe(
      `aws-mfa-portal-credentials: Your portal token has expired. Get a new one: aws-mfa-portal-credentials login --portal ${portal} --user alice (or open ${portal})`,
    );
    expect(message).not.toContain('stale_token_0123456789abcdef');
  });

  it('does not call the portal with a token the file already marks as expired', async () => {
    const file = await tokenFile(0o600, { expiresAt: '2020-01-01T00:00:00Z' });
    expect(expectFailure(await runHelper(['--role', 'readonly', '--token-file', file]))).toContain(
      'Your portal token has expired.',
    );
    expect(seen).toHaveLength(0);
  });

  it('explains a revoked token', async () => {
    handler = (_req, res) => sendJson(res, 401, { error: 'invalid_token', message: 'Unknown token.' });
    const file = await tokenFile(0o600);
    expect(expectFailure(await runHelper(['--role', 'readonly', '--token-file', file]))).toContain(
      'Your portal token is not valid',
    );
  });

  it('passes on the portal message for a refused role, on one line', async () => {
    handler = (_req, res) =>
      sendJson(res, 403, { error: 'role_not_assumable', message: 'You may not use\nrole admin.', requestId: 'r' });
    const file = await tokenFile(0o600);
    expect(expectFailure(await runHelper(['--role', 'admin', '--token-file', file]))).toBe(
      'aws-mfa-portal-credentials: The portal refused to issue credentials for role admin (HTTP 403, role_not_assumable): You may not use role admin.',
    );
  });

  it('asks to retry later when AWS is unavailable or the portal rate-limits', async () => {
    const file = await tokenFile(0o600);
    handler = (_req, res) => sendJson(res, 503, { error: 'aws_unavailable', message: 'AWS did not answer.' });
    expect(expectFailure(await runHelper(['--role', 'readonly', '--token-file', file]))).toContain(
      'Try again shortly.',
    );
    handler = (_req, res) =>
      sendJson(res, 429, { error: 'rate_limited', message: 'Slow down.' }, { 'retry-after': '42' });
    expect(expectFailure(await runHelper(['--role', 'readonly', '--token-file', file]))).toContain(
      'try again in 42 seconds',
    );
  });

  it('never passes on a 200 answer that is not credential_process JSON', async () => {
    const file = await tokenFile(0o600);
    for (const body of [
      '<html>login</html>',
      '{"Version":2}',
      JSON.stringify({ ...JSON.parse(PROCESS_BODY), SessionToken: undefined }),
    ]) {
      handler = (_req, res) => sendJson(res, 200, body);
      expect(expectFailure(await runHelper(['--role', 'readonly', '--token-file', file]))).toContain(
        'without valid credential_process JSON',
      );
    }
  });

  it('does not follow redirects with the token', async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: `${portal}/elsewhere` });
      res.end();
    };
    const file = await tokenFile(0o600);
    expect(expectFailure(await runHelper(['--role', 'readonly', '--token-file', file]))).toContain('redirected');
    expect(seen).toHaveLength(1);
  });

  it('never sends a token to a portal other than the one that issued it', async () => {
    const file = await tokenFile(0o600, { portal: 'https://other-portal.example.com' });
    expect(expectFailure(await runHelper(['--role', 'readonly', '--portal', portal, '--token-file', file]))).toContain(
      'was issued by https://other-portal.example.com',
    );
    expect(seen).toHaveLength(0);
  });

  it('refuses clear-text http to anything but localhost', async () => {
    const file = await tokenFile(0o600, { portal: 'http://portal.example.com' });
    expect(expectFailure(await runHelper(['--role', 'readonly', '--token-file', file]))).toContain(
      'must not travel in clear text',
    );
    const login = await runHelper(['login', '--portal', 'http://portal.example.com', '--user', 'alice'], {
      input: '123456\n',
    });
    expect(expectFailure(login)).toContain('must not travel in clear text');
  });

  it('never takes the token on the command line, and never echoes unknown arguments', async () => {
    expect(expectFailure(await runHelper(['--role', 'readonly', '--token', TOKEN]))).toContain(
      'never taken from the command line',
    );
    expect(expectFailure(await runHelper(['--role', 'readonly', `--token=${TOKEN}`]))).toContain(
      'never taken from the command line',
    );
    expect(expectFailure(await runHelper(['--role', 'readonly', TOKEN]))).toContain('Unexpected argument');
  });

  it('validates the role alias and duration before reading anything', async () => {
    expect(expectFailure(await runHelper(['--role', 'x;rm -rf /']))).toContain('role alias');
    expect(expectFailure(await runHelper(['--role', 'readonly', '--duration', '60']))).toContain('900 to 43200');
    expect(expectFailure(await runHelper([]))).toContain('Missing --role');
  });

  it('reports an unreachable portal', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const file = await tokenFile(0o600, { portal: `http://127.0.0.1:${port}` });
    expect(expectFailure(await runHelper(['--role', 'readonly', '--token-file', file]))).toBe(
      `aws-mfa-portal-credentials: Cannot reach the portal at http://127.0.0.1:${port} (ECONNREFUSED).`,
    );
  });
});

describe('the AWS CLI v2 runs the helper as its credential_process', () => {
  beforeAll(() => {
    if (!existsSync(AWS_CLI_V2)) {
      throw new Error(
        `The AWS CLI v2 is missing at ${AWS_CLI_V2}: install it (apt-get install awscli) to run these tests.`,
      );
    }
  });

  function awsCli(args: string[], config: string): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(AWS_CLI_V2, args, {
        env: {
          PATH: '/usr/bin:/bin',
          HOME: dir,
          XDG_CACHE_HOME: cacheHome,
          AWS_CONFIG_FILE: config,
          AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_PAGER: '',
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  async function configFor(tokenPath: string): Promise<string> {
    // The config format's credential_process line, with node and the token file spelled out
    // because the test cannot install the helper on PATH.
    const rendered = renderCredentials('config', roleCredentials, { portalUrl: portal, roleAlias: 'readonly' }).body;
    const body = rendered.replace(
      /^credential_process = aws-mfa-portal-credentials (.*)$/m,
      `credential_process = ${process.execPath} ${HELPER} $1 --token-file ${tokenPath}`,
    );
    const file = path.join(dir, `config-${++fileCounter}`);
    await writeFile(file, body);
    return file;
  }

  it('export-credentials shows the credentials the portal issued', async () => {
    const config = await configFor(await tokenFile(0o600));
    const result = await awsCli(
      ['configure', 'export-credentials', '--profile', '123456789012_ReadOnly', '--format', 'env'],
      config,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(renderCredentials('env', roleCredentials).body);
    expect(seen.map((request) => request.url)).toEqual(['/api/v1/credentials/process?role=readonly']);
  });

  it('configure list shows a custom-process profile with the region from the config format', async () => {
    const config = await configFor(await tokenFile(0o600));
    const result = await awsCli(['configure', 'list', '--profile', '123456789012_ReadOnly'], config);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/access_key\s+\*+ID2Z\s+custom-process/);
    expect(result.stdout).toMatch(/region\s+eu-west-1\s+config-file/);
  });

  it('shows the helper message when the token has expired', async () => {
    const config = await configFor(await tokenFile(0o600, { token: 'stale_token_0123456789abcdef' }));
    const result = await awsCli(['configure', 'export-credentials', '--profile', '123456789012_ReadOnly'], config);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Your portal token has expired. Get a new one');
  });
});
