import { describe, expect, it } from 'vitest';
import { DatabaseUrlError, describeDatabase, parseDatabaseUrl } from './database-url.ts';

const cwd = '/srv/portal';

describe('parseDatabaseUrl', () => {
  it('resolves a relative SQLite path against the working directory', () => {
    expect(parseDatabaseUrl('file:./data/portal.db', { cwd })).toEqual({
      provider: 'sqlite',
      filePath: '/srv/portal/data/portal.db',
    });
    expect(parseDatabaseUrl('file:portal.db', { cwd })).toEqual({
      provider: 'sqlite',
      filePath: '/srv/portal/portal.db',
    });
  });

  it('accepts absolute SQLite paths in both file: forms', () => {
    expect(parseDatabaseUrl('file:/var/lib/portal/portal.db', { cwd })).toMatchObject({
      filePath: '/var/lib/portal/portal.db',
    });
    expect(parseDatabaseUrl('file:///var/lib/portal/portal.db', { cwd })).toMatchObject({
      filePath: '/var/lib/portal/portal.db',
    });
    expect(parseDatabaseUrl('file:/var/lib/my%20portal.db', { cwd })).toMatchObject({
      filePath: '/var/lib/my portal.db',
    });
  });

  it.each([
    ['file:', 'must name a file'],
    ['file:./data/', 'must name a file'],
    ['file::memory:', 'in-memory SQLite is not supported'],
    ['file:./portal.db?mode=ro', 'take no parameters'],
    ['file://server/share/portal.db', 'must not name a host'],
    ['file:/x/%E0%A4%A.db', 'invalid percent-encoding'],
  ])('rejects the SQLite URL %s', (url, message) => {
    expect(() => parseDatabaseUrl(url, { cwd })).toThrow(message);
  });

  it('accepts postgres:// and postgresql:// and keeps driver parameters', () => {
    const target = parseDatabaseUrl('postgres://portal:s3cret@db.internal:5433/portal?sslmode=require');
    expect(target).toEqual({
      provider: 'postgresql',
      connectionString: 'postgres://portal:s3cret@db.internal:5433/portal?sslmode=require',
      schema: undefined,
      connectionLimit: undefined,
    });
    expect(parseDatabaseUrl('postgresql://db/portal').provider).toBe('postgresql');
    expect(parseDatabaseUrl('POSTGRESQL://db/portal').provider).toBe('postgresql');
  });

  it("takes Prisma's schema and connection_limit parameters out of the driver URL", () => {
    expect(
      parseDatabaseUrl('postgresql://u@db/portal?schema=audit_2&connection_limit=4&application_name=portal'),
    ).toEqual({
      provider: 'postgresql',
      connectionString: 'postgresql://u@db/portal?application_name=portal',
      schema: 'audit_2',
      connectionLimit: 4,
    });
  });

  it('accepts a socket directory given as ?host=', () => {
    expect(parseDatabaseUrl('postgresql:///portal?host=/var/run/postgresql').provider).toBe('postgresql');
  });

  it.each([
    ['postgresql://', 'has no host'],
    ['postgresql://[db/portal', 'malformed PostgreSQL URL'],
    ['postgresql:///portal', 'has no host'],
    ['postgresql://db:99999/portal', 'malformed PostgreSQL URL'],
    ['postgresql://db/portal/extra', 'single database name'],
    ['postgresql://db/portal?schema=a;drop', 'parameter "schema"'],
    ['postgresql://db/portal?schema=', 'parameter "schema"'],
    ['postgresql://db/portal?connection_limit=0', '"connection_limit"'],
    ['postgresql://db/portal?connection_limit=ten', '"connection_limit"'],
  ])('rejects the PostgreSQL URL %s', (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(message);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['nonsense', 'malformed database URL'],
    ['./data/portal.db', 'malformed database URL'],
    ['mysql://db/portal', 'unsupported database URL scheme "mysql:"'],
    ['sqlite:./portal.db', 'unsupported database URL scheme "sqlite:"'],
  ])('rejects %j with a DatabaseUrlError naming what is accepted', (url, message) => {
    let caught: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatabaseUrlError);
    expect((caught as DatabaseUrlError).code).toBe('invalid_database_url');
    expect((caught as Error).message).toContain(message);
  });

  it('never echoes a password in its messages', () => {
    for (const url of [
      'postgresql://u:hunter2@db/p/x',
      'postgresql://u:hunter2@db/p?schema=bad-name',
      'postgresql://u:hunter2@db:0/p',
    ]) {
      expect(() => parseDatabaseUrl(url)).toThrow(DatabaseUrlError);
      try {
        parseDatabaseUrl(url);
      } catch (error) {
        expect((error as Error).message).not.toContain('hunter2');
      }
    }
  });
});

describe('describeDatabase', () => {
  it('names the database without the password', () => {
    expect(describeDatabase(parseDatabaseUrl('postgresql://portal:hunter2@db.internal/portal?schema=s1'))).toBe(
      'PostgreSQL db.internal:5432/portal schema s1',
    );
    expect(describeDatabase(parseDatabaseUrl('file:./data/portal.db', { cwd }))).toBe(
      'SQLite /srv/portal/data/portal.db',
    );
  });
});
