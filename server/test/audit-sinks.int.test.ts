import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditAction } from '../src/services/audit/audit-events.ts';
import { createAuditRepository } from '../src/services/audit/audit-repository.ts';
import { type AuditOutbox, createAuditOutbox } from '../src/services/audit-sinks/audit-outbox.ts';
import type { SiemEvent } from '../src/services/audit-sinks/siem-event.ts';
import { createSinkCursorRepository } from '../src/services/audit-sinks/sink-cursor-repository.ts';
import { type AuditSink, fileSink, webhookSink } from '../src/services/audit-sinks/sinks.ts';
import { syslogSink } from '../src/services/audit-sinks/syslog-sink.ts';
import { createLeaseStore } from '../src/services/leases/lease-store.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { type PortalHarness, startPortalHarness } from './portal-harness.ts';
import { eventsOfSyslog, eventually, startHttpReceiver, startSyslogReceiver } from './siem-receivers.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

const seqs = (events: SiemEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** At least once: duplicates may come, but in order, and nothing missing. */
const deduplicated = (events: SiemEvent[]) => [...new Set(seqs(events))];

describe.each(testDatabaseUrls())('audit events streamed to SIEM sinks ($name)', (provider) => {
  let db: TestDatabase;
  let portal: PortalHarness;
  const outboxes: AuditOutbox[] = [];

  beforeAll(async () => {
    db = await provider.create({ migrate: false });
    portal = await startPortalHarness({ databaseUrl: db.url });
  });
  afterEach(async () => {
    await Promise.all(outboxes.splice(0).map((o) => o.stop()));
  });
  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });

  const prisma = () => portal.database.prisma;
  const outbox = (sinks: AuditSink[], options: { batchSize?: number } = {}) => {
    const created = createAuditOutbox({
      prisma: prisma(),
      auditRepository: createAuditRepository(),
      cursors: createSinkCursorRepository(prisma()),
      leases: createLeaseStore({ prisma: prisma() }),
      sinks,
      pollMs: 20,
      maxBackoffMs: 100,
      leaseTtlMs: 3000,
      ...options,
    });
    outboxes.push(created);
    return created;
  };
  const append = async (count: number) => {
    for (let i = 0; i < count; i++)
      await portal.app.services.audit.append({
        actor: 'alice',
        action: AuditAction.SignIn,
        outcome: i % 2 ? 'failure' : 'success',
        sourceIp: '203.0.113.9',
        userAgent: 'curl/8 "quoted] \\ agent"',
        requestId: `req-${i}-abcdefgh`,
      });
  };
  const headSeq = async () => (await createAuditRepository().head(prisma()))?.seq ?? 0;
  const resetCursors = () => prisma().auditSinkCursor.deleteMany({});

  it('sends every event in order to syslog and a webhook, and a receiver that was down gets them all', async () => {
    await resetCursors();
    const syslog = await startSyslogReceiver();
    const http = await startHttpReceiver();
    try {
      await append(5);
      await syslog.down();
      http.failing = true;
      outbox([
        syslogSink({ host: '127.0.0.1', port: syslog.port, tls: false }),
        webhookSink({ url: http.url, token: 'sink-token-0123456789' }),
      ]).start();
      await append(5);
      await eventually('failed webhook attempts', () => http.requests >= 3);
      expect(http.events).toEqual([]);
      expect(syslog.messages).toEqual([]);
      await syslog.up();
      http.failing = false;
      const head = await headSeq();
      await eventually('syslog catching up', () => deduplicated(eventsOfSyslog(syslog.messages)).at(-1) === head);
      await eventually('webhook catching up', () => deduplicated(http.events).at(-1) === head);
      expect(deduplicated(eventsOfSyslog(syslog.messages))).toEqual(range(1, head));
      expect(deduplicated(http.events)).toEqual(range(1, head));
      expect(http.authorization.every((a) => a === 'Bearer sink-token-0123456789')).toBe(true);
      // RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG, authpriv.info / .notice.
      const [first, second] = syslog.messages.slice(-2);
      expect(first).toMatch(
        /^<8[56]>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ aws-mfa-portal \d+ session\.sign_in \[portal@32473 seq="\d+" outcome="\w+" actor="alice"\] \{/,
      );
      expect(second).toBeDefined();
      const event = eventsOfSyslog([first!])[0]!;
      expect(event).toMatchObject({ clientAddress: '203.0.113.9', userAgent: 'curl/8 "quoted] \\ agent"' });
    } finally {
      await syslog.close();
      await http.close();
    }
  });

  it('keeps order with a slow receiver, batch after batch', async () => {
    await resetCursors();
    const http = await startHttpReceiver();
    http.delayMs = 150;
    try {
      outbox([webhookSink({ url: http.url, timeoutMs: 5000 })], { batchSize: 7 }).start();
      await append(20);
      const head = await headSeq();
      await eventually('the slow webhook catching up', () => deduplicated(http.events).at(-1) === head, 20_000);
      expect(seqs(http.events)).toEqual(range(1, head));
      expect(http.requests).toBeGreaterThanOrEqual(Math.ceil(head / 7));
    } finally {
      await http.close();
    }
  });

  it('resumes after a restart from the cursor in the database, skipping and repeating nothing', async () => {
    await resetCursors();
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-sink-'));
    const file = path.join(dir, 'audit.jsonl');
    const lines = () =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as SiemEvent);
    try {
      const first = outbox([fileSink(file)]);
      first.start();
      const head = await headSeq();
      await eventually('the file sink catching up', () => {
        try {
          return lines().at(-1)?.seq === head;
        } catch {
          return false;
        }
      });
      await first.stop();
      await append(4); // written while no portal delivers
      outbox([fileSink(file)]).start();
      const newHead = await headSeq();
      await eventually('the restarted sink catching up', () => lines().at(-1)?.seq === newHead);
      expect(seqs(lines())).toEqual(range(1, newHead));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets one instance deliver at a time (the lease), so two instances send each event once', async () => {
    await resetCursors();
    const http = await startHttpReceiver();
    try {
      outbox([webhookSink({ url: http.url })]).start();
      outbox([webhookSink({ url: http.url })]).start();
      await append(10);
      const head = await headSeq();
      await eventually('the webhook catching up', () => deduplicated(http.events).at(-1) === head);
      expect(seqs(http.events)).toEqual(range(1, head));
    } finally {
      await http.close();
    }
  });

  it('speaks TLS to a syslog receiver whose CA it was given', async () => {
    await resetCursors();
    const dir = mkdtempSync(path.join(tmpdir(), 'syslog-tls-'));
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1']
          .concat(['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'])
          .concat(['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')]),
        { stdio: 'ignore' },
      );
      const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
      const syslog = await startSyslogReceiver({ key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert });
      try {
        outbox([
          syslogSink({ host: 'localhost', port: syslog.port, tls: true, caFile: path.join(dir, 'cert.pem') }),
        ]).start();
        const head = await headSeq();
        await eventually('TLS syslog catching up', () => deduplicated(eventsOfSyslog(syslog.messages)).at(-1) === head);
        expect(deduplicated(eventsOfSyslog(syslog.messages))).toEqual(range(1, head));
      } finally {
        await syslog.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('audit events carry what a SOC joins with CloudTrail', () => {
  const provider = testDatabaseUrls()[0]!;
  let receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
  let harness: () => PortalHarness;
  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });
  // The receiver's URL is only known once it listens; the portal reads it from its settings.
  harness = useEnrolledPortal(provider, {
    get env() {
      return { AUDIT_SINK_WEBHOOK_URL: receiver.url };
    },
  } as { env: Record<string, string> });

  it('streams a credential issuance with the issued key, session name, source identity, role, account and origin', async () => {
    const portal = harness();
    await portal.app.listen({ port: 0, host: '127.0.0.1' }); // the outbox starts with the server
    const response = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: { 'user-agent': 'soc-test/1.0', 'x-request-id': 'soc-join-request-1' },
      remoteAddress: '198.51.100.23',
      payload: { userName: 'alice', code: portal.nextCode('alice'), role: 'readonly' },
    });
    expect(response.statusCode, response.body).toBe(200);
    const issued = response.json() as { accessKeyId: string };
    await eventually('the issuance event', () => receiver.events.some((e) => e.action === 'credentials.issue'));
    const event = receiver.events.find((e) => e.action === 'credentials.issue')!;
    expect(event).toMatchObject({
      actor: 'alice',
      outcome: 'success',
      issuedAccessKeyId: issued.accessKeyId,
      roleSessionName: 'alice',
      sourceIdentity: 'alice',
      roleArn: 'arn:aws:iam::111111111111:role/ReadOnly',
      account: '111111111111',
      clientAddress: '198.51.100.23',
      userAgent: 'soc-test/1.0',
      requestId: 'soc-join-request-1',
    });
    expect(JSON.stringify(receiver.events)).not.toMatch(/secretAccessKey|sessionToken/i);
    // Enrolments before it went first: everything in order.
    expect(deduplicated(receiver.events)).toEqual(range(1, deduplicated(receiver.events).length));
  });
});
