import { randomBytes } from 'node:crypto';

/**
 * A new scan id, made before the scan's lease is claimed so that the lease names its scan from
 * the first moment. UUID version 7 (RFC 9562: 48 bits of Unix milliseconds, then random bits), as
 * the database's own `uuid(7)` default makes, so ids still order by time where scans tie on
 * `startedAt`.
 */
export function newScanId(at: Date): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(at.getTime(), 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
