import type { PrismaClient } from '../generated/prisma-sqlite/client.ts';
import {
  type DatabaseProvider,
  describeDatabase,
  type PostgresTarget,
  parseDatabaseUrl,
  type SqliteTarget,
} from './database-url.ts';
import { ensureParentDirectory } from './sqlite-file.ts';

export { DatabaseUrlError, describeDatabase, parseDatabaseUrl } from './database-url.ts';
export type { PrismaClient };

/**
 * The one way the server opens its database. The provider comes from the URL; everything above
 * this module sees the same `PrismaClient` type whichever database is behind it.
 */
export interface Database {
  readonly provider: DatabaseProvider;
  readonly prisma: PrismaClient;
  /** Resolves when the database answers a query (readiness checks); rejects with DatabaseUnavailableError. */
  ping(): Promise<void>;
  /** Closes every connection. Safe to call more than once. */
  close(): Promise<void>;
}

/** The subset of a pino logger this module uses. */
export interface DatabaseLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface OpenDatabaseOptions {
  /** Receives Prisma's warnings and errors, and pool errors; queries too when `logQueries`. */
  log?: DatabaseLogger;
  logQueries?: boolean;
  /** Base for a relative SQLite path. Default: the process's working directory. */
  cwd?: string;
  /** PostgreSQL pool size when the URL has no `connection_limit`. Default 10. */
  poolSize?: number;
}

export class DatabaseUnavailableError extends Error {
  readonly code = 'database_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

// How long a SQLite writer waits for another writer (another process on the same file, or the
// migrator) before failing with SQLITE_BUSY.
const SQLITE_BUSY_TIMEOUT_MS = 5_000;
// A PostgreSQL connection attempt that takes longer than this fails, so /readyz answers instead
// of hanging on an unreachable server.
const PG_CONNECT_TIMEOUT_MS = 5_000;
const PG_IDLE_TIMEOUT_MS = 30_000;

type PrismaLogLevel = 'query' | 'warn' | 'error';
interface PrismaLogEvent {
  message?: string;
  target?: string;
  query?: string;
  params?: string;
  duration?: number;
}

/** Opens (but does not migrate) the database at `url`. Run applyMigrations() first. */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(url, options.cwd === undefined ? {} : { cwd: options.cwd });
  return target.provider === 'sqlite' ? openSqlite(target, options) : openPostgres(target, options);
}

/** Prisma client options shared by both providers: logging via events, so pino formats them. */
function prismaLogOptions(options: OpenDatabaseOptions): { log: Array<{ emit: 'event'; level: PrismaLogLevel }> } {
  const levels: PrismaLogLevel[] = options.log ? ['warn', 'error'] : [];
  if (options.log && options.logQueries) levels.push('query');
  return { log: levels.map((level) => ({ emit: 'event' as const, level })) };
}

function attachPrismaLogging(prisma: PrismaClient, options: OpenDatabaseOptions): void {
  const log = options.log;
  if (!log) return;
  // `$on` is typed from the client's log options; with options built at runtime the event names
  // are not literal types, hence the narrow cast.
  const on = (prisma.$on as (event: PrismaLogLevel, cb: (e: PrismaLogEvent) => void) => void).bind(prisma);
  on('warn', (e) => log.warn({ target: e.target }, e.message ?? 'prisma warning'));
  on('error', (e) => log.error({ target: e.target }, e.message ?? 'prisma error'));
  if (options.logQueries) on('query', (e) => log.debug({ query: e.query, durationMs: e.duration }, 'prisma query'));
}

async function openSqlite(target: SqliteTarget, options: OpenDatabaseOptions): Promise<Database> {
  // Imported on demand: a PostgreSQL deployment never loads the native SQLite module.
  const [{ PrismaClient: SqliteClient }, { PrismaBetterSqlite3 }] = await Promise.all([
    import('../generated/prisma-sqlite/client.ts'),
    import('@prisma/adapter-better-sqlite3'),
  ]);
  try {
    ensureParentDirectory(target.filePath);
  } catch (error) {
    throw new DatabaseUnavailableError(
      `cannot create the folder for ${describeDatabase(target)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const adapter = new PrismaBetterSqlite3({ url: target.filePath, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const prisma = new SqliteClient({ adapter, ...prismaLogOptions(options) }) as unknown as PrismaClient;
  attachPrismaLogging(prisma, options);

  try {
    // The adapter keeps one connection for the client's lifetime, so per-connection pragmas set
    // here hold for every later query (busy_timeout comes from the `timeout` option above). WAL
    // lets readers run while a writer commits, and persists in the file; foreign keys are
    // enforced explicitly rather than trusting the driver's compile-time default. synchronous
    // stays at SQLite's default FULL: a committed audit row must survive a power cut.
    await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  } catch (error) {
    await prisma.$disconnect().catch(() => {});
    throw new DatabaseUnavailableError(`cannot open ${describeDatabase(target)}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  return makeDatabase('sqlite', prisma, target, async () => {
    await prisma.$disconnect();
  });
}

async function openPostgres(target: PostgresTarget, options: OpenDatabaseOptions): Promise<Database> {
  const [{ PrismaClient: PostgresClient }, { PrismaPg }, { default: pg }] = await Promise.all([
    import('../generated/prisma-postgresql/client.ts'),
    import('@prisma/adapter-pg'),
    import('pg'),
  ]);
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: target.connectionLimit ?? options.poolSize ?? 10,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: PG_IDLE_TIMEOUT_MS,
    // Unqualified names resolve in the configured schema, as with Prisma's ?schema=.
    ...(target.schema ? { options: `-c search_path="${target.schema}"` } : {}),
  });
  // An idle connection that the server drops emits 'error' on the pool; unhandled, it would kill
  // the process. The pool replaces the connection on next use.
  pool.on('error', (error) => options.log?.warn({ err: error }, 'PostgreSQL connection lost; the pool will reconnect'));
  const adapter = new PrismaPg(pool, target.schema ? { schema: target.schema } : undefined);

  // The PostgreSQL client is generated from a schema with the same models as the SQLite one
  // (scripts/prisma-sync-schemas.mjs, checked by schema-drift.test.ts), so their model APIs are
  // identical; only provider-specific type details differ. Presenting it under the SQLite client's
  // type gives the rest of the code one PrismaClient type. This is the only such cast.
  const prisma = new PostgresClient({ adapter, ...prismaLogOptions(options) }) as unknown as PrismaClient;
  attachPrismaLogging(prisma, options);

  return makeDatabase('postgresql', prisma, target, async () => {
    await prisma.$disconnect();
    await pool.end();
  });
}

function makeDatabase(
  provider: DatabaseProvider,
  prisma: PrismaClient,
  target: SqliteTarget | PostgresTarget,
  closeConnections: () => Promise<void>,
): Database {
  let closing: Promise<void> | undefined;
  return {
    provider,
    prisma,
    async ping() {
      try {
        await prisma.$queryRawUnsafe('SELECT 1');
      } catch (error) {
        throw new DatabaseUnavailableError(
          `${describeDatabase(target)} is not answering: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
    close() {
      closing ??= closeConnections();
      return closing;
    },
  };
}
