import { describe, expect, it } from 'vitest';
import { aliasFor, emptyRoleForm, inputFromForm } from './role-catalog-form.ts';

describe('role catalog form', () => {
  it('suggests an alias from an IAM role name', () => {
    expect(aliasFor('ReadOnlyAccess')).toBe('read-only-access');
    expect(aliasFor('prod_admin.role')).toBe('prod-admin-role');
  });

  it('reads comma or space separated names and keeps the duration within what STS allows', () => {
    const input = inputFromForm({
      ...emptyRoleForm(),
      groups: 'developers, ops  admins',
      users: '',
      maxMinutes: 5,
      description: '  ',
    });
    expect(input).toEqual({
      groups: ['developers', 'ops', 'admins'],
      users: [],
      maxDurationSeconds: 900,
      description: null,
      externalId: null,
    });
  });
});
