import { generateSecret } from 'otplib';
import QRCode from 'qrcode';
import { AwsError, noSuchEntity } from '../protocol/aws-error.ts';
import type { Operation, OperationContext } from '../protocol/operation.ts';
import type { MfaDeviceSpec, UnassignedMfaDeviceSpec, UserSpec } from '../state/state-file.ts';
import { timeStepAt } from '../totp.ts';
import { ENABLE_WINDOW, RESYNC_WINDOW, verifyConsecutiveCodes } from './mfa-codes.ts';
import { pageFields, paginate } from './pagination.ts';
import { toDate, userSummary } from './shapes.ts';
import { ANY_RESOURCE, authorizedUser, storeChanged } from './target.ts';
import { enumValue, optionalChecked, requiredChecked } from './validation.ts';

export const MFA_DEVICES_PER_USER = 8;

/** Serials are ASCII ARNs: code-unit order (`localeCompare` per pair is slow on 100,000 devices). */
const bySerial = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const noSuchDevice = (serial: string): AwsError =>
  noSuchEntity(`MFA Device with serial number ${serial} does not exist.`);

const accountOfSerial = (serial: string): string | undefined => /^arn:aws:iam::(\d{12}):mfa\//.exec(serial)?.[1];

function unassignedIndex(ctx: OperationContext, serial: string): number {
  return ctx.store.state.unassignedMfaDevices.findIndex(
    (d) => d.serial === serial && accountOfSerial(d.serial) === ctx.caller.account,
  );
}

function codes(ctx: OperationContext): [string, string] {
  return [
    requiredChecked(ctx.params, 'AuthenticationCode1', 'authenticationCode'),
    requiredChecked(ctx.params, 'AuthenticationCode2', 'authenticationCode'),
  ];
}

/**
 * What the QR code encodes: `otpauth://totp/<device name>@<account alias, else account id>?secret=<seed>`,
 * the form the IAM API reference documents for QRCodePNG.
 */
export const virtualMfaUri = (deviceName: string, accountLabel: string, seed: string): string =>
  `otpauth://totp/${encodeURIComponent(deviceName)}@${encodeURIComponent(accountLabel)}?secret=${seed}`;

export const listMfaDevices: Operation = (ctx) => {
  const user = authorizedUser(ctx, { defaultToCaller: true });
  const page = paginate(user.mfaDevices ?? [], ctx.params);
  return {
    MFADevices: page.items.map((d) => ({
      UserName: user.name,
      SerialNumber: d.serial,
      EnableDate: toDate(d.enabledAt),
    })),
    ...pageFields(page),
  };
};

export const listVirtualMfaDevices: Operation = (ctx) => {
  const status = enumValue(ctx.params, 'AssignmentStatus', ['Assigned', 'Unassigned', 'Any'] as const) ?? 'Any';
  ctx.authorize(ANY_RESOURCE);
  const rows: Array<{ serial: string; user?: UserSpec; device?: MfaDeviceSpec; root?: boolean }> = [];
  if (status !== 'Assigned') {
    for (const d of ctx.store.state.unassignedMfaDevices)
      if (accountOfSerial(d.serial) === ctx.caller.account) rows.push({ serial: d.serial });
  }
  if (status !== 'Unassigned') {
    // Hardware devices are not virtual MFA devices: AWS does not list them here.
    for (const user of ctx.store.usersOf(ctx.caller.account)) {
      for (const device of user.mfaDevices ?? [])
        if (device.type === 'virtual') rows.push({ serial: device.serial, user, device });
    }
    const root = ctx.store.state.roots.find((r) => r.account === ctx.caller.account);
    if (root?.mfa && !root.hardwareMfa)
      rows.push({ serial: `arn:aws:iam::${ctx.caller.account}:mfa/root-account-mfa-device`, root: true });
  }
  rows.sort((a, b) => bySerial(a.serial, b.serial));
  const page = paginate(rows, ctx.params);
  return {
    VirtualMFADevices: page.items.map((r) => ({
      SerialNumber: r.serial,
      // The root user's device names the account's root ARN and no user name (unconfirmed detail).
      User: r.user
        ? userSummary(r.user)
        : r.root
          ? { Arn: `arn:aws:iam::${ctx.caller.account}:root`, UserId: ctx.caller.account }
          : undefined,
      EnableDate: toDate(r.device?.enabledAt),
    })),
    ...pageFields(page),
  };
};

export const createVirtualMfaDevice: Operation = async (ctx) => {
  const name = requiredChecked(ctx.params, 'VirtualMFADeviceName', 'virtualMFADeviceName');
  const path = optionalChecked(ctx.params, 'Path', 'path') ?? '/';
  const account = ctx.caller.account;
  const serial = `arn:aws:iam::${account}:mfa${path}${name}`;
  ctx.authorize(serial);
  if (unassignedIndex(ctx, serial) >= 0 || ctx.store.findMfaDevice(serial)) {
    throw new AwsError('EntityAlreadyExists', 'MFADevice entity at the same path and name already exists.', 409);
  }
  const seed = generateSecret({ length: 20 }); // 160 bits, 32 base32 characters, like AWS's seeds
  const label = ctx.store.state.accounts.find((a) => a.id === account)?.alias ?? account;
  const png = await QRCode.toBuffer(virtualMfaUri(name, label, seed), { type: 'png' });
  const device: UnassignedMfaDeviceSpec = { serial, seed, created: ctx.now.toISOString() };
  ctx.store.state.unassignedMfaDevices.push(device);
  storeChanged(ctx);
  return {
    VirtualMFADevice: {
      SerialNumber: serial,
      Base32StringSeed: Buffer.from(seed, 'ascii').toString('base64'),
      QRCodePNG: png.toString('base64'),
    },
  };
};

export const enableMfaDevice: Operation = (ctx) => {
  const serial = requiredChecked(ctx.params, 'SerialNumber', 'serialNumber');
  const [code1, code2] = codes(ctx);
  const user = authorizedUser(ctx, { defaultToCaller: false });
  const index = unassignedIndex(ctx, serial);
  if (index < 0) {
    if (ctx.store.findMfaDevice(serial))
      throw new AwsError('EntityAlreadyExists', 'MFA Device is already in use.', 409);
    throw noSuchDevice(serial);
  }
  user.mfaDevices ??= [];
  const devices = user.mfaDevices;
  if (devices.length >= MFA_DEVICES_PER_USER) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for MFADevicesPerUser: ${MFA_DEVICES_PER_USER}`, 409);
  }
  const unassigned = ctx.store.state.unassignedMfaDevices[index]!;
  const step = verifyConsecutiveCodes(unassigned.seed, code1, code2, ctx.now, ENABLE_WINDOW);
  ctx.store.state.unassignedMfaDevices.splice(index, 1);
  devices.push({ serial, type: 'virtual', seed: unassigned.seed, enabledAt: ctx.now.toISOString() });
  // The codes used to enable the device are spent: STS must not accept them again.
  ctx.store.lastAcceptedStep.set(serial, step);
  storeChanged(ctx);
  return null;
};

export const resyncMfaDevice: Operation = (ctx) => {
  const serial = requiredChecked(ctx.params, 'SerialNumber', 'serialNumber');
  const [code1, code2] = codes(ctx);
  const user = authorizedUser(ctx, { defaultToCaller: false });
  const device = user.mfaDevices?.find((d) => d.serial === serial);
  if (!device) throw noSuchDevice(serial);
  // A security key has no codes to resynchronise (AWS's answer here is unconfirmed).
  if (device.type === 'fido')
    throw new AwsError('InvalidAuthenticationCode', 'Authentication code for device is not valid.', 403);
  const step = verifyConsecutiveCodes(device.seed, code1, code2, ctx.now, RESYNC_WINDOW);
  // Codes STS could still accept (at most one step ahead) are spent; a drifted pair is not recorded,
  // as that would block the device's current codes (the emulator does not model clock drift).
  if (step <= timeStepAt(ctx.now) + 1)
    ctx.store.lastAcceptedStep.set(serial, Math.max(step, ctx.store.lastAcceptedStep.get(serial) ?? step));
  return null;
};

export const deactivateMfaDevice: Operation = (ctx) => {
  const serial = requiredChecked(ctx.params, 'SerialNumber', 'serialNumber');
  const user = authorizedUser(ctx, { defaultToCaller: true });
  const device = user.mfaDevices?.find((d) => d.serial === serial);
  if (!device) throw noSuchDevice(serial);
  user.mfaDevices = (user.mfaDevices ?? []).filter((d) => d !== device);
  // A virtual device survives deactivation (it can be enabled again or deleted); hardware is just detached.
  if (device.type === 'virtual') {
    ctx.store.state.unassignedMfaDevices.push({
      serial: device.serial,
      seed: device.seed,
      created: device.enabledAt ?? ctx.now.toISOString(),
    });
  }
  storeChanged(ctx);
  return null;
};

export const deleteVirtualMfaDevice: Operation = (ctx) => {
  const serial = requiredChecked(ctx.params, 'SerialNumber', 'serialNumber');
  ctx.authorize(serial);
  const index = unassignedIndex(ctx, serial);
  if (index < 0) {
    const assigned = ctx.store.findMfaDevice(serial);
    if (assigned && assigned.user.account === ctx.caller.account) {
      throw new AwsError('DeleteConflict', 'MFA device is still in use.', 409);
    }
    throw noSuchDevice(serial);
  }
  ctx.store.state.unassignedMfaDevices.splice(index, 1);
  storeChanged(ctx);
  return null;
};
