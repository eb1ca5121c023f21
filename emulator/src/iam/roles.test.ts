import { describe, expect, it } from 'vitest';
import { call, harness, members } from '../../test/iam-context.ts';
import { getRole, listRoles } from './roles.ts';

describe('roles', () => {
  it('GetRole returns the URL-encoded trust policy, MaxSessionDuration, Tags and RoleLastUsed', async () => {
    const h = harness();
    const role = (await call(h, 'GetRole', getRole, { RoleName: 'ReadOnly' }))?.Role as Record<string, unknown>;
    expect(role).toMatchObject({
      RoleName: 'ReadOnly',
      Path: '/',
      Arn: 'arn:aws:iam::111111111111:role/ReadOnly',
      MaxSessionDuration: 43200,
      Description: 'Read-only access with MFA',
      Tags: [{ Key: 'tier', Value: 'read' }],
      RoleLastUsed: {},
    });
    expect(role.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    const trust = JSON.parse(decodeURIComponent(String(role.AssumeRolePolicyDocument)));
    expect(trust.Statement[0].Condition).toEqual({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
    expect(String(role.AssumeRolePolicyDocument)).not.toContain('{');
    expect(h.authorized).toEqual([{ action: 'iam:GetRole', resource: 'arn:aws:iam::111111111111:role/ReadOnly' }]);
  });

  it('GetRole: NoSuchEntity for unknown roles and roles of other accounts', async () => {
    await expect(call(harness(), 'GetRole', getRole, { RoleName: 'PartnerAudit' })).rejects.toMatchObject({
      code: 'NoSuchEntity',
      status: 404,
      message: 'The role with name PartnerAudit cannot be found.',
    });
  });

  it('ListRoles paginates, filters by PathPrefix and defaults MaxSessionDuration to 3600', async () => {
    const h = harness();
    const first = await call(h, 'ListRoles', listRoles, { MaxItems: '1' });
    expect(members(first?.Roles).map((r) => r.RoleName)).toEqual(['Deploy']);
    expect(members(first?.Roles)[0]).toMatchObject({ MaxSessionDuration: 3600, Path: '/ci/' });
    expect(members(first?.Roles)[0]).not.toHaveProperty('Tags');
    const second = await call(h, 'ListRoles', listRoles, { MaxItems: '1', Marker: String(first?.Marker) });
    expect(members(second?.Roles).map((r) => r.RoleName)).toEqual(['ReadOnly']);
    expect(second?.IsTruncated).toBe(false);
    const ci = await call(h, 'ListRoles', listRoles, { PathPrefix: '/ci/' });
    expect(members(ci?.Roles).map((r) => r.RoleName)).toEqual(['Deploy']);
    expect(h.authorized[0]).toEqual({ action: 'iam:ListRoles', resource: '*' });
  });
});
