import { describe, expect, it } from 'vitest';
import { call, harness, members } from '../../test/iam-context.ts';
import {
  getLoginProfile,
  getUser,
  listAccountAliases,
  listAttachedUserPolicies,
  listGroupsForUser,
  listUserPolicies,
  listUsers,
} from './users.ts';

describe('ListUsers', () => {
  it('lists only the caller account, sorted by name, with PasswordLastUsed and without Tags', async () => {
    const h = harness();
    const result = await call(h, 'ListUsers', listUsers);
    const users = members(result?.Users);
    expect(users.map((u) => u.UserName)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(users[0]).toMatchObject({
      Path: '/',
      Arn: 'arn:aws:iam::111111111111:user/alice',
      CreateDate: new Date('2026-01-02T10:00:00Z'),
      PasswordLastUsed: new Date('2026-11-01T09:00:00Z'),
    });
    expect(users[0]?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(users[0]?.Tags).toBeUndefined();
    expect(result?.IsTruncated).toBe(false);
    expect(result).not.toHaveProperty('Marker');
    expect(h.authorized).toEqual([{ action: 'iam:ListUsers', resource: '*' }]);
  });

  it('paginates with MaxItems and Marker, omitting Marker on the last page', async () => {
    const h = harness();
    const first = await call(h, 'ListUsers', listUsers, { MaxItems: '2' });
    expect(members(first?.Users).map((u) => u.UserName)).toEqual(['alice', 'bob']);
    expect(first?.IsTruncated).toBe(true);
    const second = await call(h, 'ListUsers', listUsers, { MaxItems: '2', Marker: String(first?.Marker) });
    expect(members(second?.Users).map((u) => u.UserName)).toEqual(['carol', 'dave']);
    const third = await call(h, 'ListUsers', listUsers, { MaxItems: '2', Marker: String(second?.Marker) });
    expect(members(third?.Users).map((u) => u.UserName)).toEqual(['erin']);
    expect(third?.IsTruncated).toBe(false);
    expect(third).not.toHaveProperty('Marker');
  });

  it('filters by PathPrefix', async () => {
    const result = await call(harness(), 'ListUsers', listUsers, { PathPrefix: '/ops/' });
    expect(members(result?.Users).map((u) => u.Arn)).toEqual(['arn:aws:iam::111111111111:user/ops/carol']);
  });

  it.each([
    ['0', "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [
      '1001',
      "Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000",
    ],
  ])('rejects MaxItems=%s with ValidationError', async (value, message) => {
    await expect(call(harness(), 'ListUsers', listUsers, { MaxItems: value })).rejects.toMatchObject({
      code: 'ValidationError',
      status: 400,
      message: `1 validation error detected: ${message}`,
    });
  });

  it('rejects a forged Marker', async () => {
    await expect(call(harness(), 'ListUsers', listUsers, { Marker: 'bm9wZQ==' })).rejects.toMatchObject({
      code: 'ValidationError',
    });
  });

  it('surfaces the policy decision of authorize', async () => {
    const h = harness();
    h.deny = () => true;
    await expect(call(h, 'ListUsers', listUsers)).rejects.toMatchObject({
      code: 'AccessDenied',
      status: 403,
      message: 'User: arn:aws:iam::111111111111:user/alice is not authorized to perform: iam:ListUsers on resource: *',
    });
  });
});

describe('GetUser', () => {
  it('defaults to the caller and includes Tags', async () => {
    const h = harness();
    const result = await call(h, 'GetUser', getUser);
    expect(result?.User).toMatchObject({ UserName: 'alice', Tags: [{ Key: 'team', Value: 'platform' }] });
    expect(h.authorized).toEqual([{ action: 'iam:GetUser', resource: 'arn:aws:iam::111111111111:user/alice' }]);
  });

  it('authorizes on the path-qualified ARN of the named user', async () => {
    const h = harness();
    const result = await call(h, 'GetUser', getUser, { UserName: 'CAROL' });
    expect(result?.User).toMatchObject({ UserName: 'carol', Path: '/ops/' });
    expect((result?.User as Record<string, unknown> | undefined)?.PasswordLastUsed).toBeUndefined();
    expect(h.authorized[0]?.resource).toBe('arn:aws:iam::111111111111:user/ops/carol');
  });

  it('answers NoSuchEntity with AWS wording, after authorizing', async () => {
    const h = harness();
    await expect(call(h, 'GetUser', getUser, { UserName: 'mallory' })).rejects.toMatchObject({
      code: 'NoSuchEntity',
      status: 404,
      message: 'The user with name mallory cannot be found.',
    });
    expect(h.authorized[0]?.resource).toBe('arn:aws:iam::111111111111:user/mallory');
  });

  it('does not see users of other accounts', async () => {
    await expect(call(harness(), 'GetUser', getUser, { UserName: 'zed' })).rejects.toMatchObject({
      code: 'NoSuchEntity',
    });
  });

  it('rejects a malformed user name', async () => {
    await expect(call(harness(), 'GetUser', getUser, { UserName: 'no spaces' })).rejects.toMatchObject({
      code: 'ValidationError',
      message:
        "1 validation error detected: Value 'no spaces' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
  });

  it('requires UserName for role sessions', async () => {
    const h = harness();
    h.caller = {
      kind: 'role-session',
      account: '111111111111',
      arn: 'arn:aws:sts::111111111111:assumed-role/ReadOnly/s',
      roleArn: 'arn:aws:iam::111111111111:role/ReadOnly',
      roleName: 'ReadOnly',
      roleId: 'AROAEXAMPLE',
      sessionName: 's',
      sourceIdentity: null,
      accessKeyId: 'ASIAEXAMPLE',
      mfaAuthenticatedAt: null,
      issuedAt: new Date(),
      expiresAt: new Date(),
    };
    await expect(call(h, 'GetUser', getUser)).rejects.toMatchObject({ code: 'ValidationError' });
  });
});

describe('user detail listings', () => {
  it('ListGroupsForUser requires UserName and lists groups with ids and ARNs', async () => {
    const h = harness();
    await expect(call(h, 'ListGroupsForUser', listGroupsForUser)).rejects.toMatchObject({ code: 'ValidationError' });
    const result = await call(h, 'ListGroupsForUser', listGroupsForUser, { UserName: 'carol' });
    expect(members(result?.Groups)).toEqual([
      expect.objectContaining({
        GroupName: 'admins',
        Path: '/ops/',
        Arn: 'arn:aws:iam::111111111111:group/ops/admins',
        GroupId: expect.stringMatching(/^AGPA/),
      }),
    ]);
    expect(result?.IsTruncated).toBe(false);
  });

  it('ListAttachedUserPolicies and ListUserPolicies', async () => {
    const h = harness();
    const attached = await call(h, 'ListAttachedUserPolicies', listAttachedUserPolicies, { UserName: 'alice' });
    expect(attached?.AttachedPolicies).toEqual([
      { PolicyName: 'ForceMFA', PolicyArn: 'arn:aws:iam::111111111111:policy/ForceMFA' },
    ]);
    const inline = await call(h, 'ListUserPolicies', listUserPolicies, { UserName: 'alice' });
    expect(inline?.PolicyNames).toEqual(['self-service']);
  });

  it('GetLoginProfile: present for console users, NoSuchEntity otherwise', async () => {
    const h = harness();
    expect((await call(h, 'GetLoginProfile', getLoginProfile, { UserName: 'bob' }))?.LoginProfile).toMatchObject({
      UserName: 'bob',
      PasswordResetRequired: false,
    });
    await expect(call(h, 'GetLoginProfile', getLoginProfile, { UserName: 'dave' })).rejects.toMatchObject({
      code: 'NoSuchEntity',
      message: 'Login Profile for User dave cannot be found.',
    });
  });

  it('ListAccountAliases', async () => {
    expect((await call(harness(), 'ListAccountAliases', listAccountAliases))?.AccountAliases).toEqual(['fixture']);
  });
});
