import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode } from '../test/emulator-harness.ts';
import { fixtureState, SEEDS } from '../test/fixture-state.ts';

const TSX = resolve('node_modules/.bin/tsx');
const run = promisify(execFile);
let dir: string;
let statePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-cli-'));
  statePath = join(dir, 'state.json');
  await writeFile(statePath, JSON.stringify(fixtureState()));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function exitOf(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [script, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code} before listening: ${output}`)));
  });
}

describe('npm run emulator (cli.ts)', () => {
  it('serves on 127.0.0.1 and closes gracefully on SIGTERM', async () => {
    const child = spawn(TSX, ['emulator/src/cli.ts', '--port', '0', '--state', statePath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await waitForUrl(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/__emulator/health`)).status).toBe(200);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits with status 2 and the usage on bad arguments', async () => {
    const badPort = await exitOf('emulator/src/cli.ts', ['--port', 'abc']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port must be a number from 0 to 65535, got "abc"');
    expect(badPort.stderr).toContain('Usage: npm run emulator');
    expect((await exitOf('emulator/src/cli.ts', ['--bogus'])).code).toBe(2);
  });

  it('exits with status 1 and the bad path for an invalid state file', async () => {
    const badPath = join(dir, 'bad.json');
    await writeFile(badPath, JSON.stringify({ accounts: [{ id: '1' }], users: [] }));
    const result = await exitOf('emulator/src/cli.ts', ['--port', '0', '--state', badPath]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('accounts[0].id: must be a 12-digit account id, got "1"');
  });
});

describe('npm run emulator:code (code-cli.ts)', () => {
  it('prints only the current code, the one oathtool computes', async () => {
    const before = new Date();
    const { code, stdout } = await exitOf('emulator/src/code-cli.ts', ['--state', statePath, '--user', 'bob']);
    const after = new Date();
    expect(code).toBe(0);
    expect([oathtoolCode(SEEDS.bob, before), oathtoolCode(SEEDS.bob, after)]).toContain(stdout.trim());
    expect(stdout).toMatch(/^\d{6}\n$/);
  });

  it('explains what is missing', async () => {
    const noUser = await exitOf('emulator/src/code-cli.ts', ['--state', statePath]);
    expect([noUser.code, noUser.stderr.split('\n')[0]]).toEqual([2, '--user is required']);
    const noDevice = await exitOf('emulator/src/code-cli.ts', ['--state', statePath, '--user', 'erin']);
    expect([noDevice.code, noDevice.stderr.split('\n')[0]]).toEqual([2, 'User "erin" has no MFA device']);
  });
});
