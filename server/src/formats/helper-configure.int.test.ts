import { spawn } from 'node:child_process';
import {
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { roleCredentials } from '../../test/credential-fixtures.ts';
import { BLOCK_BEGIN, BLOCK_END, renderCredentials } from './index.ts';

// The helper's `configure`, its credential cache and --code-command, against a tiny stand-in for
// the portal (GET /api/v1/aws-config, GET /api/v1/credentials/process). The real portal and the
// AWS CLI reading the result are in server/test/aws-config.int.test.ts.

const HELPER = fileURLToPath(new URL('../../../bin/aws-mfa-portal-credentials.mjs', import.meta.url));
const TOKEN = 'amp_0123456789abcdefABCDEF0123456789abcdefABCDE';
const PROCESS_BODY = renderCredentials('process', roleCredentials).body;

let server: Server;
let portal: string;
let dir: string;
let home: string;
let profiles: unknown;
let processCalls = 0;
let homeCounter = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'helper-configure-'));
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://portal');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: 'invalid_token', message: 'No.', requestId: 'r' }));
    }
    if (url.pathname === '/api/v1/aws-config' && url.searchParams.get('format') === 'json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ userName: 'alice', portalUrl: portal, profiles }));
    }
    if (url.pathname === '/api/v1/credentials/process') {
      processCalls += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(PROCESS_BODY);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  portal = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const profile = (name: string, roleAlias = name) => ({
  profile: name,
  roleAlias,
  roleArn: `arn:aws:iam::111111111111:role/${roleAlias}`,
  accountId: '111111111111',
  accountAlias: 'demo',
  region: 'us-east-1',
  durationSeconds: 3600,
});

beforeEach(async () => {
  home = path.join(dir, `home-${++homeCounter}`);
  await mkdir(path.join(home, '.config', 'aws-mfa-portal'), { recursive: true });
  await writeFile(
    path.join(home, '.config', 'aws-mfa-portal', 'token'),
    JSON.stringify({ portal, userName: 'alice', token: TOKEN, expiresAt: '2030-01-01T00:00:00.000Z' }),
    { mode: 0o600 },
  );
  profiles = [profile('demo-readonly', 'readonly'), profile('demo-deploy', 'deploy')];
  processCalls = 0;
});

function helper(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [HELPER, ...args], {
      env: { PATH: '/usr/bin:/bin', HOME: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const configFile = () => path.join(home, '.aws', 'config');

describe('configure', () => {
  it('creates ~/.aws/config (0600, directory 0700) with the block, then reports it up to date', async () => {
    const first = await helper(['configure', '--command', 'aws-mfa-portal-credentials']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    const text = await readFile(configFile(), 'utf8');
    expect(text.startsWith(`${BLOCK_BEGIN}\n`)).toBe(true);
    expect(text).toContain(
      `[profile demo-deploy]\ncredential_process = aws-mfa-portal-credentials --portal ${portal} --role deploy --duration 3600\nregion = us-east-1\nduration_seconds = 3600\n`,
    );
    expect(text.endsWith(`${BLOCK_END}\n`)).toBe(true);
    expect((await stat(configFile())).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(configFile()))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.dirname(configFile()))).toEqual(['config']);

    const second = await helper(['configure', '--command', 'aws-mfa-portal-credentials']);
    expect(second.stderr).toContain('is up to date');
  });

  it('replaces its block in place, keeping CRLF lines outside it and a symlinked config a link', async () => {
    const real = path.join(home, 'dotfiles', 'aws-config');
    await mkdir(path.dirname(real), { recursive: true });
    await mkdir(path.dirname(configFile()), { recursive: true });
    const before = '[default]\r\nregion = eu-west-1\r\n\r\n';
    const after = '\r\n[profile mine]\r\nregion = eu-north-1\r\n';
    await writeFile(real, `${before}${BLOCK_BEGIN}\r\n[profile demo-old]\r\nregion = x\r\n${BLOCK_END}\r\n${after}`);
    await symlink(real, configFile());
    const result = await helper(['configure']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('removed (roles you no longer have): demo-old');
    expect(result.stderr).toContain('added: demo-readonly, demo-deploy');
    expect((await lstat(configFile())).isSymbolicLink()).toBe(true);
    const text = await readFile(real, 'utf8');
    expect(text.startsWith(`${before}${BLOCK_BEGIN}\r\n`)).toBe(true);
    expect(text.endsWith(`${BLOCK_END}\r\n${after}`)).toBe(true);
    expect(text).not.toContain('demo-old');
    // Not on PATH here: node and the helper by absolute path.
    expect(text).toContain(`credential_process = ${process.execPath} ${HELPER} --portal ${portal} --role readonly`);
  });

  it('changes nothing when the marker lines are damaged', async () => {
    await mkdir(path.dirname(configFile()), { recursive: true });
    const damaged = `[default]\nregion = eu-west-1\n${BLOCK_BEGIN}\n[profile x]\n`;
    await writeFile(configFile(), damaged);
    const result = await helper(['configure']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('damaged');
    expect(await readFile(configFile(), 'utf8')).toBe(damaged);
  });

  it('writes nothing a hostile or broken portal sends that could become a command or a section', async () => {
    for (const bad of [
      [profile('x]\n[profile evil')],
      [{ ...profile('ok'), roleAlias: 'readonly --role x; rm -rf ~' }],
      [{ ...profile('ok'), region: 'us-east-1\ncredential_process = /bin/sh' }],
      [{ ...profile('ok'), durationSeconds: '3600 --token-file /etc/shadow' }],
      [profile('default')],
      [profile('twice'), profile('twice', 'other')],
    ]) {
      profiles = bad;
      const result = await helper(['configure']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('unusable profile list');
    }
    await expect(stat(configFile())).rejects.toThrow();
  });

  it('says the token is not valid, and writes nothing, when the portal refuses it', async () => {
    await writeFile(
      path.join(home, '.config', 'aws-mfa-portal', 'token'),
      JSON.stringify({ portal, userName: 'alice', token: 'amp_wrongwrongwrongwrongwrongwrongwrongwrong123' }),
      { mode: 0o600 },
    );
    const result = await helper(['configure']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('portal token is not valid');
    await expect(stat(configFile())).rejects.toThrow();
  });
});

describe('the credential cache', () => {
  const args = () => ['--role', 'readonly'];

  it('answers from the cache after the first call, and refuses a cache file another user owns', async () => {
    expect((await helper(args())).stdout).toBe(PROCESS_BODY);
    expect((await helper(args())).stdout).toBe(PROCESS_BODY);
    expect(processCalls).toBe(1);
    const cacheDir = path.join(home, '.cache', 'aws-mfa-portal', 'credentials');
    const [name] = await readdir(cacheDir);
    const file = path.join(cacheDir, name!);
    await chown(file, 4321, 4321);
    const refused = await helper(args());
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`Refusing to use ${file}: it belongs to user id 4321`);
  });

  it('deletes cache files older than any session after an issuance', async () => {
    const cacheDir = path.join(home, '.cache', 'aws-mfa-portal', 'credentials');
    await mkdir(cacheDir, { recursive: true });
    const stale = path.join(cacheDir, `${'a'.repeat(40)}.json`);
    await writeFile(stale, PROCESS_BODY, { mode: 0o600 });
    const old = new Date(Date.now() - 13 * 3600_000);
    await utimes(stale, old, old);
    expect((await helper(args())).code).toBe(0);
    expect(await readdir(cacheDir)).toHaveLength(1);
    await expect(stat(stale)).rejects.toThrow();
  });

  it('does not follow a symbolic link planted as a cache file', async () => {
    expect((await helper(args())).code).toBe(0);
    const cacheDir = path.join(home, '.cache', 'aws-mfa-portal', 'credentials');
    const [name] = await readdir(cacheDir);
    const file = path.join(cacheDir, name!);
    await rm(file);
    await writeFile(path.join(dir, 'planted.json'), PROCESS_BODY, { mode: 0o600 });
    await symlink(path.join(dir, 'planted.json'), file);
    const refused = await helper(args());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('symbolic link');
  });

  it('ignores a damaged cache file and replaces it', async () => {
    expect((await helper(args())).code).toBe(0);
    const cacheDir = path.join(home, '.cache', 'aws-mfa-portal', 'credentials');
    const [name] = await readdir(cacheDir);
    await writeFile(path.join(cacheDir, name!), '{"Version": 1, "AccessKeyId": ', { mode: 0o600 });
    expect((await helper(args())).stdout).toBe(PROCESS_BODY);
    expect(processCalls).toBe(2);
    expect(await readFile(path.join(cacheDir, name!), 'utf8')).toBe(PROCESS_BODY);
  });
});

describe('login --code-command', () => {
  it('never shows what the command printed, even when it is not a code', async () => {
    const result = await helper([
      'login',
      '--portal',
      portal,
      '--user',
      'alice',
      '--code-command',
      'echo sesame-98765',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('did not print a 6-digit code');
    expect(result.stderr).not.toContain('sesame');
    expect(result.stderr).not.toContain('98765');
  });
});
