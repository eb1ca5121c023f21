import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/db/database.ts';
import { AppError } from '../src/errors/app-error.ts';
import {
  type ComplianceRepository,
  createComplianceRepository,
} from '../src/services/compliance/compliance-repository.ts';
import { ScanCancelledError } from '../src/services/compliance/compliance-scanner.ts';
import {
  type ComplianceService,
  createComplianceService,
  SCAN_LEASE,
} from '../src/services/compliance/compliance-service.ts';
import { createLeaseStore } from '../src/services/leases/lease-store.ts';
import { type TestDatabase, testDatabaseUrls } from './test-databases.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two portal instances (own connections and services, one database) racing to start a scan.
 * The scanner never reaches AWS: it runs until its instance stops, so a scan stays `running`.
 */
describe.each(testDatabaseUrls())('scan start race between instances ($name)', ({ name, create }) => {
  let db: TestDatabase;
  const databases: Database[] = [];
  const services: ComplianceService[] = [];

  async function instance(
    wrap: (repository: ComplianceRepository) => ComplianceRepository = (r) => r,
    options: { holderWaitMs?: number } = {},
  ): Promise<{ database: Database; compliance: ComplianceService }> {
    const database = await openDatabase(db.url);
    const repository = wrap(createComplianceRepository({ provider: name }));
    const compliance = createComplianceService({
      prisma: database.prisma,
      repository,
      leases: createLeaseStore({ prisma: database.prisma }),
      scanner: {
        async scan({ cancelled }) {
          while (!cancelled()) await sleep(10);
          throw new ScanCancelledError();
        },
      },
      custody: { enrolledIn: async () => new Map() },
      audit: {
        append: async () => {
          throw new Error('scans without an actor write no audit row');
        },
      },
      ...options,
    });
    databases.push(database);
    services.push(compliance);
    return { database, compliance };
  }

  async function stopAll(): Promise<void> {
    await Promise.all(services.map((s) => s.stop(5000)));
    await Promise.all(services.map((s) => s.idle()));
    services.length = 0;
  }

  beforeAll(async () => {
    db = await create();
  });
  afterAll(async () => {
    await stopAll();
    await Promise.all(databases.map((d) => d.close()));
    await db?.drop();
  });

  it('tells the loser which scan is running while the winner has not yet written its row', async () => {
    let loserAnswered: () => void = () => {};
    const answered = new Promise<void>((resolve) => (loserAnswered = resolve));
    // The winner stalls between claiming the lease and creating the scan's row: until the loser
    // has answered, or half a second (a fixed loser waits for the row, so it cannot answer first).
    const winner = await instance((repository) => ({
      ...repository,
      async createScan(tx, input) {
        await Promise.race([answered, sleep(500)]);
        return repository.createScan(tx, input);
      },
    }));
    const loser = await instance();

    const started = winner.compliance.startScan('manual');
    for (let i = 0; i < 200 && !(await winner.database.prisma.lease.findUnique({ where: { name: SCAN_LEASE } })); i++)
      await sleep(5);
    const lost = await loser.compliance.startScan('manual');
    loserAnswered();
    const won = await started;

    expect(won.started).toBe(true);
    expect(lost).toMatchObject({ started: false, scan: { id: won.scan.id, status: 'running' } });
    await stopAll();
  });

  it('answers 503 for a lease whose holder died before writing its scan, and takes over once it expires', async () => {
    const prisma = (await instance()).database.prisma;
    const { compliance } = await instance(undefined, { holderWaitMs: 300 });
    await prisma.lease.deleteMany({ where: { name: SCAN_LEASE } });
    await prisma.lease.create({
      data: {
        name: SCAN_LEASE,
        holder: 'dead-instance',
        subject: '01900000-0000-7000-8000-000000000000',
        expiresAt: new Date(Date.now() + 60_000),
      },
    });
    const waitedFrom = Date.now();
    const refused = await compliance.startScan('manual').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ statusCode: 503, code: 'scan_starting' });
    expect(Date.now() - waitedFrom).toBeLessThan(5000);

    await prisma.lease.updateMany({ where: { name: SCAN_LEASE }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const taken = await compliance.startScan('manual');
    expect(taken).toMatchObject({ started: true, scan: { status: 'running' } });
    await stopAll();
  });
});
