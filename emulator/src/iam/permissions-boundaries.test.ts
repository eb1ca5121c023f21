import { describe, expect, it } from 'vitest';
import { call, harness } from '../../test/iam-context.ts';
import { validateStateFile } from '../state/state-validator.ts';
import { deletePolicy } from './managed-policies.ts';
import { deleteRolePermissionsBoundary, putRolePermissionsBoundary } from './permissions-boundaries.ts';

const ACCOUNT = '111111111111';
const FORCE_MFA = `arn:aws:iam::${ACCOUNT}:policy/ForceMFA`;
const DEVELOPER = `arn:aws:iam::${ACCOUNT}:policy/DeveloperAccess`;

describe('Put/DeleteRolePermissionsBoundary', () => {
  it('sets, replaces and removes a role boundary, authorized on the role first', async () => {
    const h = harness();
    await call(h, 'PutRolePermissionsBoundary', putRolePermissionsBoundary, {
      RoleName: 'deploy',
      PermissionsBoundary: FORCE_MFA,
    });
    await call(h, 'PutRolePermissionsBoundary', putRolePermissionsBoundary, {
      RoleName: 'Deploy',
      PermissionsBoundary: DEVELOPER,
    });
    expect(h.store.findRole(ACCOUNT, 'Deploy')?.permissionsBoundary).toBe(DEVELOPER);
    expect(() => validateStateFile(h.store.toStateFile())).not.toThrow();
    await call(h, 'DeleteRolePermissionsBoundary', deleteRolePermissionsBoundary, { RoleName: 'Deploy' });
    // Again: a role without a boundary is left as it is.
    await call(h, 'DeleteRolePermissionsBoundary', deleteRolePermissionsBoundary, { RoleName: 'Deploy' });
    expect(h.store.findRole(ACCOUNT, 'Deploy')?.permissionsBoundary).toBeUndefined();
    expect(h.authorized.map((a) => a.resource)).toEqual(Array(4).fill(`arn:aws:iam::${ACCOUNT}:role/ci/Deploy`));
  });

  it('answers NoSuchEntity for a role that does not exist, after authorizing on its would-be ARN', async () => {
    const h = harness();
    await expect(
      call(h, 'PutRolePermissionsBoundary', putRolePermissionsBoundary, {
        RoleName: 'PartnerAudit', // exists, but in another account
        PermissionsBoundary: FORCE_MFA,
      }),
    ).rejects.toMatchObject({ code: 'NoSuchEntity', message: 'The role with name PartnerAudit cannot be found.' });
    expect(h.authorized).toEqual([
      { action: 'iam:PutRolePermissionsBoundary', resource: `arn:aws:iam::${ACCOUNT}:role/PartnerAudit` },
    ]);
  });
});

describe('DeletePolicy', () => {
  it('refuses a policy attached to a user or used as a boundary, then deletes it once free', async () => {
    const h = harness();
    // alice attaches ForceMFA.
    await expect(call(h, 'DeletePolicy', deletePolicy, { PolicyArn: FORCE_MFA })).rejects.toMatchObject({
      code: 'DeleteConflict',
      status: 409,
      message: 'Cannot delete a policy attached to entities.',
    });
    h.store.findUser(ACCOUNT, 'alice')!.attachedPolicies = [];
    h.store.findRole(ACCOUNT, 'ReadOnly')!.permissionsBoundary = FORCE_MFA;
    await expect(call(h, 'DeletePolicy', deletePolicy, { PolicyArn: FORCE_MFA })).rejects.toMatchObject({
      code: 'DeleteConflict',
    });
    delete h.store.findRole(ACCOUNT, 'ReadOnly')!.permissionsBoundary;
    await call(h, 'DeletePolicy', deletePolicy, { PolicyArn: FORCE_MFA });
    expect(h.store.findManagedPolicy(FORCE_MFA)).toBeUndefined();
    await expect(call(h, 'DeletePolicy', deletePolicy, { PolicyArn: FORCE_MFA })).rejects.toMatchObject({
      code: 'NoSuchEntity',
    });
  });

  it("leaves another account's policy and AWS managed policies alone", async () => {
    const h = harness();
    const theirs = 'arn:aws:iam::222222222222:policy/Theirs';
    const awsManaged = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    for (const arn of [theirs, awsManaged]) h.store.state.policies.push({ arn, document: { Statement: [] } });
    await expect(call(h, 'DeletePolicy', deletePolicy, { PolicyArn: theirs })).rejects.toMatchObject({
      code: 'NoSuchEntity',
    });
    await expect(call(h, 'DeletePolicy', deletePolicy, { PolicyArn: awsManaged })).rejects.toMatchObject({
      code: 'InvalidInput',
    });
    expect(h.store.findManagedPolicy(theirs)).toBeDefined();
    expect(h.store.findManagedPolicy(awsManaged)).toBeDefined();
  });
});
