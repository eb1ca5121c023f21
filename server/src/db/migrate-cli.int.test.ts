import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findProjectRoot } from './migration-files.ts';

const root = findProjectRoot();
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const cli = path.join(root, 'server', 'src', 'db', 'migrate-cli.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run db:migrate`'s command in `cwd`, as an operator would. */
function runCli(cwd: string, databaseUrl?: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
  return new Promise((resolve) => {
    execFile(tsx, [cli], { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function expectNoStackTrace(run: Run): void {
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
}

describe('npm run db:migrate', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-cli-'));
  });
  afterEach(async () => {
    await fs.rm(cwd, { recursive: true, force: true });
  });

  it('creates ./data/portal.db on first run and reports what it applied, then nothing to do', async () => {
    const first = await runCli(cwd);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Migrating SQLite ${path.join(cwd, 'data', 'portal.db')}`);
    expect(first.stdout).toMatch(/applied migration \d{14}_\w+ in \d+ ms/);
    expect(first.stdout).toMatch(/Applied \d+ migrations?; database is up to date\./);
    await expect(fs.stat(path.join(cwd, 'data', 'portal.db'))).resolves.toBeTruthy();

    const second = await runCli(cwd);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Database is up to date');
  });

  it('lets two processes migrating one new SQLite file at once apply each migration once', async () => {
    const runs = await Promise.all([runCli(cwd, 'file:./shared.db'), runCli(cwd, 'file:./shared.db')]);
    for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(runs.filter((r) => r.stdout.includes('Applied '))).toHaveLength(1);
    expect(runs.filter((r) => r.stdout.includes('nothing to do'))).toHaveLength(1);
    const db = new BetterSqlite3(path.join(cwd, 'shared.db'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT migration_name, COUNT(*) AS n FROM "_prisma_migrations" GROUP BY migration_name')
        .all() as Array<{ n: number }>;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.n).toBe(1);
    } finally {
      db.close();
    }
  });

  it('names the setting and exits 2 for a malformed DATABASE_URL, without a stack trace', async () => {
    const run = await runCli(cwd, 'nonsense');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DATABASE_URL is invalid: malformed database URL');
    expectNoStackTrace(run);
  });

  it('exits 1 with a readable message when PostgreSQL is unreachable', async () => {
    const run = await runCli(cwd, 'postgresql://portal:hunter2@127.0.0.1:1/portal');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'Migration failed: cannot connect to PostgreSQL 127.0.0.1:1/portal: connect ECONNREFUSED',
    );
    expect(run.stdout + run.stderr).not.toContain('hunter2');
    expectNoStackTrace(run);
  });
});
