import { describe, expect, it } from 'vitest';
import { call, harness, members } from '../../test/iam-context.ts';
import {
  createAccessKey,
  deleteAccessKey,
  getAccessKeyLastUsed,
  listAccessKeys,
  updateAccessKey,
} from './access-keys.ts';

describe('access keys', () => {
  it('CreateAccessKey makes an AKIA id and a 40-character secret for the caller, up to two per user', async () => {
    const h = harness();
    const result = await call(h, 'CreateAccessKey', createAccessKey);
    const key = result?.AccessKey as Record<string, unknown>;
    expect(key.UserName).toBe('alice');
    expect(key.AccessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(key.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(key).toMatchObject({ Status: 'Active', CreateDate: h.now });
    expect(h.store.findAccessKey(String(key.AccessKeyId))?.key.secret).toBe(key.SecretAccessKey);
    expect(h.authorized).toEqual([{ action: 'iam:CreateAccessKey', resource: 'arn:aws:iam::111111111111:user/alice' }]);

    await expect(call(h, 'CreateAccessKey', createAccessKey)).rejects.toMatchObject({
      code: 'LimitExceeded',
      status: 409,
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
    });
  });

  it('calls the persist hook after a change', async () => {
    const h = harness();
    let changes = 0;
    Object.assign(h.store, { onChange: () => changes++ });
    await call(h, 'CreateAccessKey', createAccessKey, { UserName: 'bob' });
    expect(changes).toBe(1);
  });

  it('ListAccessKeys shows metadata without secrets', async () => {
    const result = await call(harness(), 'ListAccessKeys', listAccessKeys, { UserName: 'carol' });
    expect(members(result?.AccessKeyMetadata)).toEqual([
      {
        UserName: 'carol',
        AccessKeyId: 'AKIAMBX4UPSS27YANZKT',
        Status: 'Inactive',
        CreateDate: new Date('2026-03-01T00:00:00Z'),
      },
      {
        UserName: 'carol',
        AccessKeyId: 'AKIAOMXJ63YWPQDP5OWO',
        Status: 'Active',
        CreateDate: new Date('2026-02-01T00:00:00Z'),
      },
    ]);
    expect(result?.IsTruncated).toBe(false);
  });

  it('UpdateAccessKey and DeleteAccessKey act on the named key only', async () => {
    const h = harness();
    expect(
      await call(h, 'UpdateAccessKey', updateAccessKey, {
        UserName: 'carol',
        AccessKeyId: 'AKIAMBX4UPSS27YANZKT',
        Status: 'Active',
      }),
    ).toBeNull();
    expect(h.store.findAccessKey('AKIAMBX4UPSS27YANZKT')?.key.status).toBe('Active');
    await expect(
      call(h, 'UpdateAccessKey', updateAccessKey, {
        UserName: 'carol',
        AccessKeyId: 'AKIAMBX4UPSS27YANZKT',
        Status: 'Disabled',
      }),
    ).rejects.toMatchObject({
      code: 'ValidationError',
    });
    expect(
      await call(h, 'DeleteAccessKey', deleteAccessKey, { UserName: 'carol', AccessKeyId: 'AKIAMBX4UPSS27YANZKT' }),
    ).toBeNull();
    expect(h.store.findAccessKey('AKIAMBX4UPSS27YANZKT')).toBeUndefined();
    expect(h.store.findAccessKey('AKIAOMXJ63YWPQDP5OWO')).toBeDefined();
  });

  it("refuses another user's key id with NoSuchEntity", async () => {
    await expect(
      call(harness(), 'DeleteAccessKey', deleteAccessKey, { AccessKeyId: 'AKIA4YU3CCKJ26E2R2SI' }),
    ).rejects.toMatchObject({
      code: 'NoSuchEntity',
      status: 404,
      message: 'The Access Key with id AKIA4YU3CCKJ26E2R2SI cannot be found.',
    });
  });

  it('GetAccessKeyLastUsed reports use, and N/A for never-used keys', async () => {
    const h = harness();
    expect(
      await call(h, 'GetAccessKeyLastUsed', getAccessKeyLastUsed, { AccessKeyId: 'AKIA5UHPPXG2CR3KWUKO' }),
    ).toEqual({
      UserName: 'alice',
      AccessKeyLastUsed: { LastUsedDate: new Date('2026-11-10T07:30:00Z'), ServiceName: 'sts', Region: 'us-east-1' },
    });
    expect(
      await call(h, 'GetAccessKeyLastUsed', getAccessKeyLastUsed, { AccessKeyId: 'AKIA4YU3CCKJ26E2R2SI' }),
    ).toEqual({
      UserName: 'dave',
      AccessKeyLastUsed: { LastUsedDate: undefined, ServiceName: 'N/A', Region: 'N/A' },
    });
    expect(h.authorized.map((a) => a.resource)).toEqual([
      'arn:aws:iam::111111111111:user/alice',
      'arn:aws:iam::111111111111:user/dave',
    ]);
  });
});
