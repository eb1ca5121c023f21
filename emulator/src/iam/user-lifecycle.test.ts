import { describe, expect, it } from 'vitest';
import { call, harness } from '../../test/iam-context.ts';
import { validateStateFile } from '../state/state-validator.ts';
import { createUser, deleteUser, USERS_PER_ACCOUNT } from './user-lifecycle.ts';

const ACCOUNT = '111111111111';

describe('CreateUser', () => {
  it('creates a user with path, tags, a fresh id and the creation time, authorized on its ARN', async () => {
    const h = harness();
    const result = await call(h, 'CreateUser', createUser, {
      UserName: 'grace',
      Path: '/contractors/',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'infra',
    });
    expect(result?.User).toMatchObject({
      UserName: 'grace',
      Path: '/contractors/',
      Arn: `arn:aws:iam::${ACCOUNT}:user/contractors/grace`,
      CreateDate: h.now,
      UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/),
      Tags: [{ Key: 'team', Value: 'infra' }],
    });
    expect(h.authorized).toEqual([
      { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/contractors/grace` },
    ]);
    // What is persisted is a valid state file again.
    expect(() => validateStateFile(h.store.toStateFile())).not.toThrow();
    expect(h.store.findUser(ACCOUNT, 'GRACE')?.created).toBe(h.now.toISOString());
  });

  it('gives a re-created name a different id', async () => {
    const h = harness();
    const first = (await call(h, 'CreateUser', createUser, { UserName: 'grace' }))?.User as { UserId: string };
    await call(h, 'DeleteUser', deleteUser, { UserName: 'grace' });
    const second = (await call(h, 'CreateUser', createUser, { UserName: 'grace' }))?.User as { UserId: string };
    expect(second.UserId).not.toBe(first.UserId);
  });

  it('refuses an existing name, case-insensitively, with EntityAlreadyExists', async () => {
    await expect(call(harness(), 'CreateUser', createUser, { UserName: 'Alice' })).rejects.toMatchObject({
      code: 'EntityAlreadyExists',
      status: 409,
      message: 'User with name Alice already exists.',
    });
  });

  it.each([
    [{}, "Value null at 'userName' failed to satisfy constraint: Member must not be null"],
    [
      { UserName: 'u'.repeat(65) },
      `Value '${'u'.repeat(65)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    ],
    [
      { UserName: 'no spaces' },
      "Value 'no spaces' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    ],
    [
      { UserName: 'grace', Path: '/no-trailing-slash' },
      "Value '/no-trailing-slash' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
    ],
    [
      { UserName: 'grace', 'Tags.member.1.Key': 'bad{key}', 'Tags.member.1.Value': 'v' },
      "Value 'bad{key}' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
    ],
  ])('rejects %j with ValidationError', async (params, message) => {
    const h = harness();
    await expect(call(h, 'CreateUser', createUser, params as Record<string, string>)).rejects.toMatchObject({
      code: 'ValidationError',
      status: 400,
      message: `1 validation error detected: ${message}`,
    });
    expect(h.authorized).toEqual([]);
  });

  it('refuses duplicate tag keys with InvalidInput', async () => {
    await expect(
      call(harness(), 'CreateUser', createUser, {
        UserName: 'grace',
        'Tags.member.1.Key': 'Team',
        'Tags.member.1.Value': 'a',
        'Tags.member.2.Key': 'team',
        'Tags.member.2.Value': 'b',
      }),
    ).rejects.toMatchObject({ code: 'InvalidInput', status: 400 });
  });

  it('creates a user with a permissions boundary, passing it to the decision as iam:PermissionsBoundary', async () => {
    const h = harness();
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/ForceMFA`;
    const seen: Array<Record<string, unknown> | undefined> = [];
    const result = await call(
      h,
      'CreateUser',
      (ctx) => {
        const authorize = ctx.authorize;
        ctx.authorize = (resource, keys) => {
          seen.push(keys);
          authorize(resource, keys);
        };
        return createUser(ctx);
      },
      { UserName: 'grace', PermissionsBoundary: boundary },
    );
    expect(result?.User).toMatchObject({
      UserName: 'grace',
      PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary },
    });
    expect(seen).toEqual([{ 'iam:permissionsboundary': boundary }]);
    expect(h.store.findUser(ACCOUNT, 'grace')?.permissionsBoundary).toBe(boundary);
    expect(() => validateStateFile(h.store.toStateFile())).not.toThrow();
  });

  it.each([
    ['a policy that does not exist', `arn:aws:iam::${ACCOUNT}:policy/NoSuchPolicy`],
    ["another account's policy", 'arn:aws:iam::222222222222:policy/ForceMFA'],
  ])('refuses %s as the boundary with NoSuchEntity, creating nothing', async (_, arn) => {
    const h = harness();
    await expect(
      call(h, 'CreateUser', createUser, { UserName: 'grace', PermissionsBoundary: arn }),
    ).rejects.toMatchObject({
      code: 'NoSuchEntity',
      status: 404,
      message: `Scope ARN: ${arn} does not exist or is not attachable.`,
    });
    expect(h.store.findUser(ACCOUNT, 'grace')).toBeUndefined();
  });

  it('refuses a boundary that is not a policy ARN with InvalidInput', async () => {
    const h = harness();
    await expect(
      call(h, 'CreateUser', createUser, {
        UserName: 'grace',
        PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:user/alice`,
      }),
    ).rejects.toMatchObject({ code: 'InvalidInput', status: 400 });
    expect(h.store.findUser(ACCOUNT, 'grace')).toBeUndefined();
  });

  it('passes the request tags to the policy decision', async () => {
    const h = harness();
    const seen: Array<Record<string, unknown> | undefined> = [];
    const ctxCall = call(
      h,
      'CreateUser',
      (ctx) => {
        const authorize = ctx.authorize;
        ctx.authorize = (resource, keys) => {
          seen.push(keys);
          authorize(resource, keys);
        };
        return createUser(ctx);
      },
      { UserName: 'grace', 'Tags.member.1.Key': 'team', 'Tags.member.1.Value': 'infra' },
    );
    await ctxCall;
    expect(seen).toEqual([{ 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'infra' }]);
  });

  it(`refuses the ${USERS_PER_ACCOUNT + 1}th user of an account with LimitExceeded`, async () => {
    const h = harness();
    const existing = h.store.usersOf(ACCOUNT).length;
    for (let i = existing; i < USERS_PER_ACCOUNT; i++)
      h.store.state.users.push({ account: ACCOUNT, name: `filler${i}` });
    await expect(call(h, 'CreateUser', createUser, { UserName: 'grace' })).rejects.toMatchObject({
      code: 'LimitExceeded',
      status: 409,
      message: `Cannot exceed quota for UsersPerAccount: ${USERS_PER_ACCOUNT}`,
    });
  });

  it('surfaces a policy denial', async () => {
    const h = harness();
    h.deny = () => true;
    await expect(call(h, 'CreateUser', createUser, { UserName: 'grace' })).rejects.toMatchObject({
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/grace`,
    });
  });
});

describe('DeleteUser', () => {
  it('deletes a user with nothing attached, authorized on its ARN', async () => {
    const h = harness();
    await call(h, 'CreateUser', createUser, { UserName: 'grace', Path: '/x/' });
    expect(await call(h, 'DeleteUser', deleteUser, { UserName: 'GRACE' })).toBeNull();
    expect(h.store.findUser(ACCOUNT, 'grace')).toBeUndefined();
    expect(h.authorized.at(-1)).toEqual({ action: 'iam:DeleteUser', resource: `arn:aws:iam::${ACCOUNT}:user/x/grace` });
  });

  it('ends the GetSessionToken sessions of the deleted user', async () => {
    const h = harness();
    await call(h, 'CreateUser', createUser, { UserName: 'grace' });
    const grace = h.store.findUser(ACCOUNT, 'grace')!;
    const caller = {
      kind: 'user-session' as const,
      account: ACCOUNT,
      arn: `arn:aws:iam::${ACCOUNT}:user/grace`,
      userName: 'grace',
      userId: grace.id!,
      accessKeyId: 'ASIAGRACE00000000001',
      mfaAuthenticatedAt: h.now,
      issuedAt: h.now,
      expiresAt: new Date(h.now.getTime() + 3_600_000),
    };
    h.store.sessions.set(caller.accessKeyId, {
      accessKeyId: caller.accessKeyId,
      secretAccessKey: 's',
      sessionToken: 't',
      expiresAt: caller.expiresAt,
      caller,
    });
    await call(h, 'DeleteUser', deleteUser, { UserName: 'grace' });
    expect(h.store.sessions.has(caller.accessKeyId)).toBe(false);
  });

  it.each([
    ['a login profile', 'bob', 'Cannot delete entity, must delete login profile first.'],
    ['access keys', 'dave', 'Cannot delete entity, must delete access keys first.'],
    ['an MFA device', 'erin', 'Cannot delete entity, must delete MFA device first.'],
  ])('refuses a user with %s with DeleteConflict', async (_what, name, message) => {
    const h = harness();
    await expect(call(h, 'DeleteUser', deleteUser, { UserName: name })).rejects.toMatchObject({
      code: 'DeleteConflict',
      status: 409,
      message,
    });
    expect(h.store.findUser(ACCOUNT, name)).toBeDefined();
  });

  it.each([
    ['group memberships', { groups: ['developers'] }, 'Cannot delete entity, must remove users from group first.'],
    [
      'attached policies',
      { attachedPolicies: [`arn:aws:iam::${ACCOUNT}:policy/ForceMFA`] },
      'Cannot delete entity, must detach all policies first.',
    ],
    [
      'inline policies',
      { inlinePolicies: [{ name: 'p', document: { Statement: [] } }] },
      'Cannot delete entity, must delete policies first.',
    ],
  ])('refuses a user with %s with DeleteConflict', async (_what, extra, message) => {
    const h = harness();
    h.store.state.users.push({ account: ACCOUNT, name: 'grace', ...extra });
    await expect(call(h, 'DeleteUser', deleteUser, { UserName: 'grace' })).rejects.toMatchObject({
      code: 'DeleteConflict',
      message,
    });
  });

  it('requires UserName, and answers NoSuchEntity for an unknown user', async () => {
    const h = harness();
    await expect(call(h, 'DeleteUser', deleteUser)).rejects.toMatchObject({ code: 'ValidationError' });
    await expect(call(h, 'DeleteUser', deleteUser, { UserName: 'mallory' })).rejects.toMatchObject({
      code: 'NoSuchEntity',
      status: 404,
      message: 'The user with name mallory cannot be found.',
    });
  });
});
