import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { secretLedgerFromEnv } from '../../emulator/src/secret-ledger.ts';
import { startEmulator } from '../../emulator/src/server.ts';
import type { StateFile } from '../../emulator/src/state/state-file.ts';
import { buildApp } from './app.ts';
import { openPortalContext } from './cli/portal-context.ts';
import { loadConfig } from './config/config.ts';
import { generateMasterKey } from './services/custody/secret-box.ts';

/**
 * `npm run demo`: the local AWS emulator (demo organisation by default) plus the portal on a
 * throwaway SQLite database, with every user who has an MFA device enrolled and the state's
 * roles in the catalog. No AWS account and no configuration needed. The portal reaches the
 * emulator through the AWS SDK's own variables (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...),
 * exactly as it would reach AWS.
 */
// Relative to the working directory: `npm run demo` runs at the repository root, and the
// compiled copy in dist/ finds the same file.
const DEFAULT_STATE = 'emulator/demo-state.json';
const PORTAL_USER = 'portal';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      state: { type: 'string' },
      port: { type: 'string' },
      'emulator-port': { type: 'string' },
      host: { type: 'string' },
    },
  });
  const statePath = path.resolve(values.state ?? DEFAULT_STATE);
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as StateFile;
  const account = state.accounts[0]?.id;
  if (!account) throw new Error(`${statePath} has no accounts`);
  const portalKey = ensurePortalIdentity(state, account);

  const emulator = await startEmulator({ state, port: Number(values['emulator-port'] ?? 4566) });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aws-mfa-portal-demo-'));
  process.env.AWS_ENDPOINT_URL = emulator.url;
  process.env.AWS_ACCESS_KEY_ID = portalKey.id;
  process.env.AWS_SECRET_ACCESS_KEY = portalKey.secret;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  // "Open console" goes to the emulator's federation endpoint and its console page.
  process.env.CONSOLE_FEDERATION_URL_AWS = `${emulator.url}/federation`;
  // The demo runs on the machine's Node; the SDK's note about future Node versions is for operators.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const masterKey = generateMasterKey();
  // Under `npm test` (the e2e tier runs the demo) the run's secrets sweep looks for it in every log.
  secretLedgerFromEnv()?.record('master_key', masterKey);
  const config = loadConfig({
    ...process.env,
    HOST: values.host ?? process.env.HOST ?? '127.0.0.1',
    PORT: values.port ?? process.env.PORT ?? '3000',
    DATABASE_URL: `file:${path.join(dataDir, 'portal.db')}`,
    PORTAL_MASTER_KEY: masterKey,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // The demo organisation's partner account has this role for revoking sessions there.
    REVOCATION_ROLE_NAME: process.env.REVOCATION_ROLE_NAME ?? 'AwsMfaPortalRevocation',
  });
  const ctx = await openPortalContext({ config, migrate: true });

  const enrolled: string[] = [];
  for (const user of state.users) {
    if (user.account !== account || user.name === PORTAL_USER || !user.mfaDevices?.length) continue;
    if ((user.accessKeys?.length ?? 0) >= 2) continue;
    await ctx.services.custody.enroll(user.name, { mfaSerial: user.mfaDevices[0]!.serial });
    enrolled.push(user.name);
  }
  // The role the portal itself assumes to revoke sessions in the partner account is not for people.
  const catalogRoles = (state.roles ?? []).filter((r) => r.name !== config.revocationRoleName);
  for (const role of catalogRoles) {
    await ctx.services.catalog.add({
      alias: role.name.toLowerCase(),
      roleArn: `arn:aws:iam::${role.account}:role${role.path ?? '/'}${role.name}`,
      users: ['*'],
      ...(role.description ? { description: role.description } : {}),
      ...(externalIdOf(role.trustPolicy) ? { externalId: externalIdOf(role.trustPolicy) } : {}),
    });
  }

  const app = await buildApp({ config, database: ctx.database });
  const shutdown = async () => {
    await app.close();
    await ctx.close();
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  await app.listen({ host: config.host, port: config.port });

  const url = `http://${config.host}:${config.port}`;
  console.log(
    [
      '',
      `AWS MFA Portal demo: ${url}`,
      `Local AWS emulator:  ${emulator.url} (state ${path.relative(process.cwd(), statePath)})`,
      `Enrolled users:      ${enrolled.join(', ') || '(none)'}`,
      `Roles:               ${catalogRoles.map((r) => r.name.toLowerCase()).join(', ')}`,
      '',
      'Sign in with a user name and the current code of their MFA device:',
      `  npm run -s emulator:code -- --state ${path.relative(process.cwd(), statePath)} --user ${enrolled[0] ?? 'alice'}`,
      'Or from a script:',
      `  curl -fsS ${url}/api/v1/credentials -d userName=${enrolled[0] ?? 'alice'} -d code=<code> -d role=${catalogRoles[0]?.name.toLowerCase() ?? 'readonly'} -d format=env`,
      '',
    ].join('\n'),
  );
}

/** The demo's portal identity: the state's `portal` user, or one added with the permissions the portal needs. */
function ensurePortalIdentity(state: StateFile, account: string): { id: string; secret: string } {
  let user = state.users.find((u) => u.account === account && u.name === PORTAL_USER);
  if (!user) {
    user = {
      account,
      name: PORTAL_USER,
      inlinePolicies: [
        {
          name: 'PortalService',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['iam:*', 'sts:GetCallerIdentity'], Resource: '*' }],
          },
        },
      ],
    };
    state.users.push(user);
  }
  const existing = user.accessKeys?.find((k) => k.status === 'Active');
  if (existing) return { id: existing.id, secret: existing.secret };
  const key = { id: `AKIA${randomUpper(16)}`, secret: randomSecret(40), status: 'Active' as const };
  user.accessKeys = [...(user.accessKeys ?? []), key];
  return key;
}

function externalIdOf(trustPolicy: unknown): string | undefined {
  const text = JSON.stringify(trustPolicy ?? {});
  const match = /"sts:ExternalId"\s*:\s*"([^"]+)"/i.exec(text);
  return match?.[1];
}

function randomUpper(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b % alphabet.length]).join('');
}

function randomSecret(length: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(length)))
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'A')
    .slice(0, length);
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
