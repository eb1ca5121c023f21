import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeAtStep, timeStepAt } from '../../emulator/src/totp.ts';
import { BLOCK_BEGIN, BLOCK_END } from '../src/formats/index.ts';
import { startEnrolledPortal } from './enrolled-portal.ts';
import { demoState, type PortalHarness, sessionCookie } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

/**
 * The generated ~/.aws/config (download and `configure`), the helper's credential cache and its
 * --code-command, against the real portal over HTTP, the emulator and the AWS CLI v2.
 */
const AWS_CLI = '/usr/bin/aws';
const HELPER = path.resolve(import.meta.dirname, '../../bin/aws-mfa-portal-credentials.mjs');
// Asynchronous on purpose: the portal answering the helper runs in this same process.
const run = promisify(execFile);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('generated AWS config, the credential cache and --code-command', () => {
  const sqlite = testDatabaseUrls()[0]!;
  let db: TestDatabase;
  let portal: PortalHarness;
  let portalUrl: string;
  let dir: string;
  let home: string;

  beforeAll(async () => {
    if (!existsSync(AWS_CLI)) throw new Error(`${AWS_CLI} is missing: apt-get install -y awscli`);
    db = await sqlite.create({ migrate: false });
    portal = await startEnrolledPortal({ databaseUrl: db.url });
    await portal.app.listen({ host: '127.0.0.1', port: 0 });
    portalUrl = `http://127.0.0.1:${(portal.app.server.address() as AddressInfo).port}`;
    dir = mkdtempSync(path.join(tmpdir(), 'aws-config-test-'));
    home = path.join(dir, 'home');
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    PATH: '/usr/bin:/bin',
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    ...extra,
  });

  function helper(args: string[], input = ''): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [HELPER, ...args], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input);
    });
  }

  const aws = async (args: string[], extra: Record<string, string> = {}) =>
    (await run(AWS_CLI, args, { env: env(extra) })).stdout;
  const callerArn = async (profile: string) =>
    (
      JSON.parse(
        await aws(['sts', 'get-caller-identity', '--profile', profile, '--endpoint-url', portal.emulator.url]),
      ) as { Arn: string }
    ).Arn;
  const issuances = () =>
    portal.database.prisma.auditEvent.count({ where: { action: 'credentials.process', outcome: 'success' } });

  async function signInCookie(userName: string): Promise<string> {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName, code: portal.nextCode(userName) },
    });
    expect(response.statusCode, response.body).toBe(200);
    return sessionCookie(response);
  }

  it('downloads a config block the AWS CLI reads, one profile per role the user may use', async () => {
    const cookie = await signInCookie('alice');
    const response = await fetch(`${portalUrl}/api/v1/aws-config?download=1`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="config"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.text();
    expect(body.startsWith(`${BLOCK_BEGIN}\n`)).toBe(true);
    expect(body).toContain(
      `credential_process = aws-mfa-portal-credentials --portal ${portalUrl} --role deploy --duration 3600`,
    );
    const file = path.join(dir, 'downloaded-config');
    writeFileSync(file, body);
    const listed = await aws(['configure', 'list-profiles'], { AWS_CONFIG_FILE: file });
    // alice is a developer: deploy, and the two roles for everyone; not admin (portal-admins only).
    expect(listed.trim().split('\n').sort()).toEqual(['222222222222-partner', 'demo-deploy', 'demo-readonly']);
    expect(await aws(['configure', 'get', 'region', '--profile', 'demo-deploy'], { AWS_CONFIG_FILE: file })).toBe(
      'us-east-1\n',
    );
    expect(
      await aws(['configure', 'get', 'duration_seconds', '--profile', 'demo-deploy'], { AWS_CONFIG_FILE: file }),
    ).toBe('3600\n');
  });

  it('renders the container-endpoint variant and refuses callers without a session or token', async () => {
    const cookie = await signInCookie('erin');
    const container = await fetch(`${portalUrl}/api/v1/aws-config?source=container`, { headers: { cookie } });
    const text = await container.text();
    expect(text).toContain(
      `#   export AWS_CONTAINER_CREDENTIALS_FULL_URI=${portalUrl}/api/v1/container-credentials/readonly`,
    );
    expect(text).not.toContain('credential_process =');
    const anonymous = await fetch(`${portalUrl}/api/v1/aws-config`);
    expect(anonymous.status).toBe(401);
    const forged = await fetch(`${portalUrl}/api/v1/aws-config`, {
      headers: { authorization: 'Bearer amp_0000000000000000000000000000000000000000000' },
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: string }).error).toBe('invalid_token');
    const badSource = await fetch(`${portalUrl}/api/v1/aws-config?source=shell`, { headers: { cookie } });
    expect(badSource.status).toBe(400);
  });

  it('logs in with --code-command without echoing the code, then configure writes the block', async () => {
    const code = portal.nextCode('alice');
    const failed = await helper(['login', '--portal', portalUrl, '--user', 'alice', '--code-command', 'exit 3']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('--code-command failed (exit status 3)');

    const login = await helper([
      'login',
      '--portal',
      portalUrl,
      '--user',
      'alice',
      '--code-command',
      `echo "Touch your YubiKey" >&2; printf 'aws  %s\\n' ${code}`,
    ]);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toBe('');
    expect(login.stderr).not.toContain(code);
    expect(login.stderr).toContain('Touch your YubiKey');

    const config = path.join(home, '.aws', 'config');
    const mine = [
      '# my own settings',
      '[default]',
      'region = eu-west-1',
      '',
      '[profile demo-readonly]',
      'region = ap-south-1',
      'output = text',
      '',
    ].join('\n');
    mkdirSync(path.dirname(config), { recursive: true });
    writeFileSync(config, mine, { mode: 0o644 });
    const configured = await helper(['configure']);
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stderr).toContain(`Wrote 2 portal profiles to ${config}`);
    expect(configured.stderr).toContain('Skipped demo-readonly');
    const written = readFileSync(config, 'utf8');
    expect(written.startsWith(mine)).toBe(true);
    expect(written.trimEnd().endsWith(BLOCK_END)).toBe(true);
    expect(readFileSync(`${config}.aws-mfa-portal.bak`, 'utf8')).toBe(mine);
    expect(statSync(config).mode & 0o777).toBe(0o644);

    expect((await aws(['configure', 'list-profiles'])).trim().split('\n').sort()).toEqual([
      '222222222222-partner',
      'default',
      'demo-deploy',
      'demo-readonly',
    ]);
    expect(await callerArn('demo-deploy')).toBe('arn:aws:sts::111111111111:assumed-role/Deploy/alice');

    // Runs again after alice loses deploy: its profile goes, her own lines stay.
    await portal.app.services.catalog.update('deploy', { groups: ['ops'] });
    const again = await helper(['configure']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('removed (roles you no longer have): demo-deploy');
    const rewritten = readFileSync(config, 'utf8');
    expect(rewritten.startsWith(mine)).toBe(true);
    expect(rewritten).not.toContain('[profile demo-deploy]');
    expect(rewritten.split(BLOCK_BEGIN)).toHaveLength(2);
    await portal.app.services.catalog.update('deploy', { groups: ['developers'] });
  });

  it('serves repeated credential_process calls from a 0600 cache: one issuance', async () => {
    const cacheDir = path.join(home, '.cache', 'aws-mfa-portal', 'credentials');
    // The configure test cached demo-deploy; start from an empty cache so the one file is partner's.
    rmSync(cacheDir, { recursive: true, force: true });
    const before = await issuances();
    expect(await callerArn('222222222222-partner')).toBe('arn:aws:sts::222222222222:assumed-role/PartnerAudit/alice');
    expect(await callerArn('222222222222-partner')).toBe('arn:aws:sts::222222222222:assumed-role/PartnerAudit/alice');
    expect(await callerArn('222222222222-partner')).toBe('arn:aws:sts::222222222222:assumed-role/PartnerAudit/alice');
    expect(await issuances()).toBe(before + 1);

    const [cached, ...others] = readdirSync(cacheDir);
    expect(others).toEqual([]);
    expect(cached).toMatch(/^[0-9a-f]{40}\.json$/);
    const file = path.join(cacheDir, cached!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);

    const bypass = await helper(['--portal', portalUrl, '--role', 'partner', '--duration', '3600', '--no-cache']);
    expect(bypass.code, bypass.stderr).toBe(0);
    expect(await issuances()).toBe(before + 2);

    chmodSync(file, 0o644);
    const refused = await helper(['--portal', portalUrl, '--role', 'partner', '--duration', '3600']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`Refusing to use ${file}: other users can access it (mode 0644)`);
    chmodSync(file, 0o600);

    // Near expiry (less than the margin left) the helper asks the portal again.
    const body = JSON.parse(readFileSync(file, 'utf8')) as { Expiration: string };
    writeFileSync(file, JSON.stringify({ ...body, Expiration: new Date(Date.now() + 60_000).toISOString() }));
    const refreshed = await helper(['--portal', portalUrl, '--role', 'partner', '--duration', '3600']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(await issuances()).toBe(before + 3);
  });
});

describe.each(testDatabaseUrls())('several MFA devices per user ($name)', (provider) => {
  let db: TestDatabase;
  let portal: PortalHarness;
  const SECOND_SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const CAROL_SECOND = 'arn:aws:iam::111111111111:mfa/carol-phone';

  beforeAll(async () => {
    const state = demoState();
    for (const user of state.users) {
      if (user.name === 'alice') user.mfaDevices!.push({ serial: 'GAHT00000002', type: 'hardware', seed: SECOND_SEED });
      if (user.name === 'carol') user.mfaDevices!.push({ serial: CAROL_SECOND, type: 'virtual', seed: SECOND_SEED });
    }
    db = await provider.create({ migrate: false });
    portal = await startEnrolledPortal({ databaseUrl: db.url, state, env: { MFA_FAILURE_LIMIT: '2' } });
    // carol is pinned to her hardware token, as `enroll --mfa-serial` does.
    await portal.app.services.custody.unenroll('carol');
    await portal.app.services.custody.enroll('carol', { mfaSerial: 'GAHT12345678' });
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });

  const secondCode = () => {
    portal.advance(30);
    return codeAtStep(SECOND_SEED, timeStepAt(portal.now()));
  };
  const signIn = (userName: string, code: string) =>
    portal.app.inject({ method: 'POST', url: '/api/v1/session', payload: { userName, code } });

  it('signs in with the enrolled device or any other TOTP device of the user', async () => {
    const enrolled = await portal.app.services.custody.find('alice');
    expect(enrolled).toMatchObject({ mfaSerial: 'arn:aws:iam::111111111111:mfa/alice', mfaSerialPinned: false });
    expect((await signIn('alice', portal.nextCode('alice'))).statusCode).toBe(200);
    const second = await signIn('alice', secondCode());
    expect(second.statusCode, second.body).toBe(200);
    const row = await portal.database.prisma.auditEvent.findFirst({
      where: { action: 'session.sign_in', actor: 'alice', outcome: 'success' },
      orderBy: { seq: 'desc' },
    });
    expect(row?.metadata).toMatchObject({ mfaSerial: 'GAHT00000002' });
    // With a code: AssumeRole with the second device's serial.
    const issued = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName: 'alice', code: secondCode(), role: 'readonly' },
    });
    expect(issued.statusCode, issued.body).toBe(200);
  });

  it('counts a code wrong for every device as one attempt of the budget', async () => {
    // MFA_FAILURE_LIMIT=2: two wrong codes are answered 401 (each tried on both devices), the third 429.
    expect((await signIn('alice', '000000')).statusCode).toBe(401);
    expect((await signIn('alice', '000001')).statusCode).toBe(401);
    expect((await signIn('alice', '000002')).statusCode).toBe(429);
  });

  it('accepts only the pinned device of a user enrolled with --mfa-serial', async () => {
    expect(await portal.app.services.custody.find('carol')).toMatchObject({ mfaSerialPinned: true });
    expect((await signIn('carol', secondCode())).statusCode).toBe(401);
    expect((await signIn('carol', portal.nextCode('carol'))).statusCode).toBe(200);
  });
});
