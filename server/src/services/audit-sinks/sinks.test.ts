import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../audit/audit-events.ts';
import { toSiemEvent } from './siem-event.ts';
import { frame, syslogMessage } from './sinks.ts';

const record: AuditRecord = {
  id: '0190-row',
  seq: 42,
  time: new Date('2026-12-02T06:00:00.123Z'),
  actor: 'al"ice]\\',
  action: 'credentials.issue',
  outcome: 'denied',
  targetRoleArn: 'arn:aws:iam::222222222222:role/PartnerAudit',
  roleSessionName: 'alice',
  metadata: { roleAlias: 'partner', issuedAccessKeyId: 'ASIAEXAMPLE', sourceIdentity: 'alice' },
  prevHash: 'p',
  hash: 'h',
};

describe('SIEM events and syslog framing', () => {
  it('names the CloudTrail join fields, taking the account from the role ARN when the row has none', () => {
    expect(toSiemEvent(record)).toMatchObject({
      account: '222222222222',
      issuedAccessKeyId: 'ASIAEXAMPLE',
      sourceIdentity: 'alice',
      roleArn: 'arn:aws:iam::222222222222:role/PartnerAudit',
      details: { roleAlias: 'partner' },
      clientAddress: null,
    });
  });

  it('escapes structured-data values and counts octets, not characters', () => {
    const message = syslogMessage(toSiemEvent({ ...record, userAgent: 'ブラウザ' }), 'host name', '7');
    expect(message.startsWith('<85>1 2026-12-02T06:00:00.123Z host_name aws-mfa-portal 7 credentials.issue ')).toBe(
      true,
    );
    expect(message).toContain('actor="al\\"ice\\]\\\\"]');
    const framed = frame(message);
    const length = Number(framed.slice(0, framed.indexOf(' ')));
    expect(length).toBe(Buffer.byteLength(message));
    expect(length).toBeGreaterThan(message.length);
  });
});
