import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnrolledPortal } from './enrolled-portal.ts';
import type { PortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

/**
 * What users actually run: the official AWS CLI v2 (Debian's awscli at /usr/bin/aws, not a pyenv
 * v1 that may be first on PATH) with the credentials file and credential_process set-up the portal
 * hands out, and the env/fish snippets evaluated by real shells. Each ends in
 * `sts get-caller-identity` against the emulator, which must name the person's role session.
 */
// Asynchronous on purpose: the portal answering the helper runs in this same process.
const run = async (file: string, args: string[], env: NodeJS.ProcessEnv) =>
  (await promisify(execFile)(file, args, { env })).stdout;

const AWS_CLI = '/usr/bin/aws';
const FISH = '/usr/bin/fish';
const HELPER = path.resolve(import.meta.dirname, '../../bin/aws-mfa-portal-credentials.mjs');

function requireTool(file: string, debianPackage: string): void {
  if (!existsSync(file)) throw new Error(`${file} is missing: apt-get install -y ${debianPackage}`);
}

describe('the portal with the AWS CLI and real shells', () => {
  const sqlite = testDatabaseUrls()[0]!;
  let db: TestDatabase;
  let portal: PortalHarness;
  let portalUrl: string;
  let dir: string;

  beforeAll(async () => {
    requireTool(AWS_CLI, 'awscli');
    requireTool(FISH, 'fish');
    db = await sqlite.create({ migrate: false });
    portal = await startEnrolledPortal({ databaseUrl: db.url });
    await portal.app.listen({ host: '127.0.0.1', port: 0 });
    portalUrl = `http://127.0.0.1:${(portal.app.server.address() as AddressInfo).port}`;
    dir = mkdtempSync(path.join(tmpdir(), 'portal-cli-test-'));
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A clean environment: no inherited AWS settings, files only where the test puts them. */
  const cliEnv = (extra: Record<string, string>) => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    AWS_CONFIG_FILE: path.join(dir, 'none-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DEFAULT_REGION: 'us-east-1',
    ...extra,
  });
  const callerArn = (stdout: string) => (JSON.parse(stdout) as { Arn: string }).Arn;

  async function issue(fields: Record<string, string>): Promise<string> {
    const response = await fetch(`${portalUrl}/api/v1/credentials`, {
      method: 'POST',
      body: new URLSearchParams(fields),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return response.text();
  }

  it('accepts the downloaded credentials file', async () => {
    const body = await issue({
      userName: 'alice',
      code: portal.nextCode('alice'),
      role: 'readonly',
      format: 'credentials',
      profile: 'work',
    });
    const credentials = path.join(dir, 'credentials');
    writeFileSync(credentials, body, { mode: 0o600 });
    const out = await run(
      AWS_CLI,
      ['sts', 'get-caller-identity', '--profile', 'work', '--endpoint-url', portal.emulator.url, '--output', 'json'],
      cliEnv({ AWS_SHARED_CREDENTIALS_FILE: credentials }),
    );
    expect(callerArn(out)).toBe('arn:aws:sts::111111111111:assumed-role/ReadOnly/alice');
  });

  it('refreshes through credential_process with the shipped helper and a 0600 token file', async () => {
    const response = await fetch(`${portalUrl}/api/v1/cli-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: 'erin', code: portal.nextCode('erin') }),
    });
    expect(response.status).toBe(201);
    const { token } = (await response.json()) as { token: string };
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, token, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);

    const config = await issue({
      userName: 'erin',
      code: portal.nextCode('erin'),
      role: 'readonly',
      format: 'config',
      profile: 'ro',
    });
    expect(config).toContain(`credential_process = aws-mfa-portal-credentials --portal ${portalUrl} --role readonly`);
    // The same line, with the helper called by path (it is not installed on PATH here).
    const configFile = path.join(dir, 'config');
    writeFileSync(
      configFile,
      config.replace(
        'credential_process = aws-mfa-portal-credentials',
        `credential_process = ${process.execPath} ${HELPER} --token-file ${tokenFile}`,
      ),
    );
    const out = await run(
      AWS_CLI,
      ['sts', 'get-caller-identity', '--profile', 'ro', '--endpoint-url', portal.emulator.url, '--output', 'json'],
      cliEnv({ AWS_CONFIG_FILE: configFile }),
    );
    expect(callerArn(out)).toBe('arn:aws:sts::111111111111:assumed-role/ReadOnly/erin');
  });

  it('exports working variables from the env snippet in bash', async () => {
    const snippet = await issue({ userName: 'alice', code: portal.nextCode('alice'), role: 'deploy', format: 'env' });
    const file = path.join(dir, 'aws-env.sh');
    writeFileSync(file, snippet);
    const out = await run(
      'bash',
      [
        '-c',
        `eval "$(cat '${file}')" && "${AWS_CLI}" sts get-caller-identity --endpoint-url "$1" --output json`,
        'bash',
        portal.emulator.url,
      ],
      cliEnv({}),
    );
    expect(callerArn(out)).toBe('arn:aws:sts::111111111111:assumed-role/Deploy/alice');
  });

  it('exports working variables from the fish snippet in fish', async () => {
    const snippet = await issue({
      userName: 'alice',
      code: portal.nextCode('alice'),
      role: 'readonly',
      format: 'fish',
    });
    const file = path.join(dir, 'aws-env.fish');
    writeFileSync(file, snippet);
    const out = await run(
      FISH,
      [
        '--no-config',
        '-c',
        `source ${file}; and ${AWS_CLI} sts get-caller-identity --endpoint-url ${portal.emulator.url} --output json`,
      ],
      cliEnv({}),
    );
    expect(callerArn(out)).toBe('arn:aws:sts::111111111111:assumed-role/ReadOnly/alice');
  });
});
