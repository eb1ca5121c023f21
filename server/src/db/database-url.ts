import path from 'node:path';

/**
 * DATABASE_URL parsing: which database, where, and with which options. Pure (no I/O), so the
 * config module can call it at boot and stop a bad setting before anything connects.
 *
 * Accepted forms:
 *   file:./data/portal.db      SQLite, relative to the process's working directory
 *   file:/var/lib/portal.db    SQLite, absolute (also file:///var/lib/portal.db)
 *   postgresql://user:pass@host:5432/db?schema=portal&connection_limit=10&sslmode=require
 *   postgres://...             same as postgresql://
 * `schema` and `connection_limit` follow Prisma's URL conventions; every other query parameter
 * is handed to node-postgres unchanged (sslmode, application_name, ...).
 */

export type DatabaseProvider = 'sqlite' | 'postgresql';

export interface SqliteTarget {
  provider: 'sqlite';
  /** Absolute path of the database file. */
  filePath: string;
}

export interface PostgresTarget {
  provider: 'postgresql';
  /** The URL for node-postgres: the original minus the Prisma-only parameters. */
  connectionString: string;
  /** Schema holding the tables (Prisma's `?schema=`); undefined means the server's search_path. */
  schema: string | undefined;
  /** Pool size (Prisma's `?connection_limit=`); undefined means the driver default chosen here. */
  connectionLimit: number | undefined;
}

export type DatabaseTarget = SqliteTarget | PostgresTarget;

export class DatabaseUrlError extends Error {
  readonly code = 'invalid_database_url';
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUrlError';
  }
}

// PostgreSQL identifiers are at most 63 bytes. Quoting makes most names legal, but a schema name
// arrives from configuration and is interpolated into DDL, so allow only the plain kind.
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function parseDatabaseUrl(url: string, options: { cwd?: string } = {}): DatabaseTarget {
  const trimmed = url.trim();
  if (trimmed === '') throw new DatabaseUrlError('database URL is empty');
  if (trimmed.startsWith('file:')) return parseSqliteUrl(trimmed, options.cwd ?? process.cwd());
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return parsePostgresUrl(trimmed);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(trimmed)?.[1];
  throw new DatabaseUrlError(
    `${scheme ? `unsupported database URL scheme "${scheme}:"` : 'malformed database URL'}; ` +
      'expected file:./path/to/portal.db (SQLite) or postgresql://user:password@host:5432/database',
  );
}

function parseSqliteUrl(url: string, cwd: string): SqliteTarget {
  let rest = url.slice('file:'.length);
  if (rest.includes('?') || rest.includes('#')) {
    throw new DatabaseUrlError('SQLite URLs take no parameters: use file:./path/to/portal.db');
  }
  if (rest.startsWith('//')) {
    // file:///abs/path has an empty host; file://host/path names a remote host we cannot use.
    if (!rest.startsWith('///')) {
      throw new DatabaseUrlError('SQLite URL must not name a host: use file:./relative.db or file:///absolute.db');
    }
    rest = rest.slice(2);
  }
  const filePath = decodePercent(rest);
  if (filePath === '' || filePath.endsWith('/') || filePath.endsWith(path.sep)) {
    throw new DatabaseUrlError('SQLite URL must name a file, e.g. file:./data/portal.db');
  }
  if (filePath === ':memory:' || filePath.startsWith(':memory:')) {
    // Every connection would see its own empty database: migrations would land in one the app
    // never reads.
    throw new DatabaseUrlError('in-memory SQLite is not supported: use a file, e.g. file:./data/portal.db');
  }
  return { provider: 'sqlite', filePath: path.resolve(cwd, filePath) };
}

function parsePostgresUrl(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUrlError('malformed PostgreSQL URL; expected postgresql://user:password@host:5432/database');
  }
  // A socket directory can come as ?host=/var/run/postgresql instead of a hostname.
  if (parsed.hostname === '' && !parsed.searchParams.get('host')) {
    throw new DatabaseUrlError('PostgreSQL URL has no host; expected postgresql://user:password@host:5432/database');
  }
  if (parsed.port !== '' && !(Number(parsed.port) >= 1 && Number(parsed.port) <= 65535)) {
    throw new DatabaseUrlError(`PostgreSQL URL has an invalid port "${parsed.port}"`);
  }
  if (parsed.pathname.length > 1 && parsed.pathname.slice(1).includes('/')) {
    throw new DatabaseUrlError('PostgreSQL URL path must be a single database name');
  }

  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new DatabaseUrlError(
      'PostgreSQL URL parameter "schema" must be letters, digits and underscores (at most 63), starting with a letter or underscore',
    );
  }
  const limitText = parsed.searchParams.get('connection_limit') ?? undefined;
  let connectionLimit: number | undefined;
  if (limitText !== undefined) {
    connectionLimit = Number(limitText);
    if (!Number.isInteger(connectionLimit) || connectionLimit < 1 || connectionLimit > 1000) {
      throw new DatabaseUrlError('PostgreSQL URL parameter "connection_limit" must be an integer from 1 to 1000');
    }
  }
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('connection_limit');
  return { provider: 'postgresql', connectionString: parsed.toString(), schema, connectionLimit };
}

function decodePercent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new DatabaseUrlError('SQLite URL contains an invalid percent-encoding');
  }
}

/** A description safe for logs and error messages: never includes a password. */
export function describeDatabase(target: DatabaseTarget): string {
  if (target.provider === 'sqlite') return `SQLite ${target.filePath}`;
  const u = new URL(target.connectionString);
  const host = u.hostname || u.searchParams.get('host') || 'localhost';
  const db = decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || '(default)';
  return `PostgreSQL ${host}:${u.port || '5432'}/${db}${target.schema ? ` schema ${target.schema}` : ''}`;
}
