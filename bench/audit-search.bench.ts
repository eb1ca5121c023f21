import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { parseDatabaseUrl } from '../server/src/db/database-url.ts';
import { auditHash, canonicalJson, GENESIS_HASH } from '../server/src/services/audit/audit-chain.ts';
import type { AuditRecord } from '../server/src/services/audit/audit-events.ts';
import { auditKeysFrom } from '../server/src/services/audit/audit-key.ts';
import { parseMasterKey } from '../server/src/services/custody/secret-box.ts';
import { type BenchDatabase, type Provider, providersFrom } from './lib/databases.ts';
import { httpLoad } from './lib/load.ts';
import { benchOrganisation, benchUser, browserSignIn, ROLE_ARN } from './lib/portal-fixture.ts';
import { ROOT, writeResults } from './lib/results.ts';
import { withBenchStack } from './lib/stack.ts';
import { printTable, type Summary, summarise } from './lib/stats.ts';

/**
 * The admin audit log at 1,000,000 rows: a valid keyed hash chain generated in bulk (the
 * portal's own auditHash under the audit key of the run's master key), then the admin audit
 * API of the built portal (own process, real HTTP) for the first page, a filtered page (one
 * user, 30 days), and a deep cursor page, interleaved; then `npm run portal -- audit verify`
 * over the whole chain, with its peak resident memory.
 */

/** Users in the log: 2,000 at 1,000,000 rows (500 rows each, about 40 in any 30 days). */
const actorsFor = (rows: number) => Math.max(1, Math.min(2000, Math.round(rows / 500)));
const SPAN_DAYS = 365;
const ACTIONS = ['credentials.issue', 'credentials.process', 'session.sign_in', 'cli_token.create'] as const;

/** Deterministic pseudo-random numbers: every run searches the same log. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

const COLUMNS = [
  'id',
  'seq',
  'time',
  'actor',
  'action',
  'targetRoleArn',
  'roleSessionName',
  'outcome',
  'sourceIp',
  'userAgent',
  'requestId',
  'metadata',
  'prevHash',
  'hash',
  'keyId',
] as const;

/** Rows continuing the chain from `head`, oldest first, spread evenly over the last SPAN_DAYS. */
function* generateRows(
  count: number,
  head: { seq: number; hash: string },
  masterKey: string,
  end: Date,
): Generator<AuditRecord> {
  const key = auditKeysFrom(parseMasterKey(masterKey)).current!;
  const actors = actorsFor(count);
  const next = random(20261202);
  const start = end.getTime() - SPAN_DAYS * 86_400_000;
  let prevHash = head.hash;
  for (let i = 0; i < count; i++) {
    const actor = benchUser(Math.floor(next() * actors));
    const action = ACTIONS[Math.floor(next() * ACTIONS.length)]!;
    const issuing = action.startsWith('credentials.');
    const base = {
      id: randomUUID(),
      seq: head.seq + 1 + i,
      time: new Date(Math.floor(start + ((end.getTime() - start) * i) / count)),
      actor,
      action,
      outcome: next() < 0.95 ? 'success' : 'failure',
      ...(issuing ? { targetRoleArn: ROLE_ARN, roleSessionName: actor } : {}),
      sourceIp: `10.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`,
      userAgent: issuing ? 'aws-cli/2.9 credential_process' : 'Mozilla/5.0',
      requestId: randomUUID(),
      ...(issuing ? { metadata: { roleAlias: 'readonly', via: 'mfa_session', durationSeconds: 3600 } } : {}),
      prevHash,
      keyId: key.id,
    } as Omit<AuditRecord, 'hash'>;
    const record = { ...base, hash: auditHash(base, key) } as AuditRecord;
    prevHash = record.hash;
    yield record;
  }
}

const cellOf = (r: AuditRecord, column: (typeof COLUMNS)[number], provider: Provider): unknown => {
  const v = r[column as keyof AuditRecord];
  if (column === 'time') return provider === 'sqlite' ? r.time.toISOString().replace('Z', '+00:00') : r.time;
  if (column === 'metadata') return r.metadata ? canonicalJson(r.metadata) : null;
  return v ?? null;
};

/** Inserts the rows straight through the driver (bulk load, not the portal's code path). */
async function bulkInsert(db: BenchDatabase, rows: Iterable<AuditRecord>): Promise<number> {
  const target = parseDatabaseUrl(db.url);
  const quoted = COLUMNS.map((c) => `"${c}"`).join(', ');
  let inserted = 0;
  if (target.provider === 'sqlite') {
    const sqlite = new BetterSqlite3(target.filePath);
    sqlite.pragma('journal_mode = WAL');
    const insert = sqlite.prepare(`INSERT INTO "AuditEvent" (${quoted}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    const batch = sqlite.transaction((chunk: AuditRecord[]) => {
      for (const r of chunk) insert.run(...COLUMNS.map((c) => cellOf(r, c, 'sqlite')));
    });
    let chunk: AuditRecord[] = [];
    for (const r of rows) {
      chunk.push(r);
      if (chunk.length === 10_000) {
        batch(chunk);
        inserted += chunk.length;
        chunk = [];
      }
    }
    batch(chunk);
    inserted += chunk.length;
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.exec('ANALYZE');
    sqlite.close();
    return inserted;
  }
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  const types = [
    'text',
    'int',
    'timestamp',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'jsonb',
    'text',
    'text',
    'text',
  ];
  const sql = `INSERT INTO "AuditEvent" (${quoted}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
  let chunk: AuditRecord[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const columns = COLUMNS.map((c) => chunk.map((r) => cellOf(r, c, 'postgresql')));
    await client.query(sql, columns);
    inserted += chunk.length;
    chunk = [];
  };
  for (const r of rows) {
    chunk.push(r);
    if (chunk.length === 10_000) await flush();
  }
  await flush();
  await client.query('ANALYZE "AuditEvent"');
  await client.end();
  return inserted;
}

async function headOf(db: BenchDatabase): Promise<{ seq: number; hash: string }> {
  const target = parseDatabaseUrl(db.url);
  const sql = 'SELECT "seq", "hash" FROM "AuditEvent" ORDER BY "seq" DESC LIMIT 1';
  if (target.provider === 'sqlite') {
    const sqlite = new BetterSqlite3(target.filePath, { readonly: true });
    const row = sqlite.prepare(sql).get() as { seq: number; hash: string } | undefined;
    sqlite.close();
    return row ?? { seq: 0, hash: GENESIS_HASH };
  }
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  const { rows } = await client.query(sql);
  await client.end();
  return (rows[0] as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: GENESIS_HASH };
}

/** The old-generation cap of the second verify run: it streams if it finishes within this heap. */
const CAPPED_HEAP_MIB = 64;

/**
 * `audit verify` of the built admin CLI (`npm run portal -- audit verify` runs the same code
 * through tsx) in its own process: wall time, the line it prints and its peak RSS (VmHWM).
 */
async function verifyChain(databaseUrl: string, masterKey: string, nodeArgs: string[] = []) {
  const started = performance.now();
  const cli = path.join(ROOT, 'dist/server/src/cli/portal-cli.js');
  const child = spawn(process.execPath, [...nodeArgs, cli, 'audit', 'verify'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, PORTAL_MASTER_KEY: masterKey, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  let peakKiB = 0;
  const { readFileSync } = await import('node:fs');
  const poll = setInterval(() => {
    try {
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
      if (hwm > peakKiB) peakKiB = hwm;
    } catch {
      // exited
    }
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(poll);
  return {
    exitCode: code,
    wallMs: Math.round(performance.now() - started),
    peakRssMiB: Math.round(peakKiB / 102.4) / 10,
    output: output.trim().split('\n').pop() ?? '',
  };
}

async function measureOn(provider: Provider, options: { rows: number; requests: number; rounds: number }) {
  const state = benchOrganisation(1);
  state.users.push({
    account: '111111111111',
    name: 'bench-admin',
    groups: ['portal-admins'],
    attachedPolicies: ['arn:aws:iam::111111111111:policy/ForceMFAAllowAssumeRole'],
    mfaDevices: [
      {
        serial: 'arn:aws:iam::111111111111:mfa/bench-admin',
        type: 'virtual',
        seed: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      },
    ],
  });
  return withBenchStack(
    { provider, name: 'audit', state, users: ['bench-admin'] },
    async ({ db, masterKey, startPortal }) => {
      const end = new Date();
      const loadStarted = performance.now();
      const inserted = await bulkInsert(db, generateRows(options.rows, await headOf(db), masterKey, end));
      const loadMs = Math.round(performance.now() - loadStarted);
      console.log(`${provider}: ${inserted} audit rows generated and loaded in ${(loadMs / 1000).toFixed(1)} s`);
      const head = await headOf(db);

      const portal = await startPortal();
      const admin = await browserSignIn(portal.url, 'bench-admin');
      const monthAgo = new Date(end.getTime() - 30 * 86_400_000).toISOString();
      const queries: Record<string, string> = {
        'first page': '/api/v1/admin/audit?limit=50',
        'filtered: user + 30 days': `/api/v1/admin/audit?limit=50&actor=${benchUser(123 % actorsFor(options.rows))}&from=${encodeURIComponent(monthAgo)}&to=${encodeURIComponent(end.toISOString())}`,
        'filtered: action + outcome': '/api/v1/admin/audit?limit=50&action=credentials.process&outcome=failure',
        'deep cursor page': `/api/v1/admin/audit?limit=50&cursor=${Math.floor(head.seq / 100)}`,
      };
      const timings = new Map<string, number[]>(Object.keys(queries).map((q) => [q, []]));
      const check = await fetch(`${portal.url}${queries['filtered: user + 30 days']}`, {
        headers: { cookie: admin.cookie, 'x-forwarded-for': '10.250.1.1' },
      });
      const sample = (await check.json()) as { events: unknown[] };
      if (check.status !== 200 || sample.events.length === 0)
        throw new Error(`the filtered page answered ${check.status}, ${sample.events?.length} events`);
      for (const path of Object.values(queries))
        await httpLoad({
          url: portal.url,
          connections: 1,
          amount: 20,
          request: () => ({ path, headers: { cookie: admin.cookie } }),
        });
      for (let round = 0; round < options.rounds; round++)
        for (const [name, path] of Object.entries(queries)) {
          const run = await httpLoad({
            url: portal.url,
            connections: 1,
            amount: options.requests,
            request: () => ({ path, headers: { cookie: admin.cookie } }),
          });
          if (run.failed) throw new Error(`${name}: ${run.failed} requests failed ${JSON.stringify(run.statusCodes)}`);
          timings.get(name)!.push(...run.latencies);
        }
      const pages: Record<string, Summary> = Object.fromEntries([...timings].map(([name, t]) => [name, summarise(t)]));
      const portalRssMiB = portal.rssMiB();
      await portal.stop();
      const verify = await verifyChain(db.url, masterKey);
      console.log(`${provider}: audit verify ${verify.wallMs} ms, peak RSS ${verify.peakRssMiB} MiB: ${verify.output}`);
      // Peak RSS alone cannot tell a stream from heap V8 had no reason to collect: the same walk
      // within a small heap can (it would die of "heap out of memory" if it held the chain).
      const verifyCapped = await verifyChain(db.url, masterKey, [`--max-old-space-size=${CAPPED_HEAP_MIB}`]);
      console.log(
        `${provider}: audit verify in ${CAPPED_HEAP_MIB} MiB of heap: exit ${verifyCapped.exitCode}, ${verifyCapped.wallMs} ms, peak RSS ${verifyCapped.peakRssMiB} MiB: ${verifyCapped.output}`,
      );
      return { provider, rows: head.seq, loadMs, pages, verify, verifyCapped, portalRssMiB };
    },
  );
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      rows: { type: 'string', default: '1000000' },
      requests: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '4' },
    },
  });
  const options = { rows: Number(values.rows), requests: Number(values.requests), rounds: Number(values.rounds) };
  const results = [];
  for (const provider of providersFrom(values.db)) results.push(await measureOn(provider, options));
  const rows = results.flatMap((r) => [
    ...Object.entries(r.pages).map(([name, s]) => ({
      db: r.provider,
      rows: r.rows,
      what: name,
      'p50 ms': s.p50Ms,
      'p95 ms': s.p95Ms,
      'peak RSS MiB': '',
    })),
    {
      db: r.provider,
      rows: r.rows,
      what: 'audit verify (whole chain)',
      'p50 ms': r.verify.wallMs,
      'p95 ms': '',
      'peak RSS MiB': r.verify.peakRssMiB,
    },
    {
      db: r.provider,
      rows: r.rows,
      what: `audit verify, ${CAPPED_HEAP_MIB} MiB heap cap (exit ${r.verifyCapped.exitCode})`,
      'p50 ms': r.verifyCapped.wallMs,
      'p95 ms': '',
      'peak RSS MiB': r.verifyCapped.peakRssMiB,
    },
  ]);
  printTable(rows);
  await writeResults('audit-search', {
    setup: {
      portal: 'built, own process, HTTP; admin cookie; autocannon, 1 connection, each request its own X-Forwarded-For',
      generated: `${options.rows} generated rows + the setup's own, ${actorsFor(options.rows)} users, ${SPAN_DAYS} days, bulk-loaded through the driver`,
      ...options,
    },
    results,
    table: rows,
  });
}
