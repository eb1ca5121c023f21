/** A virtual device's serial is an `arn:...:mfa/` ARN. */
const VIRTUAL_SERIAL = /^arn:aws[\w-]*:iam::\d{12}:mfa\//;
/** A FIDO security key's serial is an `arn:...:u2f/` ARN. */
const FIDO_SERIAL = /^arn:aws[\w-]*:iam::\d{12}:u2f\//;

export type MfaDeviceKind = 'virtual' | 'hardware' | 'fido';

/**
 * The kind of an MFA device by its serial: virtual and hardware TOTP devices show codes STS
 * accepts; a FIDO security key protects console sign-in only. Anything else is a hardware token's
 * plain serial (`GAHT...`).
 */
export function mfaDeviceKind(serialNumber: string): MfaDeviceKind {
  if (VIRTUAL_SERIAL.test(serialNumber)) return 'virtual';
  if (FIDO_SERIAL.test(serialNumber)) return 'fido';
  return 'hardware';
}

export function countMfaDeviceKinds(serials: string[]): Record<MfaDeviceKind, number> {
  const counts = { virtual: 0, hardware: 0, fido: 0 };
  for (const serial of serials) counts[mfaDeviceKind(serial)]++;
  return counts;
}
