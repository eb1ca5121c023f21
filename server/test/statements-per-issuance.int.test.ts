import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnrolledPortal } from './enrolled-portal.ts';
import { type PortalHarness, sessionCookie } from './portal-harness.ts';
import { testDatabaseUrls } from './test-databases.ts';

/**
 * How many SQL statements one issuance runs once the portal is warm, counted at the SQLite driver
 * (every statement Prisma sends is prepared there). Issue 14's profile puts ~40% of the portal's
 * CPU per issuance in the database layer, so a statement more on these paths is a cost the bench
 * would show; this fails first. bench/README.md (issuance) lists what the statements are.
 */
const prepared: string[] = [];
const driver = (Database as unknown as { prototype: { prepare(sql: string): unknown } }).prototype;
const prepare = driver.prepare;
driver.prepare = function (this: unknown, sql: string) {
  prepared.push(sql);
  return prepare.call(this, sql);
};

async function statementsOf(send: () => Promise<{ statusCode: number; body: string }>): Promise<string[]> {
  prepared.length = 0;
  const response = await send();
  expect(response.statusCode, response.body).toBe(200);
  return [...prepared];
}

const sqlite = testDatabaseUrls().find((provider) => provider.name === 'sqlite')!;

describe('statements per issuance (sqlite)', () => {
  let portal: PortalHarness;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await sqlite.create({ migrate: false });
    drop = () => db.drop();
    portal = await startEnrolledPortal({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await portal.close();
    await drop();
  });

  it('runs five on the browser-session path and five on the credential_process path', async () => {
    const signIn = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { userName: 'alice', code: portal.nextCode('alice') },
    });
    const browser = () =>
      portal.app.inject({
        method: 'POST',
        url: '/api/v1/credentials',
        payload: { role: 'readonly' },
        headers: { cookie: sessionCookie(signIn), 'x-csrf-token': signIn.json().csrfToken as string },
      });
    const created = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/cli-tokens',
      payload: { userName: 'erin', code: portal.nextCode('erin') },
    });
    const process = () =>
      portal.app.inject({
        method: 'GET',
        url: '/api/v1/credentials/process?role=readonly',
        headers: { authorization: `Bearer ${created.json().token as string}` },
      });
    // Warm-up: the audit appender reads the chain's head once; a token records its first use once.
    await statementsOf(browser);
    await statementsOf(process);

    const tables = (statements: string[]) => statements.map((sql) => /(?:FROM|INTO) `main`\.`(\w+)`/.exec(sql)?.[1]);
    expect(tables(await statementsOf(browser))).toEqual([
      'WebSession',
      'MfaSession',
      'EnrolledUser',
      'CatalogRole',
      'AuditEvent',
    ]);
    expect(tables(await statementsOf(process))).toEqual([
      'CliToken',
      'MfaSession',
      'EnrolledUser',
      'CatalogRole',
      'AuditEvent',
    ]);
  });
});
