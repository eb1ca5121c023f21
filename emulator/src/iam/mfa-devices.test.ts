import { generateSync } from 'otplib';
import { describe, expect, it } from 'vitest';
import { call, harness, members } from '../../test/iam-context.ts';
import {
  createVirtualMfaDevice,
  deactivateMfaDevice,
  deleteVirtualMfaDevice,
  enableMfaDevice,
  listMfaDevices,
  listVirtualMfaDevices,
  resyncMfaDevice,
  virtualMfaUri,
} from './mfa-devices.ts';

const SPARE = 'arn:aws:iam::111111111111:mfa/spare';
const SPARE_SEED = '4PNPZNFNLELJEPAVNMJRRGKZ47U2BRRQ';
const NOW = new Date('2026-11-22T12:00:10Z');
const STEP = Math.floor(NOW.getTime() / 1000 / 30);

/** Codes straight from otplib at a chosen time step (independent of the code under test). */
const codeAt = (seed: string, step: number): string => generateSync({ secret: seed, epoch: step * 30 });

const enableParams = (code1: string, code2: string, user = 'bob'): Record<string, string> => ({
  UserName: user,
  SerialNumber: SPARE,
  AuthenticationCode1: code1,
  AuthenticationCode2: code2,
});

describe('ListMFADevices and ListVirtualMFADevices', () => {
  it("lists the caller's devices by default", async () => {
    const result = await call(harness(), 'ListMFADevices', listMfaDevices);
    expect(result?.MFADevices).toEqual([
      {
        UserName: 'alice',
        SerialNumber: 'arn:aws:iam::111111111111:mfa/alice',
        EnableDate: new Date('2026-01-03T00:00:00Z'),
      },
    ]);
  });

  it('lists a hardware device by its serial', async () => {
    const result = await call(harness(), 'ListMFADevices', listMfaDevices, { UserName: 'carol' });
    expect(members(result?.MFADevices)[0]?.SerialNumber).toBe('GAHT12345678');
  });

  it('filters virtual devices by AssignmentStatus; hardware devices and other accounts are not listed', async () => {
    const h = harness();
    const any = await call(h, 'ListVirtualMFADevices', listVirtualMfaDevices);
    expect(members(any?.VirtualMFADevices).map((d) => d.SerialNumber)).toEqual([
      'arn:aws:iam::111111111111:mfa/alice',
      'arn:aws:iam::111111111111:mfa/erin',
      // The demo root user has a virtual (not hardware) MFA device: AWS lists it too.
      'arn:aws:iam::111111111111:mfa/root-account-mfa-device',
      SPARE,
    ]);
    const assigned = await call(h, 'ListVirtualMFADevices', listVirtualMfaDevices, { AssignmentStatus: 'Assigned' });
    expect(members(assigned?.VirtualMFADevices)[0]).toMatchObject({
      User: expect.objectContaining({ UserName: 'alice' }),
      EnableDate: new Date('2026-01-03T00:00:00Z'),
    });
    const unassigned = await call(h, 'ListVirtualMFADevices', listVirtualMfaDevices, {
      AssignmentStatus: 'Unassigned',
    });
    expect(unassigned?.VirtualMFADevices).toEqual([{ SerialNumber: SPARE, User: undefined, EnableDate: undefined }]);
    await expect(
      call(h, 'ListVirtualMFADevices', listVirtualMfaDevices, { AssignmentStatus: 'Some' }),
    ).rejects.toMatchObject({ code: 'ValidationError' });
  });
});

describe('CreateVirtualMFADevice', () => {
  it('creates an unassigned device with a 160-bit base32 seed and a PNG QR code', async () => {
    const h = harness();
    const result = await call(h, 'CreateVirtualMFADevice', createVirtualMfaDevice, {
      VirtualMFADeviceName: 'bob-phone',
    });
    const device = result?.VirtualMFADevice as Record<string, string>;
    expect(device.SerialNumber).toBe('arn:aws:iam::111111111111:mfa/bob-phone');
    const seed = Buffer.from(device.Base32StringSeed!, 'base64').toString('ascii');
    expect(seed).toMatch(/^[A-Z2-7]{32}$/);
    expect(Buffer.from(device.QRCodePNG!, 'base64').subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(h.store.state.unassignedMfaDevices.find((d) => d.serial === device.SerialNumber)?.seed).toBe(seed);
    expect(h.authorized).toEqual([
      { action: 'iam:CreateVirtualMFADevice', resource: 'arn:aws:iam::111111111111:mfa/bob-phone' },
    ]);
  });

  it('encodes the otpauth URI with the device name and the account alias', () => {
    expect(virtualMfaUri('bob-phone', 'fixture', SPARE_SEED)).toBe(
      `otpauth://totp/bob-phone@fixture?secret=${SPARE_SEED}`,
    );
  });

  it('refuses a duplicate name with 409 EntityAlreadyExists', async () => {
    const h = harness();
    for (const name of ['spare', 'alice']) {
      await expect(
        call(h, 'CreateVirtualMFADevice', createVirtualMfaDevice, { VirtualMFADeviceName: name }),
      ).rejects.toMatchObject({
        code: 'EntityAlreadyExists',
        status: 409,
      });
    }
  });
});

describe('EnableMFADevice', () => {
  it.each([
    ['ending at the current step', STEP],
    ['ending at the previous step', STEP - 1],
  ])('accepts two consecutive codes %s and moves the device to the user', async (_label, step) => {
    const h = harness({ now: NOW });
    expect(
      await call(
        h,
        'EnableMFADevice',
        enableMfaDevice,
        enableParams(codeAt(SPARE_SEED, step - 1), codeAt(SPARE_SEED, step)),
      ),
    ).toBeNull();
    expect(h.store.state.unassignedMfaDevices.some((d) => d.serial === SPARE)).toBe(false);
    expect(h.store.findUser('111111111111', 'bob')?.mfaDevices).toEqual([
      { serial: SPARE, type: 'virtual', seed: SPARE_SEED, enabledAt: NOW.toISOString() },
    ]);
    expect(h.store.lastAcceptedStep.get(SPARE)).toBe(step);
    expect(h.authorized).toEqual([{ action: 'iam:EnableMFADevice', resource: 'arn:aws:iam::111111111111:user/bob' }]);
  });

  it.each([
    ['swapped codes', codeAt(SPARE_SEED, STEP), codeAt(SPARE_SEED, STEP - 1)],
    ['the same code twice', codeAt(SPARE_SEED, STEP), codeAt(SPARE_SEED, STEP)],
    ['a pair too old', codeAt(SPARE_SEED, STEP - 3), codeAt(SPARE_SEED, STEP - 2)],
    ['a pair from the future', codeAt(SPARE_SEED, STEP), codeAt(SPARE_SEED, STEP + 1)],
    ['wrong digits', '000000', '000001'],
  ])('rejects %s with 403 InvalidAuthenticationCode', async (_label, code1, code2) => {
    const h = harness({ now: NOW });
    await expect(call(h, 'EnableMFADevice', enableMfaDevice, enableParams(code1, code2))).rejects.toMatchObject({
      code: 'InvalidAuthenticationCode',
      status: 403,
      message: 'Authentication code for device is not valid.',
    });
    expect(h.store.state.unassignedMfaDevices.some((d) => d.serial === SPARE)).toBe(true);
  });

  it('validates the code format', async () => {
    await expect(
      call(harness({ now: NOW }), 'EnableMFADevice', enableMfaDevice, enableParams('12345', '123456')),
    ).rejects.toMatchObject({ code: 'ValidationError' });
  });

  it('refuses a device that is already assigned or unknown', async () => {
    const h = harness({ now: NOW });
    const params = { ...enableParams('123456', '654321'), SerialNumber: 'arn:aws:iam::111111111111:mfa/alice' };
    await expect(call(h, 'EnableMFADevice', enableMfaDevice, params)).rejects.toMatchObject({
      code: 'EntityAlreadyExists',
      status: 409,
    });
    await expect(
      call(h, 'EnableMFADevice', enableMfaDevice, { ...params, SerialNumber: 'arn:aws:iam::111111111111:mfa/nope' }),
    ).rejects.toMatchObject({ code: 'NoSuchEntity' });
    await expect(
      call(h, 'EnableMFADevice', enableMfaDevice, { ...params, SerialNumber: 'arn:aws:iam::222222222222:mfa/other' }),
    ).rejects.toMatchObject({ code: 'NoSuchEntity' });
  });

  it('refuses a ninth device with LimitExceeded', async () => {
    const h = harness({ now: NOW });
    const bob = h.store.findUser('111111111111', 'bob')!;
    bob.mfaDevices = Array.from({ length: 8 }, (_, i) => ({
      serial: `arn:aws:iam::111111111111:mfa/bob-${i}`,
      type: 'virtual' as const,
      seed: SPARE_SEED,
    }));
    await expect(
      call(h, 'EnableMFADevice', enableMfaDevice, enableParams(codeAt(SPARE_SEED, STEP - 1), codeAt(SPARE_SEED, STEP))),
    ).rejects.toMatchObject({
      code: 'LimitExceeded',
      status: 409,
    });
  });
});

describe('device lifecycle', () => {
  it('DeactivateMFADevice returns a virtual device to the unassigned pool; DeleteVirtualMFADevice then removes it', async () => {
    const h = harness({ now: NOW });
    const serial = 'arn:aws:iam::111111111111:mfa/erin';
    await expect(
      call(h, 'DeleteVirtualMFADevice', deleteVirtualMfaDevice, { SerialNumber: serial }),
    ).rejects.toMatchObject({ code: 'DeleteConflict', status: 409 });
    expect(
      await call(h, 'DeactivateMFADevice', deactivateMfaDevice, { UserName: 'erin', SerialNumber: serial }),
    ).toBeNull();
    expect(h.store.findUser('111111111111', 'erin')?.mfaDevices).toEqual([]);
    expect(h.store.state.unassignedMfaDevices.some((d) => d.serial === serial)).toBe(true);
    expect(await call(h, 'DeleteVirtualMFADevice', deleteVirtualMfaDevice, { SerialNumber: serial })).toBeNull();
    expect(h.store.state.unassignedMfaDevices.some((d) => d.serial === serial)).toBe(false);
    await expect(
      call(h, 'DeleteVirtualMFADevice', deleteVirtualMfaDevice, { SerialNumber: serial }),
    ).rejects.toMatchObject({ code: 'NoSuchEntity' });
  });

  it('DeactivateMFADevice detaches a hardware device without pooling it', async () => {
    const h = harness({ now: NOW });
    await call(h, 'DeactivateMFADevice', deactivateMfaDevice, { UserName: 'carol', SerialNumber: 'GAHT12345678' });
    expect(h.store.findMfaDevice('GAHT12345678')).toBeUndefined();
    expect(h.store.state.unassignedMfaDevices.some((d) => d.serial === 'GAHT12345678')).toBe(false);
  });

  it('ResyncMFADevice accepts two consecutive codes of a drifted clock and rejects bad ones', async () => {
    const h = harness({ now: NOW });
    const seed = 'KJGJP5IVX2DM5O4WNIKFUUPIACYJFQY7';
    const params = { UserName: 'alice', SerialNumber: 'arn:aws:iam::111111111111:mfa/alice' };
    expect(
      await call(h, 'ResyncMFADevice', resyncMfaDevice, {
        ...params,
        AuthenticationCode1: codeAt(seed, STEP + 4),
        AuthenticationCode2: codeAt(seed, STEP + 5),
      }),
    ).toBeNull();
    await expect(
      call(h, 'ResyncMFADevice', resyncMfaDevice, {
        ...params,
        AuthenticationCode1: codeAt(seed, STEP + 5),
        AuthenticationCode2: codeAt(seed, STEP + 7),
      }),
    ).rejects.toMatchObject({ code: 'InvalidAuthenticationCode' });
  });
});
