import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Provider = 'sqlite' | 'postgresql';

export interface BenchDatabase {
  provider: Provider;
  url: string;
  drop(): void;
}

/** The server benchmarks create their PostgreSQL databases on (any user that may CREATE DATABASE). */
export const BENCH_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:55432/postgres';

const psql = (url: string, sql: string) =>
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8', stdio: 'pipe' });

export function postgresReachable(): boolean {
  try {
    psql(BENCH_POSTGRES_URL, 'select 1');
    return true;
  } catch {
    return false;
  }
}

/** A fresh, empty database of the given kind, for one benchmark run; `drop` removes it. */
export function createBenchDatabase(provider: Provider, name: string): BenchDatabase {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), `portal-bench-${name}-`));
    return {
      provider,
      url: `file:${path.join(dir, 'portal.db')}`,
      drop: () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const database = `bench_${name.replace(/\W/g, '_')}_${process.pid}`;
  psql(BENCH_POSTGRES_URL, `DROP DATABASE IF EXISTS ${database}`);
  psql(BENCH_POSTGRES_URL, `CREATE DATABASE ${database}`);
  const url = new URL(BENCH_POSTGRES_URL);
  url.pathname = `/${database}`;
  return {
    provider,
    url: url.toString(),
    drop: () => {
      try {
        psql(BENCH_POSTGRES_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } catch (error) {
        console.warn(`could not drop ${database}: ${String(error)}`);
      }
    },
  };
}

/** `--db sqlite|postgresql|both` (default both when PostgreSQL answers, else SQLite alone). */
export function providersFrom(option: string | undefined): Provider[] {
  if (option === 'sqlite' || option === 'postgresql') return [option];
  if (option && option !== 'both') throw new Error(`--db must be sqlite, postgresql or both, not "${option}"`);
  if (postgresReachable()) return ['sqlite', 'postgresql'];
  console.warn(`PostgreSQL at ${BENCH_POSTGRES_URL.replace(/\/\/[^@]*@/, '//***@')} does not answer: SQLite only`);
  return ['sqlite'];
}
