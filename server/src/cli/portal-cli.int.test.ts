import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/src/server.ts';
import { demoState } from '../../test/portal-harness.ts';
import { generateMasterKey } from '../services/custody/secret-box.ts';

/** The admin CLI as an operator runs it: a separate process, settings from the environment. */
const CLI = path.resolve(import.meta.dirname, 'portal-cli.ts');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

// Each command is a new Node process: several seconds apiece on a busy machine.
describe('npm run portal', { timeout: 180_000 }, () => {
  let emulator: RunningEmulator;
  let dir: string;
  const masterKey = generateMasterKey();
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const state = demoState();
    emulator = await startEmulator({ state, logError: () => {} });
    const portalKey = state.users.find((u) => u.name === 'portal')!.accessKeys![0]!;
    dir = mkdtempSync(path.join(tmpdir(), 'portal-cli-'));
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      DATABASE_URL: `file:${path.join(dir, 'portal.db')}`,
      PORTAL_MASTER_KEY: masterKey,
      AWS_ENDPOINT_URL: emulator.url,
      AWS_ACCESS_KEY_ID: portalKey.id,
      AWS_SECRET_ACCESS_KEY: portalKey.secret,
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: path.join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Asynchronous: the emulator answering the CLI runs in this process.
  const portal = (args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Result> =>
    new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', CLI, ...args],
        { env: { ...env, ...extraEnv } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input ?? '');
    });

  const keysOf = (userName: string) =>
    emulator.store.findUser('111111111111', userName)?.accessKeys?.map((k) => k.id) ?? [];

  it('enrolls a user with a new IAM key it holds sealed, and refuses to do it twice', async () => {
    const before = keysOf('alice');
    const enrolled = await portal(['enroll', 'alice']);
    expect(enrolled.stderr).toBe('');
    expect(enrolled.code).toBe(0);
    const created = keysOf('alice').filter((k) => !before.includes(k));
    expect(created).toHaveLength(1);
    expect(enrolled.stdout).toContain(`enrolled alice (arn:aws:iam::111111111111:user/alice) with key ${created[0]}`);
    // alice's policy denies everything without MFA: nothing to warn about.
    expect(enrolled.stdout).not.toMatch(/without MFA/);

    const again = await portal(['enroll', 'alice']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already enrolled/);
  });

  it('enrolls with an existing key read from stdin, checking that it belongs to the user', async () => {
    const erinKey = emulator.store.findUser('111111111111', 'erin')!.accessKeys![0]!;
    const wrongUser = await portal(['enroll', 'carol', '--import'], `${erinKey.id} ${erinKey.secret}\n`);
    expect(wrongUser.code).toBe(1);
    expect(wrongUser.stderr).toMatch(/belongs to arn:aws:iam::111111111111:user\/erin, not to carol/);
    const before = keysOf('erin');
    const imported = await portal(['enroll', 'erin', '--import'], `${erinKey.id} ${erinKey.secret}\n`);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`with key ${erinKey.id}`);
    // erin has no deny-unless-MFA policy: her key works without a code, as the compliance scan says.
    expect(imported.stdout).toMatch(/^warning: erin's keys work without MFA/m);
    expect(keysOf('erin')).toEqual(before);
  });

  it('explains why users without an MFA device or unknown users cannot be enrolled', async () => {
    const bob = await portal(['enroll', 'bob']);
    expect(bob.code).toBe(1);
    expect(bob.stderr).toMatch(/bob has no MFA device/);
    const ghost = await portal(['enroll', 'ghost']);
    expect(ghost.stderr).toMatch(/IAM has no user named ghost/);
  });

  it('notes users whose policy forces the MFA-session path', async () => {
    const frank = await portal(['enroll', 'frank']);
    expect(frank.code).toBe(0);
    expect(frank.stdout).toMatch(/deny sts:AssumeRole without MFA/);
    const list = await portal(['enrolled']);
    expect(list.stdout).toMatch(/^alice\t\S+\tkey from \d{4}-\d\d-\d\d\tassume_role/m);
    expect(list.stdout).toMatch(/^frank\t.*\tmfa_session/m);
  });

  it('manages the role catalog and warns about trust policies without MFA', async () => {
    const ro = await portal([
      'role',
      'add',
      'readonly',
      'arn:aws:iam::111111111111:role/ReadOnly',
      '--groups',
      'developers,ops',
    ]);
    expect(ro.stdout).toContain('added readonly -> arn:aws:iam::111111111111:role/ReadOnly (max 43200 s)');
    const deploy = await portal(['role', 'add', 'deploy', 'arn:aws:iam::111111111111:role/Deploy', '--users', '*']);
    expect(deploy.stdout).toMatch(/warning: the trust policy of Deploy does not require MFA/);
    const tooLong = await portal([
      'role',
      'add',
      'admin',
      'arn:aws:iam::111111111111:role/Admin',
      '--users',
      '*',
      '--max-duration',
      '7200',
    ]);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/at most 3600 seconds/);
    const nobody = await portal(['role', 'add', 'admin', 'arn:aws:iam::111111111111:role/Admin']);
    expect(nobody.stderr).toMatch(/Say who may request the role/);

    const list = await portal(['role', 'list']);
    expect(list.stdout).toMatch(/^deploy\t.*user:\*\t\(trust policy does not require MFA\)$/m);
    expect(list.stdout).toMatch(/^readonly\t.*group:developers,group:ops$/m);
    expect((await portal(['role', 'remove', 'deploy'])).stdout).toContain('removed deploy');
    expect((await portal(['role', 'remove', 'deploy'])).code).toBe(1);
  });

  it('rotates keys: the new key replaces the old one in IAM, and users at the two-key limit are explained', async () => {
    // alice keeps only the portal's key; frank also has his own, so IAM has no room for a third.
    const alice = emulator.store.findUser('111111111111', 'alice')!;
    alice.accessKeys = alice.accessKeys!.slice(1);
    const before = keysOf('alice');
    const rotated = await portal(['rotate-keys', '--older-than-days', '0']);
    expect(rotated.code).toBe(1);
    expect(rotated.stdout).toMatch(/^alice: AKIA\w+ -> AKIA\w+$/m);
    expect(rotated.stdout).toMatch(/^frank: frank already has two access keys \(the IAM limit\)/m);
    expect(rotated.stdout).toMatch(/^erin: AKIA\w+ -> AKIA\w+$/m);
    expect(rotated.stdout).toMatch(/2 rotated, 1 failed/);
    const after = keysOf('alice');
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  });

  it('rotate-keys says so, and fails, when the old key cannot be deleted from IAM', async () => {
    const portalUser = emulator.store.findUser('111111111111', 'portal')!;
    const denyDelete = {
      name: 'NoKeyDeletion',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny' as const, Action: 'iam:DeleteAccessKey', Resource: '*' }],
      },
    };
    portalUser.inlinePolicies = [...(portalUser.inlinePolicies ?? []), denyDelete];
    const before = keysOf('erin');
    try {
      const rotated = await portal(['rotate-keys', '--older-than-days', '0']);
      expect(rotated.code).toBe(1);
      expect(rotated.stdout).toMatch(
        /^erin: the portal uses the new key AKIA\w+, but deleting the old key AKIA\w+ failed \(access_denied\); it still works: delete it in IAM$/m,
      );
      expect(rotated.stdout).not.toMatch(/^\d+ rotated, 0 failed/m);
    } finally {
      portalUser.inlinePolicies = portalUser.inlinePolicies!.filter((p) => p !== denyDelete);
    }
    // The old key is still in IAM next to the new one, as reported.
    expect(keysOf('erin')).toEqual(expect.arrayContaining(before));
    expect(keysOf('erin')).toHaveLength(before.length + 1);
  });

  it('prints a signed checkpoint of the audit head, and detects the newest events deleted', async () => {
    const taken = await portal(['audit', 'checkpoint']);
    expect(taken.code).toBe(0);
    const checkpoint = taken.stdout.trim();
    expect(checkpoint).toMatch(/^v1\.\d+\.[0-9a-f]{64}\.\d{8}T\d{6}Z\.[\w-]{12}\.[\w-]{43}$/);
    const seq = Number(checkpoint.split('.')[1]);
    const holds = await portal(['audit', 'verify', '--checkpoint', checkpoint]);
    expect(holds.code).toBe(0);
    expect(holds.stdout).toMatch(new RegExp(`checkpoint of \\S+ holds: event ${seq} is in the chain`));

    // Someone with the database deletes the newest events: the chain still links, the checkpoint does not.
    const db = new BetterSqlite3(path.join(dir, 'portal.db'));
    const removed = db.prepare('SELECT * FROM "AuditEvent" WHERE "seq" >= ?').all(seq - 1);
    db.prepare('DELETE FROM "AuditEvent" WHERE "seq" >= ?').run(seq - 1);
    try {
      expect((await portal(['audit', 'verify'])).code).toBe(0);
      const caught = await portal(['audit', 'verify', '--checkpoint', checkpoint]);
      expect(caught.code).toBe(1);
      expect(caught.stdout).toMatch(
        new RegExp(
          `audit chain ends at event ${seq - 2}, but the checkpoint of \\S+ saw event ${seq}: the newest events were deleted`,
        ),
      );
      const forged = await portal(['audit', 'verify', '--checkpoint', checkpoint.replace(/\.(\d+)\./, `.${seq - 2}.`)]);
      expect(forged.code).toBe(1);
      expect(forged.stderr).toMatch(/signature does not match/);
    } finally {
      const insert = db.prepare(
        `INSERT INTO "AuditEvent" (${Object.keys(removed[0] as object)
          .map((c) => `"${c}"`)
          .join(', ')}) VALUES (${Object.keys(removed[0] as object)
          .map(() => '?')
          .join(', ')})`,
      );
      for (const row of removed) insert.run(...Object.values(row as object));
      db.close();
    }
  });

  it('re-encrypts everything under a new master key read from stdin', async () => {
    const next = generateMasterKey();
    const rotated = await portal(['rotate-master-key'], `${next}\n`);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/re-encrypted 3 user keys/);
    // The records are sealed under the new key now: the old key alone cannot open them.
    const withOldKey = await portal(['rotate-master-key'], `${generateMasterKey()}\n`);
    expect(withOldKey.code).toBe(1);
    expect(withOldKey.stderr).toMatch(/which is not configured/);
    // Events keyed under the old master key verify while it stays configured as a previous key.
    const withoutOld = await portal(['audit', 'verify'], undefined, { PORTAL_MASTER_KEY: next });
    expect(withoutOld.code).toBe(1);
    expect(withoutOld.stdout).toMatch(/cannot be verified from event 1 .*PORTAL_PREVIOUS_MASTER_KEYS/);
    const afterRotation = { PORTAL_MASTER_KEY: next, PORTAL_PREVIOUS_MASTER_KEYS: masterKey };
    expect((await portal(['audit', 'verify'], undefined, afterRotation)).stdout).toMatch(
      /audit chain intact: \d+ events verified/,
    );
    const unenroll = await portal(['unenroll', 'frank'], undefined, { PORTAL_MASTER_KEY: next });
    expect(unenroll.code).toBe(0);
    expect(keysOf('frank')).toHaveLength(1);
  });

  it('prints usage for unknown commands with exit code 2', async () => {
    const result = await portal(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
