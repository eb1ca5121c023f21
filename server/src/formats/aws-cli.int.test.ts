import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleCredentials } from '../../test/credential-fixtures.ts';
import { type CredentialFormat, renderCredentials } from './index.ts';

// The official AWS CLI v2 (Debian's awscli package at /usr/bin/aws), not whatever `aws` is on
// PATH (often a pyenv v1). `aws configure export-credentials` resolves credentials locally and
// needs no network. A missing CLI fails these tests (CI installs it), it never skips them.
const AWS_CLI_V2 = '/usr/bin/aws';
const run = promisify(execFile);

let dir: string;

beforeAll(async () => {
  if (!existsSync(AWS_CLI_V2)) {
    throw new Error(
      `The AWS CLI v2 is missing at ${AWS_CLI_V2}: install it (apt-get install awscli) to run these tests.`,
    );
  }
  const { stdout } = await run(AWS_CLI_V2, ['--version']);
  if (!stdout.startsWith('aws-cli/2.')) throw new Error(`${AWS_CLI_V2} is not the AWS CLI v2: ${stdout.trim()}`);
  dir = await mkdtemp(path.join(tmpdir(), 'formats-aws-cli-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function write(name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, body);
  return file;
}

/** Runs the CLI with only the given files as configuration and no inherited AWS settings. */
async function aws(args: string[], files: { config: string; credentials: string }): Promise<string> {
  const { stdout } = await run(AWS_CLI_V2, args, {
    env: {
      PATH: '/usr/bin:/bin',
      HOME: dir,
      LANG: 'C.UTF-8',
      AWS_CONFIG_FILE: files.config,
      AWS_SHARED_CREDENTIALS_FILE: files.credentials,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    },
  });
  return stdout;
}

const body = (format: CredentialFormat) => renderCredentials(format, roleCredentials).body;

describe('AWS CLI v2 reads the credentials format', () => {
  it('export-credentials returns the same keys (a credentials file has no expiry)', async () => {
    const files = {
      config: await write('empty-config', ''),
      credentials: await write('credentials', body('credentials')),
    };
    const exported = await aws(
      ['configure', 'export-credentials', '--profile', '123456789012_ReadOnly', '--format', 'env'],
      files,
    );
    expect(exported).toBe(`${body('env').split('\n').slice(0, 3).join('\n')}\n`);
  });

  it('configure list shows the profile from the shared credentials file', async () => {
    const files = {
      config: await write('empty-config', ''),
      credentials: await write('credentials', body('credentials')),
    };
    const listed = await aws(['configure', 'list', '--profile', '123456789012_ReadOnly'], files);
    expect(listed).toMatch(/access_key\s+\*+ID2Z\s+shared-credentials-file/);
    expect(listed).toMatch(/secret_key\s+\*+EKEY\s+shared-credentials-file/);
  });
});

describe('AWS CLI v2 accepts the process format as credential_process output', () => {
  async function processProfile() {
    const json = await write('process.json', body('process'));
    return {
      config: await write('process-config', `[profile x]\ncredential_process = cat ${json}\n`),
      credentials: await write('no-credentials', ''),
    };
  }

  it('and re-exports it byte for byte as our env, env-no-export and process output', async () => {
    const files = await processProfile();
    for (const format of ['env', 'env-no-export', 'process'] as const) {
      const exported = await aws(['configure', 'export-credentials', '--profile', 'x', '--format', format], files);
      expect(exported, format).toBe(body(format));
    }
  });

  it('and re-exports it as our powershell and windows-cmd output (the CLI writes \\n on Linux)', async () => {
    const files = await processProfile();
    for (const format of ['powershell', 'windows-cmd'] as const) {
      const exported = await aws(['configure', 'export-credentials', '--profile', 'x', '--format', format], files);
      expect(exported, format).toBe(body(format).replaceAll('\r\n', '\n'));
    }
  });

  it('configure list reports a custom-process profile', async () => {
    const listed = await aws(['configure', 'list', '--profile', 'x'], await processProfile());
    expect(listed).toMatch(/access_key\s+\*+ID2Z\s+custom-process/);
  });
});

describe('AWS CLI v2 reads the config format', () => {
  it('finds credential_process and region under [profile <name>], past the comment lines', async () => {
    const config = renderCredentials('config', roleCredentials, {
      portalUrl: 'https://portal.example.com',
      roleAlias: 'readonly',
    });
    const files = { config: await write('config', config.body), credentials: await write('no-credentials', '') };
    const profile = '123456789012_ReadOnly';
    expect(await aws(['configure', 'get', 'credential_process', '--profile', profile], files)).toBe(
      'aws-mfa-portal-credentials --portal https://portal.example.com --role readonly\n',
    );
    expect(await aws(['configure', 'get', 'region', '--profile', profile], files)).toBe('eu-west-1\n');
  });
});
