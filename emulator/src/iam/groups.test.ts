import { describe, expect, it } from 'vitest';
import { call, harness, members } from '../../test/iam-context.ts';
import { addUserToGroup, GROUPS_PER_USER, getGroup, listGroups, removeUserFromGroup } from './groups.ts';

describe('ListGroups', () => {
  it('lists the caller account groups by name, authorized on *', async () => {
    const h = harness();
    const result = await call(h, 'ListGroups', listGroups);
    expect(members(result?.Groups)).toEqual([
      expect.objectContaining({
        GroupName: 'admins',
        Path: '/ops/',
        Arn: 'arn:aws:iam::111111111111:group/ops/admins',
      }),
      expect.objectContaining({ GroupName: 'developers', Path: '/', GroupId: expect.stringMatching(/^AGPA/) }),
    ]);
    expect(result?.IsTruncated).toBe(false);
    expect(result).not.toHaveProperty('Marker');
    expect(h.authorized).toEqual([{ action: 'iam:ListGroups', resource: '*' }]);
  });

  it('filters by PathPrefix and validates it', async () => {
    const result = await call(harness(), 'ListGroups', listGroups, { PathPrefix: '/ops/' });
    expect(members(result?.Groups).map((g) => g.GroupName)).toEqual(['admins']);
    await expect(call(harness(), 'ListGroups', listGroups, { PathPrefix: 'ops' })).rejects.toMatchObject({
      code: 'ValidationError',
      message:
        "1 validation error detected: Value 'ops' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*",
    });
  });

  it('pages with MaxItems and Marker', async () => {
    const h = harness();
    const first = await call(h, 'ListGroups', listGroups, { MaxItems: '1' });
    expect(members(first?.Groups).map((g) => g.GroupName)).toEqual(['admins']);
    expect(first?.IsTruncated).toBe(true);
    const second = await call(h, 'ListGroups', listGroups, { MaxItems: '1', Marker: String(first?.Marker) });
    expect(members(second?.Groups).map((g) => g.GroupName)).toEqual(['developers']);
    expect(second?.IsTruncated).toBe(false);
    expect(second).not.toHaveProperty('Marker');
    await expect(call(h, 'ListGroups', listGroups, { MaxItems: '1001' })).rejects.toMatchObject({
      code: 'ValidationError',
    });
  });
});

describe('GetGroup', () => {
  it('returns the group and its members, paginated', async () => {
    const h = harness();
    const first = await call(h, 'GetGroup', getGroup, { GroupName: 'DEVELOPERS', MaxItems: '1' });
    expect(first?.Group).toMatchObject({ GroupName: 'developers', Arn: 'arn:aws:iam::111111111111:group/developers' });
    expect(members(first?.Users).map((u) => u.UserName)).toEqual(['alice']);
    expect(first?.IsTruncated).toBe(true);
    const second = await call(h, 'GetGroup', getGroup, { GroupName: 'developers', Marker: String(first?.Marker) });
    expect(members(second?.Users).map((u) => u.UserName)).toEqual(['dave']);
    expect(h.authorized[0]).toEqual({ action: 'iam:GetGroup', resource: 'arn:aws:iam::111111111111:group/developers' });
  });

  it('answers NoSuchEntity after authorizing on the would-be ARN', async () => {
    const h = harness();
    await expect(call(h, 'GetGroup', getGroup, { GroupName: 'nobody' })).rejects.toMatchObject({
      code: 'NoSuchEntity',
      status: 404,
      message: 'The group with name nobody cannot be found.',
    });
    expect(h.authorized).toEqual([{ action: 'iam:GetGroup', resource: 'arn:aws:iam::111111111111:group/nobody' }]);
  });
});

describe('AddUserToGroup and RemoveUserFromGroup', () => {
  it('adds a member (idempotently) and removes it again, authorized on the group ARN', async () => {
    const h = harness();
    expect(await call(h, 'AddUserToGroup', addUserToGroup, { GroupName: 'Admins', UserName: 'BOB' })).toBeNull();
    expect(h.store.findUser('111111111111', 'bob')?.groups).toEqual(['admins']);
    await call(h, 'AddUserToGroup', addUserToGroup, { GroupName: 'admins', UserName: 'bob' });
    expect(h.store.findUser('111111111111', 'bob')?.groups).toEqual(['admins']);
    expect(h.authorized[0]).toEqual({
      action: 'iam:AddUserToGroup',
      resource: 'arn:aws:iam::111111111111:group/ops/admins',
    });

    expect(
      await call(h, 'RemoveUserFromGroup', removeUserFromGroup, { GroupName: 'admins', UserName: 'bob' }),
    ).toBeNull();
    expect(h.store.findUser('111111111111', 'bob')?.groups).toBeUndefined();
    expect(h.authorized.at(-1)).toEqual({
      action: 'iam:RemoveUserFromGroup',
      resource: 'arn:aws:iam::111111111111:group/ops/admins',
    });
  });

  it('removal takes the group policies away from the user', async () => {
    const h = harness();
    const carol = h.store.findUser('111111111111', 'carol')!;
    expect(h.store.policiesForUser(carol)).toHaveLength(1);
    await call(h, 'RemoveUserFromGroup', removeUserFromGroup, { GroupName: 'admins', UserName: 'carol' });
    expect(h.store.policiesForUser(carol)).toEqual([]);
  });

  it('answers NoSuchEntity for an unknown group, an unknown user, and a user who is not a member', async () => {
    const h = harness();
    await expect(
      call(h, 'AddUserToGroup', addUserToGroup, { GroupName: 'nobody', UserName: 'bob' }),
    ).rejects.toMatchObject({ code: 'NoSuchEntity', message: 'The group with name nobody cannot be found.' });
    await expect(
      call(h, 'AddUserToGroup', addUserToGroup, { GroupName: 'admins', UserName: 'mallory' }),
    ).rejects.toMatchObject({ code: 'NoSuchEntity', message: 'The user with name mallory cannot be found.' });
    await expect(
      call(h, 'RemoveUserFromGroup', removeUserFromGroup, { GroupName: 'admins', UserName: 'bob' }),
    ).rejects.toMatchObject({ code: 'NoSuchEntity', status: 404, message: 'The user with name bob cannot be found.' });
    // Users of other accounts are not visible.
    await expect(
      call(h, 'AddUserToGroup', addUserToGroup, { GroupName: 'admins', UserName: 'zed' }),
    ).rejects.toMatchObject({ code: 'NoSuchEntity' });
  });

  it('validates both names before anything else', async () => {
    const h = harness();
    await expect(call(h, 'AddUserToGroup', addUserToGroup, { GroupName: 'admins' })).rejects.toMatchObject({
      code: 'ValidationError',
      message:
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
    });
    await expect(
      call(h, 'RemoveUserFromGroup', removeUserFromGroup, { GroupName: 'a b', UserName: 'bob' }),
    ).rejects.toMatchObject({
      code: 'ValidationError',
      message:
        "1 validation error detected: Value 'a b' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
    await expect(
      call(h, 'AddUserToGroup', addUserToGroup, { GroupName: 'g'.repeat(129), UserName: 'bob' }),
    ).rejects.toMatchObject({ code: 'ValidationError' });
    expect(h.authorized).toEqual([]);
  });

  it(`refuses a ${GROUPS_PER_USER + 1}th group with LimitExceeded`, async () => {
    const h = harness();
    for (let i = 0; i < GROUPS_PER_USER; i++) h.store.state.groups.push({ account: '111111111111', name: `g${i}` });
    for (let i = 0; i < GROUPS_PER_USER; i++)
      await call(h, 'AddUserToGroup', addUserToGroup, { GroupName: `g${i}`, UserName: 'bob' });
    await expect(
      call(h, 'AddUserToGroup', addUserToGroup, { GroupName: 'admins', UserName: 'bob' }),
    ).rejects.toMatchObject({
      code: 'LimitExceeded',
      status: 409,
      message: `Cannot exceed quota for GroupsPerUser: ${GROUPS_PER_USER}`,
    });
  });

  it('surfaces a policy denial before revealing whether the group exists', async () => {
    const h = harness();
    h.deny = () => true;
    await expect(
      call(h, 'RemoveUserFromGroup', removeUserFromGroup, { GroupName: 'nobody', UserName: 'bob' }),
    ).rejects.toMatchObject({ code: 'AccessDenied', status: 403 });
  });
});
