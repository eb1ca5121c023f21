import { execFile } from 'node:child_process';
import path from 'node:path';
import { AddUserToGroupCommand, IAMClient, RemoveUserFromGroupCommand } from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StateFile } from '../../emulator/src/state/state-file.ts';
import { generateMasterKey } from '../src/services/custody/secret-box.ts';
import { type SignedIn, signIn } from './admin-fixtures.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { ACCOUNT, demoState, type PortalHarness } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

const CLI = path.resolve(import.meta.dirname, '../src/cli/portal-cli.ts');
const CLI_AGENT = 'aws-mfa-portal-credentials/1.0 (revocation test)';

describe.each(testDatabaseUrls())('what is ended stays ended ($name)', (provider) => {
  const masterKey = generateMasterKey();
  const harness = useEnrolledPortal(provider, { env: { PORTAL_MASTER_KEY: masterKey } });
  let portal: PortalHarness;
  beforeAll(() => {
    portal = harness();
  });

  async function createToken(userName: string): Promise<string> {
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/cli-tokens',
      headers: { 'user-agent': CLI_AGENT },
      payload: { userName, code: portal.nextCode(userName) },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().token as string;
  }

  const useToken = (token: string) =>
    portal.app.inject({
      method: 'GET',
      url: '/api/v1/credentials/process?role=readonly',
      headers: { authorization: `Bearer ${token}` },
    });

  const sessionOf = (who: SignedIn) =>
    portal.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: who.cookie } });

  const send = (who: SignedIn, method: 'GET' | 'POST' | 'DELETE', url: string) =>
    portal.app.inject({ method, url, headers: { cookie: who.cookie, 'x-csrf-token': who.csrfToken } });

  async function liveMfaSessions(userName: string): Promise<number> {
    return portal.database.prisma.mfaSession.count({ where: { userName, revokedAt: null } });
  }

  async function lastAudit(action: string) {
    return portal.database.prisma.auditEvent.findFirst({ where: { action }, orderBy: { seq: 'desc' } });
  }

  const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const portalKey = portal.state.users.find((u) => u.name === 'portal')!.accessKeys![0]!;
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', CLI, ...args],
        {
          env: {
            PATH: process.env.PATH,
            DATABASE_URL: portal.config.databaseUrl,
            PORTAL_MASTER_KEY: masterKey,
            AWS_ENDPOINT_URL: portal.emulator.url,
            AWS_ACCESS_KEY_ID: portalKey.id,
            AWS_SECRET_ACCESS_KEY: portalKey.secret,
            AWS_REGION: 'us-east-1',
            AWS_CONFIG_FILE: '/nonexistent',
            AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
            AWS_EC2_METADATA_DISABLED: 'true',
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  };

  it('unenrolling in the admin console ends the browser sessions, MFA sessions and CLI tokens at once', async () => {
    const alice = await signIn(portal, 'alice');
    const token = await createToken('alice');
    expect((await useToken(token)).statusCode).toBe(200);
    const carol = await signIn(portal, 'carol');

    const unenrolled = await send(carol, 'DELETE', '/api/v1/admin/users/alice/enrollment');
    expect(unenrolled.statusCode, unenrolled.body).toBe(200);
    expect(unenrolled.json()).toMatchObject({
      userName: 'alice',
      ended: { webSessions: 1, mfaSessions: 2, cliTokens: 1 },
    });

    expect((await sessionOf(alice)).json().error).toBe('not_signed_in');
    const refused = await useToken(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toBe('invalid_token');
    expect(await liveMfaSessions('alice')).toBe(0);
    const audit = await lastAudit('custody.unenroll');
    expect(audit).toMatchObject({ actor: 'carol', outcome: 'success' });
    expect(audit!.metadata).toMatchObject({
      userName: 'alice',
      webSessions: 1,
      mfaSessions: 2,
      cliTokens: 1,
    });
    const again = await send(carol, 'DELETE', '/api/v1/admin/users/alice/enrollment');
    expect(again.statusCode).toBe(404);
    expect(again.json().error).toBe('not_enrolled');
    await portal.app.services.custody.enroll('alice');
  });

  it('unenrolling with the CLI ends them too', async () => {
    const erin = await signIn(portal, 'erin');
    const token = await createToken('erin');
    const result = await cli(['unenroll', 'erin']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ended 1 browser sessions, 2 MFA sessions and 1 CLI tokens/);
    expect((await sessionOf(erin)).statusCode).toBe(401);
    expect((await useToken(token)).json().error).toBe('invalid_token');
    expect(await liveMfaSessions('erin')).toBe(0);
    await portal.app.services.custody.enroll('erin');
  });

  it('shows the owner their tokens with where they came from and when they were last used', async () => {
    const first = await createToken('frank');
    const second = await createToken('frank');
    const frank = await signIn(portal, 'frank');
    const listed = await send(frank, 'GET', '/api/v1/cli-tokens');
    expect(listed.statusCode, listed.body).toBe(200);
    const tokens = listed.json().tokens as Array<Record<string, unknown>>;
    expect(tokens).toHaveLength(2);
    for (const t of tokens) {
      expect(t).toMatchObject({ status: 'active', sourceIp: '127.0.0.1', userAgent: CLI_AGENT, lastUsedAt: null });
      expect(JSON.stringify(t)).not.toContain(first.slice(4, 20));
    }

    expect((await useToken(first)).statusCode).toBe(200);
    const used = (await send(frank, 'GET', '/api/v1/cli-tokens')).json().tokens as Array<{
      lastUsedAt: string | null;
    }>;
    const usedAt = used.map((t) => t.lastUsedAt).filter((t) => t !== null);
    expect(usedAt).toHaveLength(1);
    // Uses within a minute are not written again.
    expect((await useToken(first)).statusCode).toBe(200);
    const again = (await send(frank, 'GET', '/api/v1/cli-tokens')).json().tokens as Array<{
      lastUsedAt: string | null;
    }>;
    expect(again.map((t) => t.lastUsedAt).filter((t) => t !== null)).toEqual(usedAt);
    expect(second).not.toBe(first);
  });

  it('lets the owner revoke a token: its next request gets 401 invalid_token, and it is audited', async () => {
    const token = await createToken('frank');
    const other = await createToken('frank');
    const frank = await signIn(portal, 'frank');
    const tokens = (await send(frank, 'GET', '/api/v1/cli-tokens')).json().tokens as Array<{ id: string }>;
    const newest = tokens[0]!.id; // `other`
    const target = tokens[1]!.id; // `token`

    const withoutCsrf = await portal.app.inject({
      method: 'DELETE',
      url: `/api/v1/cli-tokens/${target}`,
      headers: { cookie: frank.cookie },
    });
    expect(withoutCsrf.statusCode).toBe(403);
    const alice = await signIn(portal, 'alice');
    const notHers = await send(alice, 'DELETE', `/api/v1/cli-tokens/${target}`);
    expect(notHers.statusCode).toBe(404);
    expect(notHers.json().error).toBe('unknown_token');
    expect((await useToken(token)).statusCode).toBe(200);

    const revoked = await send(frank, 'DELETE', `/api/v1/cli-tokens/${target}`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({ id: target, status: 'revoked' });
    const refused = await useToken(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toBe('invalid_token');
    expect((await useToken(other)).statusCode).toBe(200);
    const audit = await lastAudit('cli_token.revoke');
    expect(audit).toMatchObject({ actor: 'frank', outcome: 'success', sourceIp: '127.0.0.1' });
    expect(audit!.metadata).toMatchObject({ userName: 'frank', tokenId: target });
    expect(newest).not.toBe(target);
    // The MFA session behind the token went with it; revoking again changes nothing.
    const row = await portal.database.prisma.cliToken.findUnique({ where: { id: target } });
    const session = await portal.database.prisma.mfaSession.findUnique({ where: { id: row!.mfaSessionId } });
    expect(session!.revokedAt).not.toBeNull();
    expect((await send(frank, 'DELETE', `/api/v1/cli-tokens/${target}`)).statusCode).toBe(200);
    expect((await lastAudit('cli_token.revoke'))!.id).toBe(audit!.id);
  });

  it('signs out everywhere: every browser session, MFA session and token of the user ends', async () => {
    const laptop = await signIn(portal, 'alice');
    const desktop = await signIn(portal, 'alice');
    const token = await createToken('alice');
    const erin = await signIn(portal, 'erin');
    const { prisma } = portal.database;
    const live = {
      webSessions: await prisma.webSession.count({ where: { userName: 'alice' } }),
      mfaSessions: await liveMfaSessions('alice'),
      cliTokens: await prisma.cliToken.count({ where: { userName: 'alice', revokedAt: null } }),
    };
    expect(live.webSessions).toBeGreaterThanOrEqual(2);

    const ended = await send(laptop, 'POST', '/api/v1/session/sign-out-everywhere');
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json()).toEqual(live);
    expect((await sessionOf(laptop)).statusCode).toBe(401);
    expect((await sessionOf(desktop)).json().error).toBe('not_signed_in');
    expect((await useToken(token)).json().error).toBe('invalid_token');
    expect(await liveMfaSessions('alice')).toBe(0);
    // Other people stay signed in.
    expect((await sessionOf(erin)).statusCode).toBe(200);
    const audit = await lastAudit('session.sign_out_everywhere');
    expect(audit).toMatchObject({ actor: 'alice', outcome: 'success' });
    expect(audit!.metadata).toEqual(live);
  });

  it("lets admins list and revoke a user's tokens; others get 403", async () => {
    const token = await createToken('erin');
    const carol = await signIn(portal, 'carol');
    const alice = await signIn(portal, 'alice');
    expect((await send(alice, 'GET', '/api/v1/admin/users/erin/cli-tokens')).json().error).toBe('admin_required');

    const listed = await send(carol, 'GET', '/api/v1/admin/users/erin/cli-tokens');
    expect(listed.statusCode, listed.body).toBe(200);
    const active = (listed.json().tokens as Array<{ id: string; status: string }>).filter((t) => t.status === 'active');
    expect(active).toHaveLength(1);
    const id = active[0]!.id;
    expect((await send(alice, 'DELETE', `/api/v1/admin/users/erin/cli-tokens/${id}`)).statusCode).toBe(403);
    expect((await send(carol, 'DELETE', `/api/v1/admin/users/alice/cli-tokens/${id}`)).statusCode).toBe(404);

    const revoked = await send(carol, 'DELETE', `/api/v1/admin/users/erin/cli-tokens/${id}`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().status).toBe('revoked');
    expect((await useToken(token)).json().error).toBe('invalid_token');
    const audit = await lastAudit('cli_token.revoke');
    expect(audit).toMatchObject({ actor: 'carol' });
    expect(audit!.metadata).toMatchObject({ userName: 'erin', tokenId: id });
  });
});

/** The demo organisation plus an IAM administrator, the identity an operator changes groups with. */
const IAM_ADMIN_KEY = { accessKeyId: 'AKIAIAMADMIN00000001', secretAccessKey: 'iamAdmin/Secret+Key'.padEnd(40, 'x') };
function organisationWithIamAdmin(): StateFile {
  const state = demoState();
  state.users.push({
    account: ACCOUNT,
    name: 'iam-admin',
    accessKeys: [
      {
        id: IAM_ADMIN_KEY.accessKeyId,
        secret: IAM_ADMIN_KEY.secretAccessKey,
        status: 'Active',
        created: '2026-01-01T00:00:00Z',
      },
    ],
    inlinePolicies: [
      {
        name: 'ManageGroups',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
      },
    ],
  });
  return state;
}

describe.each(testDatabaseUrls())('admin rights follow the IAM group ($name)', (provider) => {
  const harness = useEnrolledPortal(provider, { state: organisationWithIamAdmin(), env: { GROUP_CACHE_SECONDS: '1' } });
  const cacheExpiry = () => new Promise((resolve) => setTimeout(resolve, 1_200));

  it('ends admin access within GROUP_CACHE_SECONDS of removal from PORTAL_ADMIN_GROUP', async () => {
    const portal = harness();
    const iam = new IAMClient({ region: 'us-east-1', endpoint: portal.emulator.url, credentials: IAM_ADMIN_KEY });
    const carol = await signIn(portal, 'carol');
    const roles = () =>
      portal.app.inject({ method: 'GET', url: '/api/v1/admin/roles', headers: { cookie: carol.cookie } });
    expect((await roles()).statusCode).toBe(200);

    await iam.send(new RemoveUserFromGroupCommand({ UserName: 'carol', GroupName: 'portal-admins' }));
    await cacheExpiry();
    const refused = await roles();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('admin_required');

    // Back in the group: the same sign-in is an admin again once the cache has expired.
    await iam.send(new AddUserToGroupCommand({ UserName: 'carol', GroupName: 'portal-admins' }));
    await cacheExpiry();
    expect((await roles()).statusCode).toBe(200);
    iam.destroy();
  });
});
