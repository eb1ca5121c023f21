import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StateFile, UserSpec } from '../../emulator/src/state/state-file.ts';
import { codeAtStep, timeStepAt } from '../../emulator/src/totp.ts';
import type { TemporaryCredentials } from '../../server/src/aws/aws-gateway.ts';
import { createAwsGateway } from '../../server/src/aws/aws-gateway.ts';
import { openPortalContext } from '../../server/src/cli/portal-context.ts';
import { loadConfig } from '../../server/src/config/config.ts';
import { createKeyRing } from '../../server/src/services/custody/secret-box.ts';
import { createMfaSessionStore } from '../../server/src/services/sessions/mfa-session-store.ts';
import { ROOT } from './results.ts';

export const ACCOUNT = '111111111111';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ReadOnly`;
export const ROLE_ALIAS = 'readonly';
export const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export const benchUser = (n: number) => `bench-${String(n).padStart(5, '0')}`;

/**
 * The demo organisation plus `count` engineers, each with a virtual MFA device and AWS's
 * force-MFA policy that exempts AssumeRole (so the portal assumes roles directly with a code),
 * in `developers`. The demo's ReadOnly role demands MFA in its trust policy.
 */
export function benchOrganisation(count: number): StateFile {
  const demo = JSON.parse(readFileSync(path.join(ROOT, 'emulator/demo-state.json'), 'utf8')) as StateFile;
  const users: UserSpec[] = Array.from({ length: count }, (_, n) => ({
    account: ACCOUNT,
    name: benchUser(n),
    groups: ['developers'],
    attachedPolicies: [`arn:aws:iam::${ACCOUNT}:policy/ForceMFAAllowAssumeRole`],
    mfaDevices: [{ serial: `arn:aws:iam::${ACCOUNT}:mfa/${benchUser(n)}`, type: 'virtual', seed: SEED }],
  }));
  return { ...demo, users: [...demo.users, ...users] };
}

export function portalKeyOf(state: StateFile): { id: string; secret: string } {
  const key = state.users.find((u) => u.account === ACCOUNT && u.name === 'portal')?.accessKeys?.[0];
  if (!key) throw new Error('the demo state has no portal key');
  return { id: key.id, secret: key.secret };
}

export async function writeState(file: string, state: StateFile): Promise<void> {
  await writeFile(file, JSON.stringify(state));
}

/** The current code of a bench user's device (every bench device shares one seed, each its own serial). */
export const currentCode = () => codeAtStep(SEED, timeStepAt(new Date()));

/** Migrates the database, enrolls the bench users and puts ReadOnly in the catalog for everyone. */
export async function preparePortalDatabase(options: {
  databaseUrl: string;
  masterKey: string;
  emulatorUrl: string;
  portalKey: { id: string; secret: string };
  users: string[];
}): Promise<void> {
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    PORTAL_MASTER_KEY: options.masterKey,
    LOG_LEVEL: 'silent',
  });
  const aws = createAwsGateway({
    region: 'us-east-1',
    stsEndpoint: options.emulatorUrl,
    iamEndpoint: options.emulatorUrl,
    portalCredentials: { accessKeyId: options.portalKey.id, secretAccessKey: options.portalKey.secret },
  });
  const ctx = await openPortalContext({ config, aws, migrate: true });
  try {
    for (const user of options.users) await ctx.services.custody.enroll(user);
    await ctx.services.catalog.add({ alias: ROLE_ALIAS, roleArn: ROLE_ARN, users: ['*'] });
  } finally {
    await ctx.close();
  }
}

/** The MFA session credentials the portal holds for a user (opened with the master key), for the direct side. */
export async function mfaSessionCredentialsOf(options: {
  databaseUrl: string;
  masterKey: string;
  userName: string;
}): Promise<TemporaryCredentials> {
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    PORTAL_MASTER_KEY: options.masterKey,
    LOG_LEVEL: 'silent',
  });
  const ctx = await openPortalContext({ config, migrate: false });
  try {
    const prisma = ctx.database.prisma;
    const row = await prisma.mfaSession.findFirst({
      where: { userName: options.userName, revokedAt: null },
      orderBy: { authenticatedAt: 'desc' },
    });
    if (!row) throw new Error(`no MFA session for ${options.userName}`);
    const store = createMfaSessionStore(prisma, () => createKeyRing(config.masterKey!, config.previousMasterKeys));
    const session = await store.find(row.id);
    if (!session) throw new Error(`the MFA session of ${options.userName} does not open`);
    return session.credentials;
  } finally {
    await ctx.close();
  }
}

/** Signs a user in from a browser's point of view: the session cookie and its CSRF token. */
export async function browserSignIn(portalUrl: string, userName: string): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${portalUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.250.0.1' },
    body: JSON.stringify({ userName, code: currentCode() }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${userName}: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('portal_session='));
  if (!cookie) throw new Error('sign-in set no portal_session cookie');
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie: cookie.split(';')[0]!, csrf: csrfToken };
}

/** A credential_process token for a user. */
export async function cliToken(portalUrl: string, userName: string): Promise<string> {
  const response = await fetch(`${portalUrl}/api/v1/cli-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.250.0.2' },
    body: JSON.stringify({ userName, code: currentCode() }),
  });
  if (response.status !== 201)
    throw new Error(`cli token for ${userName}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
