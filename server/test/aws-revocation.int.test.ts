import { execFile } from 'node:child_process';
import path from 'node:path';
import { GetRolePolicyCommand, GetUserPolicyCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/services/custody/secret-box.ts';
import { createLeaseStore } from '../src/services/leases/lease-store.ts';
import { createAwsRevocationService } from '../src/services/revocation/aws-revocation-service.ts';
import { createIssuedCredentialsReader } from '../src/services/revocation/issued-credentials.ts';
import { REVOCATION_POLICY_NAME } from '../src/services/revocation/revocation-policy.ts';
import { type SignedIn, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { ACCOUNT, type PortalHarness } from './portal-harness.ts';
import { revocationState } from './revocation-fixtures.ts';
import { testDatabaseUrls } from './test-databases.ts';

const PARTNER = '222222222222';
const READONLY_ARN = `arn:aws:iam::${ACCOUNT}:role/ReadOnly`;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

const CLI = path.resolve(import.meta.dirname, '../src/cli/portal-cli.ts');

describe.each(testDatabaseUrls())('revoking one person’s AWS sessions ($name)', (provider) => {
  const masterKey = generateMasterKey();
  const harness = useEnrolledPortal(provider, {
    state: revocationState(),
    env: { REVOCATION_ROLE_NAME: 'AwsMfaPortalRevocation', PORTAL_MASTER_KEY: masterKey },
  });
  let portal: PortalHarness;
  beforeAll(async () => {
    portal = harness();
    await portal.app.services.custody.enroll('bob');
  });

  const client = <T>(Client: new (config: object) => T, keys: Keys): T =>
    new Client({
      endpoint: portal.emulator.url,
      region: 'us-east-1',
      credentials: {
        accessKeyId: keys.accessKeyId,
        secretAccessKey: keys.secretAccessKey,
        sessionToken: keys.sessionToken,
      },
      maxAttempts: 1,
    });

  async function roleCredentials(userName: string, role: string): Promise<Keys> {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      payload: { userName, code: portal.nextCode(userName), role, format: 'json' },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Keys;
  }

  async function mfaSessionCredentials(who: SignedIn): Promise<Keys> {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session/credentials',
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrfToken },
      payload: { format: 'json' },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Keys;
  }

  /** One real call with the credentials: 'ok' or the AWS error's name. */
  async function use(keys: Keys, kind: 'role' | 'mfa', userName = 'x'): Promise<string> {
    try {
      if (kind === 'role') await client(IAMClient, keys).send(new ListRolesCommand({}));
      else
        await client(STSClient, keys).send(
          new AssumeRoleCommand({ RoleArn: READONLY_ARN, RoleSessionName: userName, SourceIdentity: userName }),
        );
      return 'ok';
    } catch (error) {
      return (error as Error).name;
    }
  }

  const portalIam = () => {
    const key = portal.state.users.find((u) => u.name === 'portal')!.accessKeys![0]!;
    return new IAMClient({
      endpoint: portal.emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: key.id, secretAccessKey: key.secret },
      maxAttempts: 1,
    });
  };

  it('denies every credential alice holds (two roles, one cross-account, and her MFA session), not bob’s; alice’s next sign-in works', async () => {
    const held = {
      alice: {
        readonly: await roleCredentials('alice', 'readonly'),
        partner: await roleCredentials('alice', 'partner'),
        mfa: await mfaSessionCredentials(await signIn(portal, 'alice')),
      },
      bob: {
        readonly: await roleCredentials('bob', 'readonly'),
        partner: await roleCredentials('bob', 'partner'),
        mfa: await mfaSessionCredentials(await signIn(portal, 'bob')),
      },
    };
    for (const who of ['alice', 'bob'] as const) {
      expect(await use(held[who].readonly, 'role')).toBe('ok');
      expect(await use(held[who].partner, 'role')).toBe('ok');
      expect(await use(held[who].mfa, 'mfa', who)).toBe('ok');
    }

    const result = await portal.app.services.awsRevocation.revoke('alice', { actor: 'carol' });
    expect(result.applied.complete).toBe(true);
    const byArn = new Map(result.applied.targets.map((t) => [t.arn, t]));
    expect(byArn.get(`arn:aws:iam::${PARTNER}:role/PartnerAudit`)).toMatchObject({ status: 'denied' });
    expect(byArn.get(`arn:aws:iam::${ACCOUNT}:user/alice`)).toMatchObject({ status: 'denied' });

    expect(await use(held.alice.readonly, 'role')).toBe('AccessDenied');
    expect(await use(held.alice.partner, 'role')).toBe('AccessDenied');
    expect(await use(held.alice.mfa, 'mfa', 'alice')).toBe('AccessDenied');
    expect(await use(held.bob.readonly, 'role')).toBe('ok');
    expect(await use(held.bob.partner, 'role')).toBe('ok');
    expect(await use(held.bob.mfa, 'mfa', 'bob')).toBe('ok');

    // The portal's own sessions for alice ended too; signing in again gives working credentials.
    expect(result.ended.mfaSessions).toBeGreaterThanOrEqual(1);
    expect(await use(await roleCredentials('alice', 'readonly'), 'role')).toBe('ok');
    expect(await use(await roleCredentials('alice', 'partner'), 'role')).toBe('ok');
    expect(await use(await mfaSessionCredentials(await signIn(portal, 'alice')), 'mfa', 'alice')).toBe('ok');

    const audit = await portal.database.prisma.auditEvent.findMany({
      where: { action: { in: ['aws_sessions.revoke', 'aws_sessions.apply'] } },
      orderBy: { seq: 'asc' },
    });
    expect(audit.map((r) => [r.action, r.actor, r.outcome])).toEqual([
      ['aws_sessions.revoke', 'carol', 'success'],
      ['aws_sessions.apply', 'carol', 'success'],
    ]);
    expect(audit[0]!.metadata).toMatchObject({ userName: 'alice', outstandingCredentials: 3 });
  });

  it('keeps every revoked person in one policy per role, and reports per role what it could not do', async () => {
    await portal.app.services.awsRevocation.revoke('erin', { actor: 'carol' });
    const got = await portalIam().send(
      new GetRolePolicyCommand({ RoleName: 'ReadOnly', PolicyName: REVOCATION_POLICY_NAME }),
    );
    const document = JSON.parse(decodeURIComponent(got.PolicyDocument!));
    const identities = document.Statement.flatMap(
      (s: { Condition: { StringEqualsIgnoreCase: Record<string, string | string[]> } }) =>
        [s.Condition.StringEqualsIgnoreCase['aws:SourceIdentity']].flat(),
    );
    expect(identities.sort()).toEqual(['alice', 'erin']);

    // Without an identity for the partner account, that role is reported, never skipped silently.
    const withoutPartnerIdentity = createAwsRevocationService({
      prisma: portal.database.prisma,
      aws: portal.aws,
      catalog: portal.app.services.catalog,
      custody: portal.app.services.custody,
      sessions: portal.app.services.revocation,
      audit: portal.app.services.audit,
      leases: createLeaseStore({ prisma: portal.database.prisma }),
      issued: createIssuedCredentialsReader({ signInSeconds: 43_200, cliTokenSeconds: 43_200 }),
      revocationRoleName: undefined,
      userSessionSeconds: 43_200,
    });
    const partial = await withoutPartnerIdentity.revoke('frank', { actor: 'carol' });
    expect(partial.applied.complete).toBe(false);
    expect(partial.applied.targets.filter((t) => t.status === 'failed')).toEqual([
      {
        kind: 'role',
        arn: `arn:aws:iam::${PARTNER}:role/PartnerAudit`,
        accountId: PARTNER,
        status: 'failed',
        error: 'no_identity',
      },
    ]);
    const last = await portal.database.prisma.auditEvent.findFirst({
      where: { action: 'aws_sessions.apply' },
      orderBy: { seq: 'desc' },
    });
    expect(last).toMatchObject({ outcome: 'failure', errorCode: 'partially_applied' });
    expect(String((last!.metadata as Record<string, unknown>).failures)).toContain('PartnerAudit (no_identity)');
    // The full service repairs it on the next apply.
    expect((await portal.app.services.awsRevocation.apply()).complete).toBe(true);
  });

  it('drops an entry once no credential from before it can still be valid, and removes the policies with the last one', async () => {
    const later = (hours: number) => () => new Date(Date.now() + hours * 3_600_000);
    const service = (now: () => Date) =>
      createAwsRevocationService({
        prisma: portal.database.prisma,
        aws: portal.aws,
        catalog: portal.app.services.catalog,
        custody: portal.app.services.custody,
        sessions: portal.app.services.revocation,
        audit: portal.app.services.audit,
        leases: createLeaseStore({ prisma: portal.database.prisma, now }),
        issued: createIssuedCredentialsReader({ signInSeconds: 43_200, cliTokenSeconds: 43_200 }),
        revocationRoleName: 'AwsMfaPortalRevocation',
        userSessionSeconds: 43_200,
        now,
      });
    expect(await service(later(1)).cleanup()).toBeNull(); // nothing expired yet
    expect(await portal.database.prisma.awsRevocation.count()).toBe(3);

    const report = await service(later(13)).cleanup();
    expect(report?.complete).toBe(true);
    expect(await portal.database.prisma.awsRevocation.count()).toBe(0);
    const iam = portalIam();
    await expect(
      iam.send(new GetRolePolicyCommand({ RoleName: 'ReadOnly', PolicyName: REVOCATION_POLICY_NAME })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(
      iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: REVOCATION_POLICY_NAME })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('admins revoke from the console API; users see their outstanding credentials and revoke their own', async () => {
    const send = (who: SignedIn, method: 'GET' | 'POST', url: string) =>
      portal.app.inject({ method, url, headers: { cookie: who.cookie, 'x-csrf-token': who.csrfToken } });
    const carol = await signIn(portal, 'carol');
    const revoked = await send(carol, 'POST', '/api/v1/admin/users/frank/aws-sessions/revoke');
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({
      revocation: { userName: 'frank', sourceIdentity: 'frank', revokedBy: 'carol' },
      applied: { complete: true },
    });
    expect((await send(carol, 'GET', '/api/v1/admin/aws-revocations')).json().revocations).toEqual([
      expect.objectContaining({ userName: 'frank' }),
    ]);
    expect((await send(carol, 'POST', '/api/v1/admin/users/bad%20name/aws-sessions/revoke')).statusCode).toBe(400);

    const bob = await signIn(portal, 'bob');
    expect((await send(bob, 'POST', '/api/v1/admin/users/erin/aws-sessions/revoke')).json()).toMatchObject({
      error: 'admin_required',
    });
    const held = await roleCredentials('bob', 'readonly');
    const listed = await send(bob, 'GET', '/api/v1/me/credentials');
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().credentials).toContainEqual(
      expect.objectContaining({
        accessKeyId: held.accessKeyId,
        roleAlias: 'readonly',
        via: 'assume_role',
        revoked: false,
      }),
    );
    // Without the CSRF token (a cross-site form) nothing is revoked.
    const forged = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/me/aws-sessions/revoke',
      headers: { cookie: bob.cookie },
    });
    expect(forged.statusCode).toBe(403);
    expect(await use(held, 'role')).toBe('ok');

    // "I lost my laptop": bob revokes his own; his session ends, his old credentials stop working.
    const own = await send(bob, 'POST', '/api/v1/me/aws-sessions/revoke');
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().applied.complete).toBe(true);
    expect((await send(bob, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect(await use(held, 'role')).toBe('AccessDenied');
    const again = await signIn(portal, 'bob');
    const after = (await send(again, 'GET', '/api/v1/me/credentials')).json().credentials as Array<{
      auditSeq: number;
      accessKeyId: string | null;
      revoked: boolean;
    }>;
    expect(after.find((c) => c.accessKeyId === held.accessKeyId)?.revoked).toBe(true);
    // Each entry names its own audit row: what the page keys its list on.
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(new Set(after.map((c) => c.auditSeq)).size).toBe(after.length);
  });

  // Two CLI processes cost seconds; the commands are the same services on either database.
  it.runIf(provider.name === 'sqlite')(
    'revokes and offboards from the admin CLI, with exit code 1 when a role could not be changed',
    async () => {
      const cli = (args: string[], env: Record<string, string> = {}) => {
        const key = portal.state.users.find((u) => u.name === 'portal')!.accessKeys![0]!;
        return new Promise<{ code: number; stdout: string }>((resolve) => {
          execFile(
            process.execPath,
            ['--import', 'tsx', CLI, ...args],
            {
              env: {
                PATH: process.env.PATH,
                DATABASE_URL: portal.config.databaseUrl,
                PORTAL_MASTER_KEY: masterKey,
                AWS_ENDPOINT_URL: portal.emulator.url,
                AWS_ACCESS_KEY_ID: key.id,
                AWS_SECRET_ACCESS_KEY: key.secret,
                AWS_REGION: 'us-east-1',
                AWS_CONFIG_FILE: '/nonexistent',
                AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
                AWS_EC2_METADATA_DISABLED: 'true',
                ...env,
              },
            },
            (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
          );
        });
      };
      // Without REVOCATION_ROLE_NAME the partner role cannot be changed: said, and exit 1.
      const partial = await cli(['revoke', 'erin']);
      expect(partial.stdout).toContain('revoked AWS sessions of erin');
      expect(partial.stdout).toMatch(/failed\s+role arn:aws:iam::222222222222:role\/PartnerAudit\s+\(no_identity\)/);
      expect(partial.stdout).toContain('NOT COMPLETE');
      expect(partial.code).toBe(1);

      const offboarded = await cli(['offboard', 'erin'], { REVOCATION_ROLE_NAME: 'AwsMfaPortalRevocation' });
      expect(offboarded).toMatchObject({ code: 0, stdout: expect.stringContaining('offboarded erin') });
      expect(await portal.app.services.custody.find('erin')).toBeNull();
    },
  );
});
