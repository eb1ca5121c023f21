import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateAccessKeyCommand, CreateVirtualMFADeviceCommand } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iamClient, stsClient, type TestEmulator } from '../test/emulator-harness.ts';
import { DEMO_STATE_PATH } from './cli-args.ts';
import { type SecretKind, secretLedgerFromEnv, TEST_RUN_DIR_VARIABLE } from './secret-ledger.ts';
import { startEmulator } from './server.ts';
import { loadStateFile } from './state/load-state.ts';

/** The emulator files every secret it holds or hands out in the test run's ledger. */
describe('secret ledger', () => {
  const recorded: Array<{ kind: SecretKind; value: string }> = [];
  let emulator: TestEmulator;
  let portal: { accessKeyId: string; secretAccessKey: string };

  beforeAll(async () => {
    const state = await loadStateFile(DEMO_STATE_PATH);
    const key = state.users.find((u) => u.name === 'portal')!.accessKeys![0]!;
    portal = { accessKeyId: key.id, secretAccessKey: key.secret };
    const running = await startEmulator({
      state,
      ledger: { record: (kind, value) => value && recorded.push({ kind, value }) },
    });
    emulator = { ...running, now: () => new Date(), advance: () => {}, offsetMs: 0 };
  });
  afterAll(() => emulator.close());

  const has = (kind: SecretKind, value: string | undefined) =>
    expect(recorded).toContainEqual({ kind, value: value ?? 'missing' });

  it('files the state file secrets at start and each new key, session and virtual MFA seed it answers', async () => {
    has('aws_secret_access_key', portal.secretAccessKey);
    const session = await stsClient(emulator, portal).send(new GetSessionTokenCommand({}));
    has('aws_secret_access_key', session.Credentials?.SecretAccessKey);
    has('aws_session_token', session.Credentials?.SessionToken);
    const key = await iamClient(emulator, portal).send(new CreateAccessKeyCommand({ UserName: 'dave' }));
    has('aws_secret_access_key', key.AccessKey?.SecretAccessKey);
    const device = await iamClient(emulator, portal).send(
      new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'ledger-test' }),
    );
    has('mfa_seed', Buffer.from(device.VirtualMFADevice!.Base32StringSeed!).toString('ascii'));
  });

  it('writes a ledger only when PORTAL_TEST_RUN_DIR names a folder, one JSON line per new value', async () => {
    expect(secretLedgerFromEnv({})).toBeNull();
    const dir = await mkdtemp(path.join(tmpdir(), 'ledger-test-'));
    try {
      const ledger = secretLedgerFromEnv({ [TEST_RUN_DIR_VARIABLE]: dir })!;
      ledger.record('cli_token', 'a-token-value-of-some-length');
      ledger.record('cli_token', 'a-token-value-of-some-length');
      ledger.record('mfa_code', '');
      const file = path.join(dir, 'ledger', `secrets-${process.pid}.jsonl`);
      expect(readFileSync(file, 'utf8')).toBe('{"kind":"cli_token","value":"a-token-value-of-some-length"}\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
