import { describe, expect, it } from 'vitest';
import type { DbClient } from '../../db/prisma-types.ts';
import { AuditAction } from '../audit/audit-events.ts';
import { createIssuedCredentialsReader } from './issued-credentials.ts';

const now = new Date('2026-12-03T07:21:30.000Z');
const reader = createIssuedCredentialsReader({ signInSeconds: 43_200, cliTokenSeconds: 43_200 });

/** A database whose audit log holds exactly these rows (newest first, as the reader asks). */
const auditLog = (rows: Array<Record<string, unknown>>) =>
  ({ auditEvent: { findMany: async () => rows } }) as unknown as DbClient;

const signInRow = (seq: number, mfaSessionId: string) => ({
  seq,
  time: new Date('2026-12-03T07:19:00.000Z'),
  action: AuditAction.SignIn,
  outcome: 'success',
  sourceIp: '127.0.0.1',
  targetRoleArn: null,
  // AWS gives expiry times to the second, so two sessions opened in one second end together.
  metadata: { mfaSessionId, expiresAt: '2026-12-03T19:19:00Z' },
});

describe('outstanding credentials', () => {
  it('keeps two MFA sessions that share every field apart by the audit row they come from', async () => {
    const found = await reader.outstanding(
      auditLog([signInRow(12, 'session-b'), signInRow(11, 'session-a')]),
      'frank',
      now,
    );
    expect(found.map((c) => c.auditSeq)).toEqual([12, 11]);
    // Everything else is the same, so a list keyed on it (the web page's, once) sees one entry twice.
    const { auditSeq: _b, ...second } = found[0]!;
    const { auditSeq: _a, ...first } = found[1]!;
    expect(second).toEqual(first);
  });

  it('makes one entry of an MFA session however often it was downloaded, dated by its sign-in row', async () => {
    const signIn = signInRow(11, 'session-a');
    // Downloaded twice, later and from elsewhere: the newest download names the key, the sign-in dates it.
    const download = (seq: number, minute: number, key: string) => ({
      ...signIn,
      seq,
      time: new Date(`2026-12-03T07:${minute}:00.000Z`),
      sourceIp: '192.0.2.7',
      action: AuditAction.SessionCredentials,
      metadata: { mfaSessionId: 'session-a', expiresAt: '2026-12-03T19:19:00Z', issuedAccessKeyId: key },
    });
    const found = await reader.outstanding(
      auditLog([download(14, 21, 'ASIANEWER'), download(13, 20, 'ASIAOLDER'), signIn]),
      'frank',
      now,
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual({
      auditSeq: 14,
      time: signIn.time,
      accessKeyId: 'ASIANEWER',
      roleArn: null,
      roleAlias: null,
      via: 'browser_sign_in',
      sourceIp: '127.0.0.1',
      // The sign-in row's expiry less the lifetime the portal asks for its MFA sessions.
      issuedAt: new Date('2026-12-03T07:19:00.000Z'),
      expiresAt: new Date('2026-12-03T19:19:00.000Z'),
    });
  });
});
