import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createAwsGateway } from '../src/aws/aws-gateway.ts';
import { openDatabase } from '../src/db/database.ts';
import { useEnrolledPortal } from './enrolled-portal.ts';
import { ACCOUNT, type PortalHarness } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

/** Every route that takes a code, as scripts and the CLI helper call them. */
const CODE_ROUTES = [
  { url: '/api/v1/session', body: {} },
  { url: '/api/v1/cli-tokens', body: {} },
  { url: '/api/v1/credentials', body: { role: 'readonly' } },
] as const;

interface Instance {
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A second portal instance: its own app, AWS client and database connections, sharing only the database. */
async function startSecondInstance(portal: PortalHarness): Promise<Instance> {
  const database = await openDatabase(portal.config.databaseUrl);
  const key = portal.state.users.find((u) => u.account === ACCOUNT && u.name === 'portal')?.accessKeys?.[0];
  if (!key) throw new Error('the state needs a portal key');
  const aws = createAwsGateway({
    region: 'us-east-1',
    stsEndpoint: portal.emulator.url,
    iamEndpoint: portal.emulator.url,
    portalCredentials: { accessKeyId: key.id, secretAccessKey: key.secret },
  });
  const app = await buildApp({ config: portal.config, database, aws, logger: false });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

const wrongCodeFor = (right: string) => (right === '000000' ? '111111' : '000000');

const verificationCalls = (portal: PortalHarness) => {
  const calls = portal.emulator.tokenCodeCalls();
  return calls.GetSessionToken + calls.AssumeRole;
};

function expectRefused(response: LightMyRequestResponse) {
  expect(response.statusCode).toBe(429);
  expect(response.json().error).toBe('too_many_attempts');
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(900);
}

describe.each(testDatabaseUrls())('MFA attempt budgets under parallel requests ($name)', (provider) => {
  const harness = useEnrolledPortal(provider);
  let portal: PortalHarness;
  let second: Instance;
  let instances: FastifyInstance[];
  beforeAll(async () => {
    portal = harness();
    second = await startSecondInstance(portal);
    instances = [portal.app, second.app];
  });
  afterAll(async () => {
    await second?.close();
  });

  const attempt = (app: FastifyInstance, i: number, userName: string, code: string, remoteAddress?: string) => {
    const route = CODE_ROUTES[i % CODE_ROUTES.length]!;
    return app.inject({
      method: 'POST',
      url: route.url,
      payload: { userName, code, ...route.body },
      ...(remoteAddress ? { remoteAddress } : {}),
    });
  };

  it('lets at most the budget of 50 + 50 parallel wrong codes on two instances reach AWS, and no right code after it', async () => {
    const right = portal.nextCode('alice');
    const wrong = wrongCodeFor(right);
    const callsBefore = verificationCalls(portal);

    let budgetSpent: () => void = () => {};
    const spent = new Promise<void>((resolve) => {
      budgetSpent = resolve;
    });
    const watch = (response: Promise<LightMyRequestResponse>) =>
      response.then((r) => {
        if (r.statusCode === 429) budgetSpent();
        return r;
      });
    const burst = instances.flatMap((app) =>
      Array.from({ length: 50 }, (_, i) => watch(attempt(app, i, 'alice', wrong))),
    );
    // The right code, on every route of both instances, while the burst is still arriving
    // (or, should nothing be refused, after it).
    const late = Promise.race([spent, Promise.all(burst)]).then(() =>
      Promise.all(instances.flatMap((app) => CODE_ROUTES.map((_, i) => attempt(app, i, 'alice', right)))),
    );
    const [responses, rightAfterBudget] = await Promise.all([Promise.all(burst), late]);

    expect(verificationCalls(portal) - callsBefore).toBe(5);
    const rejected = responses.filter((r) => r.statusCode === 401);
    expect(rejected).toHaveLength(5);
    for (const response of rejected) expect(response.json().error).toBe('invalid_mfa_code');
    const refused = responses.filter((r) => r.statusCode !== 401);
    expect(refused).toHaveLength(95);
    for (const response of [...refused, ...rightAfterBudget]) expectRefused(response);

    // The flood wrote one audit row for the block; the counter row counts the rest.
    const rows = await portal.database.prisma.auditEvent.findMany({ where: { actor: 'alice' } });
    expect(rows.filter((r) => r.errorCode === 'too_many_attempts')).toHaveLength(1);
    expect(rows.filter((r) => r.errorCode === 'invalid_mfa_code')).toHaveLength(5);
    const counter = await portal.database.prisma.attemptCounter.findUniqueOrThrow({
      where: { key: 'user-ip:alice|127.0.0.1' },
    });
    expect(counter).toMatchObject({ failures: 5, refusals: 95 + rightAfterBudget.length });
    expect(await portal.app.services.audit.verifyChain()).toMatchObject({ ok: true });
  });

  it('caps one user over many addresses at the user ceiling, everywhere', async () => {
    const wrong = wrongCodeFor(portal.nextCode('erin'));
    const callsBefore = verificationCalls(portal);
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, address) =>
        [0, 1].map((i) => attempt(instances[i]!, address + i, 'erin', wrong, `198.51.100.${address + 1}`)),
      ).flat(),
    );
    expect(verificationCalls(portal) - callsBefore).toBe(20);
    expect(responses.filter((r) => r.statusCode === 401)).toHaveLength(20);
    for (const response of responses.filter((r) => r.statusCode !== 401)) expectRefused(response);

    // Erin herself, from an address that never tried, is locked out too until the window ends.
    const fresh = await attempt(portal.app, 0, 'erin', portal.nextCode('erin'), '192.0.2.99');
    expectRefused(fresh);
  });

  it('gives a right code its attempt back', async () => {
    const right = portal.nextCode('frank');
    const wrong = wrongCodeFor(right);
    for (let i = 0; i < 4; i++) expect((await attempt(portal.app, 0, 'frank', wrong)).statusCode).toBe(401);
    expect((await attempt(second.app, 0, 'frank', right)).statusCode).toBe(200);
    const wrongAgain = wrongCodeFor(portal.nextCode('frank'));
    expect((await attempt(second.app, 1, 'frank', wrongAgain)).statusCode).toBe(401);
    expectRefused(await attempt(portal.app, 1, 'frank', portal.nextCode('frank')));
  });
});
