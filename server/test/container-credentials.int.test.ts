import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnrolledPortal } from './enrolled-portal.ts';
import { ACCOUNT, type PortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

/**
 * The container credentials endpoint as the SDKs use it, each in its own process with nothing
 * but the two environment variables: boto3 (Debian's /usr/bin/python3), the AWS CLI v2
 * (/usr/bin/aws) and the AWS SDK for JavaScript v3's default provider chain, over loopback http.
 * The emulator's clock decides the credentials' Expiration, so setting it 12 minutes behind makes
 * 15-minute credentials expire 3 minutes from now: inside every SDK's refresh window.
 */
const AWS_CLI = '/usr/bin/aws';
const PYTHON = '/usr/bin/python3';
const REPO = path.resolve(import.meta.dirname, '../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
const run = (file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> =>
  new Promise((resolve) => {
    execFile(file, args, { env, cwd: REPO, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

const BOTO3 = `
import boto3, json, os
client = boto3.session.Session().client('sts', endpoint_url=os.environ['EMULATOR'], region_name='us-east-1')
print(json.dumps([client.get_caller_identity()['Arn'] for _ in range(3)]))
`;

/** Calls once, waits for a line on stdin, calls again (its credentials are then due for refresh). */
const BOTO3_UNTIL_REVOKED = `
import boto3, os, sys
client = boto3.session.Session().client('sts', endpoint_url=os.environ['EMULATOR'], region_name='us-east-1')
print(client.get_caller_identity()['Arn'], flush=True)
sys.stdin.readline()
print(client.get_caller_identity()['Arn'], flush=True)
`;

const SDK_V3 = `
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
const client = new STSClient({ endpoint: process.env.EMULATOR, maxAttempts: 1 });
try {
  const arns = [];
  for (let i = 0; i < 3; i++) arns.push((await client.send(new GetCallerIdentityCommand({}))).Arn);
  console.log(JSON.stringify(arns));
} catch (error) {
  console.error(\`\${error.name}: \${error.message} \${error.Code ?? ''} \${error.Message ?? ''}\`);
  process.exit(1);
}
`;

// Real clients start slowly on a busy 2-core machine, and botocore pauses between retries.
describe('container credentials endpoint with boto3, the AWS CLI v2 and SDK v3', { timeout: 90_000 }, () => {
  let db: TestDatabase;
  let portal: PortalHarness;
  let base: string;
  let dir: string;
  let token: string;

  beforeAll(async () => {
    for (const [file, pkg] of [
      [AWS_CLI, 'awscli'],
      [PYTHON, 'python3-boto3'],
    ])
      if (!existsSync(file!)) throw new Error(`${file} is missing: apt-get install -y ${pkg}`);
    db = await testDatabaseUrls()[0]!.create({ migrate: false });
    portal = await startEnrolledPortal({ databaseUrl: db.url });
    await portal.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(portal.app.server.address() as AddressInfo).port}/api/v1/container-credentials`;
    dir = mkdtempSync(path.join(tmpdir(), 'container-credentials-'));
    const created = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/cli-tokens',
      payload: { userName: 'alice', code: portal.nextCode('alice') },
    });
    token = created.json().token as string;
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Sets AWS's clock (the emulator's) this many seconds from the real time. */
  const setAwsClock = (offsetSeconds: number) =>
    portal.advance((Date.now() + offsetSeconds * 1000 - portal.now().getTime()) / 1000);

  const fetches = () =>
    portal.database.prisma.auditEvent.count({ where: { action: 'credentials.container', outcome: 'success' } });

  const env = (uri: string, auth: Record<string, string>) => ({
    PATH: '/usr/bin:/bin',
    HOME: dir,
    AWS_CONFIG_FILE: path.join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: uri,
    EMULATOR: portal.emulator.url,
    ...auth,
  });
  const tokenEnv = (uri: string, value = token) => env(uri, { AWS_CONTAINER_AUTHORIZATION_TOKEN: value });
  const tokenFileEnv = (uri: string, value = token) => {
    const file = path.join(dir, 'token');
    writeFileSync(file, value, { mode: 0o600 });
    return env(uri, { AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file });
  };

  const clients = {
    boto3: (e: NodeJS.ProcessEnv) => run(PYTHON, ['-c', BOTO3], e),
    'AWS CLI v2': (e: NodeJS.ProcessEnv) =>
      run(
        AWS_CLI,
        ['iam', 'list-users', '--page-size', '1', '--endpoint-url', portal.emulator.url, '--output', 'json'],
        e,
      ),
    'SDK v3': (e: NodeJS.ProcessEnv) => run(process.execPath, ['--input-type=module', '-e', SDK_V3], e),
  };
  const ROLE_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/ReadOnly/alice`;

  it('answers the protocol’s JSON, and its errors with code and message', async () => {
    setAwsClock(0);
    const ok = await fetch(`${base}/readonly`, { headers: { authorization: token } });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['AccessKeyId', 'Expiration', 'RoleArn', 'SecretAccessKey', 'Token']);
    expect(body.RoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/ReadOnly`);
    expect(new Date(body.Expiration!).toISOString()).toBe(body.Expiration);
    const bearer = await fetch(`${base}/readonly`, { headers: { authorization: `Bearer ${token}` } });
    expect(bearer.status).toBe(200);

    const missing = await fetch(`${base}/readonly`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({
      code: 'invalid_token',
      Code: 'invalid_token',
      error: 'invalid_token',
    });
    const wrong = await fetch(`${base}/readonly`, { headers: { authorization: 'amp_not-a-token' } });
    expect(await wrong.json()).toMatchObject({ code: 'invalid_token', message: expect.stringMatching(/not valid/) });
    const notGranted = await fetch(`${base}/admin`, { headers: { authorization: token } });
    expect(notGranted.status).toBe(403);
    expect(await notGranted.json()).toMatchObject({ code: 'role_not_allowed' });
    const row = await portal.database.prisma.auditEvent.findFirst({
      where: { action: 'credentials.container' },
      orderBy: { seq: 'desc' },
    });
    expect(row).toMatchObject({ actor: 'alice', outcome: 'denied', errorCode: 'role_not_allowed' });
  });

  it.each(Object.entries(clients))('%s fetches once while credentials are fresh', async (_name, client) => {
    setAwsClock(0);
    const before = await fetches();
    const result = await client(tokenEnv(`${base}/readonly`));
    expect(result.code, result.stderr).toBe(0);
    expect(await fetches()).toBe(before + 1);
  });

  it.each(Object.entries(clients))('%s refreshes by itself near expiry', async (name, client) => {
    setAwsClock(-12 * 60);
    const before = await fetches();
    const uri = `${base}/readonly?durationSeconds=900`;
    const result = await client(name === 'SDK v3' ? tokenFileEnv(uri) : tokenEnv(uri));
    expect(result.code, result.stderr).toBe(0);
    if (name !== 'AWS CLI v2') expect(JSON.parse(result.stdout)).toEqual([ROLE_ARN, ROLE_ARN, ROLE_ARN]);
    // Calls found their credentials inside the refresh window and fetched new ones by themselves.
    expect(await fetches()).toBeGreaterThanOrEqual(before + 2);
    setAwsClock(0);
  });

  it('stops a running boto3 program at its next refresh once its token is revoked', async () => {
    const second = (
      await portal.app.inject({
        method: 'POST',
        url: '/api/v1/cli-tokens',
        payload: { userName: 'alice', code: portal.nextCode('alice') },
      })
    ).json().token as string;
    setAwsClock(-12 * 60);
    const program = spawn(PYTHON, ['-c', BOTO3_UNTIL_REVOKED], {
      env: tokenEnv(`${base}/readonly?durationSeconds=900`, second),
      cwd: REPO,
    });
    let stdout = '';
    let stderr = '';
    program.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    program.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => program.on('close', resolve));
    try {
      await expect.poll(() => stdout, { timeout: 30_000 }).toContain(ROLE_ARN);
      const mine = (await portal.app.services.cliTokens.listOf('alice')).find((t) => t.status === 'active')!;
      await portal.app.services.cliTokens.revoke({
        userName: 'alice',
        tokenId: mine.id,
        by: { actor: 'alice', origin: {} },
      });
      program.stdin.end('go\n');
      expect(await exited).not.toBe(0);
      expect(stderr).toMatch(/Received non 200 response \(401\)[^\n]*"code":"invalid_token"/);
    } finally {
      program.kill();
      setAwsClock(0);
    }
  });

  it('stops every client with a clear error once the token is revoked or expired', async () => {
    setAwsClock(0);
    const expiring = (
      await portal.app.inject({
        method: 'POST',
        url: '/api/v1/cli-tokens',
        payload: { userName: 'alice', code: portal.nextCode('alice') },
      })
    ).json().token as string;
    // Newest first: `expiring` is the first, the suite's own `token` the last (oldest).
    const listed = await portal.app.services.cliTokens.listOf('alice');
    await portal.app.services.cliTokens.revoke({
      userName: 'alice',
      tokenId: listed.at(-1)!.id,
      by: { actor: 'alice', origin: {} },
    });
    // `expiring` expires (as when its MFA session ends).
    await portal.database.prisma.cliToken.update({ where: { id: listed[0]!.id }, data: { expiresAt: new Date(0) } });
    // botocore retries a refused fetch with pauses (about 6 s a run), so each botocore client is
    // shown one case and the runs go in parallel.
    const runs = await Promise.all([
      clients.boto3(tokenEnv(`${base}/readonly`, token)).then((r) => ['boto3', 'invalid_token', r] as const),
      clients['AWS CLI v2'](tokenEnv(`${base}/readonly`, expiring)).then(
        (r) => ['AWS CLI v2', 'token_expired', r] as const,
      ),
      clients['SDK v3'](tokenFileEnv(`${base}/readonly`, token)).then((r) => ['SDK v3', 'invalid_token', r] as const),
    ]);
    for (const [name, code, result] of runs) {
      expect(result.code, `${name}: ${result.stdout}`).not.toBe(0);
      if (name === 'SDK v3') {
        // The JS default chain reports only that no provider worked (it hides each one's reason).
        expect(result.stderr).toMatch(/Could not load credentials from any providers/);
      } else {
        expect(result.stderr, name).toMatch(/Received non 200 response \(401\)/);
        expect(result.stderr, name).toContain(`"code":"${code}"`);
      }
    }
  });
});
