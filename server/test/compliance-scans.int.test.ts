import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/db/database.ts';
import { SCAN_LEASE } from '../src/services/compliance/compliance-service.ts';
import { createServices, type Services } from '../src/services/container.ts';
import { complianceState, runScan } from './admin-fixtures.ts';
import { type PortalHarness, startPortalHarness } from './portal-harness.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

const EXPECTED_SUMMARY = {
  users: 12,
  withMfa: 6,
  withoutMfa: 6,
  consoleWithoutMfa: 3,
  keysWorkWithoutMfa: 4,
  keysUnknown: 0,
  hardwareMfa: 1,
  consoleOnlyMfa: 0,
  enrolled: 0,
  rootMfa: true,
};

/** Scans as several portal instances see them: start-up scans, the shared lease, throttling. */
describe.each(testDatabaseUrls())('compliance scans across instances ($name)', ({ create }) => {
  let db: TestDatabase;
  let portal: PortalHarness;
  let otherDatabase: Database;
  let other: Services;

  beforeAll(async () => {
    db = await create({ migrate: false });
    portal = await startPortalHarness({ databaseUrl: db.url, state: complianceState() });
    // A second portal instance: its own connection and services, the same database and AWS.
    otherDatabase = await openDatabase(db.url);
    other = createServices(otherDatabase.prisma, portal.config, portal.aws);
  });
  afterAll(async () => {
    await other?.complianceScheduler.stop();
    await portal?.close();
    await otherDatabase?.close();
    await db?.drop();
  });

  it('scans at start, in the background, when there is no snapshot yet', async () => {
    await portal.app.listen({ port: 0, host: '127.0.0.1' });
    const address = portal.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // Ready while the scan cannot have finished yet (the emulator's clock has not moved, so AWS
    // is still "generating" the credential report): the scan does not hold up readiness.
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect((await portal.app.services.compliance.progress())?.status ?? 'none').not.toBe('complete');
    // The scheduler's first check runs right after listen.
    for (let i = 0; i < 100 && !(await portal.app.services.compliance.progress()); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await portal.app.services.compliance.progress()).toMatchObject({ trigger: 'startup', status: 'running' });
    await runScan(portal);
    const page = await portal.app.services.compliance.dashboard({ limit: 1 });
    expect(page.summary).toEqual(EXPECTED_SUMMARY);
  });

  it('lets only one instance scan at a time', async () => {
    const first = await portal.app.services.compliance.startScan('manual');
    expect(first.started).toBe(true);
    const second = await other.compliance.startScan('manual');
    expect(second).toMatchObject({ started: false, scan: { id: first.scan!.id, status: 'running' } });
    await runScan(portal);
    // The lease is released at the end: the other instance may scan now.
    const third = await other.compliance.startScan('schedule');
    expect(third.started).toBe(true);
    const done = other.compliance.idle();
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      portal.advance(1);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await other.compliance.progress()).toMatchObject({
      id: third.scan!.id,
      status: 'complete',
      processedUsers: 12,
    });
  });

  it('takes over from an instance that died mid-scan', async () => {
    const prisma = portal.database.prisma;
    const orphan = await prisma.complianceScan.create({
      data: { trigger: 'schedule', status: 'running', startedAt: new Date(Date.now() - 600_000) },
    });
    await prisma.lease.create({
      data: { name: SCAN_LEASE, holder: 'dead-instance', subject: orphan.id, expiresAt: new Date(Date.now() - 1000) },
    });
    const taken = await portal.app.services.compliance.startScan('manual');
    expect(taken.started).toBe(true);
    expect(await prisma.complianceScan.findUnique({ where: { id: orphan.id } })).toMatchObject({
      status: 'failed',
      errorCode: 'scan_abandoned',
    });
    await runScan(portal);
  });

  it('finishes with exact figures while AWS throttles, backing off', async () => {
    const faults = `${portal.emulator.url}/__emulator/faults`;
    await fetch(faults, { method: 'POST', body: JSON.stringify({ throttleRate: 0.3 }) });
    try {
      const scan = await portal.app.services.compliance.startScan('manual');
      expect(scan.started).toBe(true);
      await runScan(portal);
      expect(await portal.app.services.compliance.progress()).toMatchObject({ id: scan.scan!.id, status: 'complete' });
      expect((await portal.app.services.compliance.dashboard({ limit: 1 })).summary).toEqual(EXPECTED_SUMMARY);
    } finally {
      await fetch(faults, { method: 'DELETE' });
    }
  });

  it('keeps per-user rows of recent snapshots only, and every summary for the trend', async () => {
    const prisma = portal.database.prisma;
    const complete = await prisma.complianceScan.count({ where: { status: 'complete' } });
    expect(complete).toBeGreaterThanOrEqual(4);
    const withRows = await prisma.complianceUser.groupBy({ by: ['scanId'] });
    expect(withRows.length).toBe(3);
    expect(await portal.app.services.compliance.history(100)).toHaveLength(complete);
  });

  it('reads summaries stored before the keys count was renamed under its new name', async () => {
    const prisma = portal.database.prisma;
    const { keysWorkWithoutMfa, ...rest } = EXPECTED_SUMMARY;
    const startedAt = new Date(Date.UTC(2001, 0, 1));
    await prisma.complianceScan.create({
      data: {
        id: 'scan-before-rename',
        trigger: 'schedule',
        status: 'complete',
        startedAt,
        finishedAt: startedAt,
        summary: { ...rest, keysWithoutMfaEnforcement: keysWorkWithoutMfa },
      },
    });
    const oldest = (await portal.app.services.compliance.history(100)).find((p) => p.scanId === 'scan-before-rename');
    expect(oldest?.summary).toEqual(EXPECTED_SUMMARY);
  });
});
