import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPostgresSchema } from '../../../scripts/prisma-schemas.mjs';
import { findProjectRoot, readMigrations } from './migration-files.ts';

// The PostgreSQL schema and migrations are kept in step with the SQLite source by hand or by
// script; these checks fail the build when someone changes one side only.
const root = findProjectRoot();
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('schemas and migrations stay in step', () => {
  it('prisma/postgresql/schema.prisma is generated from prisma/schema.prisma', () => {
    expect(read('prisma/postgresql/schema.prisma'), 'run `node scripts/prisma-sync-schemas.mjs`').toBe(
      renderPostgresSchema(read('prisma/schema.prisma')),
    );
  });

  it('every migration exists for both providers under the same name', () => {
    const sqlite = readMigrations(path.join(root, 'prisma/migrations'), 'sqlite').map((m) => m.name);
    const postgres = readMigrations(path.join(root, 'prisma/postgresql/migrations'), 'postgresql').map((m) => m.name);
    expect(sqlite.length).toBeGreaterThan(0);
    expect(postgres).toEqual(sqlite);
  });

  it('migration folders follow Prisma naming (<14-digit timestamp>_<snake_case name>)', () => {
    for (const dir of ['prisma/migrations', 'prisma/postgresql/migrations']) {
      for (const migration of readMigrations(
        path.join(root, dir),
        dir.includes('postgresql') ? 'postgresql' : 'sqlite',
      )) {
        expect(migration.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
      }
    }
  });
});
