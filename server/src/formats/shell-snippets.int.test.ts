import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleCredentials } from '../../test/credential-fixtures.ts';
import { type CredentialFormat, renderCredentials } from './index.ts';

// The snippets are run by the real shells users have: bash (env, env-no-export, dotenv) and
// Debian's fish. A missing shell fails these tests (CI installs them), it never skips them.
const BASH = '/bin/bash';
const FISH = '/usr/bin/fish';
const run = promisify(execFile);

const expected = {
  AWS_ACCESS_KEY_ID: roleCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: roleCredentials.secretAccessKey,
  AWS_SESSION_TOKEN: roleCredentials.sessionToken,
  AWS_CREDENTIAL_EXPIRATION: '2030-01-02T03:04:05+00:00',
};

let dir: string;
let cleanEnv: Record<string, string>;

beforeAll(async () => {
  for (const shell of [BASH, FISH]) {
    if (!existsSync(shell)) {
      throw new Error(`${shell} is missing: install it (apt-get install bash fish) to run the shell snippet tests.`);
    }
  }
  dir = await mkdtemp(path.join(tmpdir(), 'formats-shell-'));
  // Nothing inherited may satisfy an assertion, and fish must not touch the real home directory.
  cleanEnv = { PATH: '/usr/bin:/bin', HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, LANG: 'C.UTF-8' };
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function snippetFile(format: CredentialFormat): Promise<string> {
  const file = path.join(dir, `snippet.${format}`);
  await writeFile(file, renderCredentials(format, roleCredentials).body);
  return file;
}

/** The AWS_* variables a child process of the shell sees, from `env`. */
function exportedAwsVariables(envOutput: string): Record<string, string> {
  const entries = envOutput
    .split('\n')
    .filter((line) => line.startsWith('AWS_'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries);
}

describe('bash', () => {
  it('env: eval "$(cat file)" exports all four variables unchanged', async () => {
    const file = await snippetFile('env');
    const { stdout } = await run(BASH, ['-c', 'eval "$(cat "$1")" && env', 'bash', file], { env: cleanEnv });
    expect(exportedAwsVariables(stdout)).toEqual(expected);
  });

  it('env: `source file` does the same', async () => {
    const file = await snippetFile('env');
    const { stdout } = await run(BASH, ['-c', '. "$1" && env', 'bash', file], { env: cleanEnv });
    expect(exportedAwsVariables(stdout)).toEqual(expected);
  });

  it('env-no-export: sets shell variables without exporting them, and `set -a` exports them', async () => {
    const file = await snippetFile('env-no-export');
    const script =
      'eval "$(cat "$1")" && printf "%s\\n" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_CREDENTIAL_EXPIRATION" && env';
    const plain = await run(BASH, ['-c', script, 'bash', file], { env: cleanEnv });
    const [shellValues, childEnv] = [
      plain.stdout.split('\n').slice(0, 4),
      plain.stdout.split('\n').slice(4).join('\n'),
    ];
    expect(shellValues).toEqual(Object.values(expected));
    expect(exportedAwsVariables(childEnv)).toEqual({});

    const withAllexport = await run(BASH, ['-c', 'set -a && eval "$(cat "$1")" && env', 'bash', file], {
      env: cleanEnv,
    });
    expect(exportedAwsVariables(withAllexport.stdout)).toEqual(expected);
  });

  it('dotenv: `set -a; . file` exports the credentials and the region', async () => {
    const file = await snippetFile('dotenv');
    const { stdout } = await run(BASH, ['-c', 'set -a && . "$1" && set +a && env', 'bash', file], { env: cleanEnv });
    expect(exportedAwsVariables(stdout)).toEqual({
      ...expected,
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
  });
});

describe('fish', () => {
  it('fish: `source file` exports all four variables unchanged', async () => {
    const file = await snippetFile('fish');
    const { stdout } = await run(FISH, ['--no-config', '-c', 'source $SNIPPET; and env'], {
      env: { ...cleanEnv, SNIPPET: file },
    });
    expect(exportedAwsVariables(stdout)).toEqual(expected);
  });

  it('fish: `cat file | source` works too', async () => {
    const file = await snippetFile('fish');
    const { stdout } = await run(FISH, ['--no-config', '-c', 'cat $SNIPPET | source; and env'], {
      env: { ...cleanEnv, SNIPPET: file },
    });
    expect(exportedAwsVariables(stdout)).toEqual(expected);
  });
});
