import path from 'node:path';
import { defineConfig } from 'prisma/config';

/**
 * For the Prisma CLI on a connected machine (`npx prisma migrate status`, `migrate diff`, ...).
 * The portal itself never uses this file: it migrates with server/src/db/migrator.ts, which needs
 * no schema engine. DATABASE_URL picks the schema and migrations folder, as it picks the
 * database at run time; a relative SQLite path is resolved against the working directory, like
 * the portal does, so both name the same file.
 */
const url = process.env.DATABASE_URL?.trim() || 'file:./data/portal.db';
const postgres = /^postgres(ql)?:\/\//i.test(url);

export default defineConfig({
  schema: postgres ? 'prisma/postgresql/schema.prisma' : 'prisma/schema.prisma',
  migrations: { path: postgres ? 'prisma/postgresql/migrations' : 'prisma/migrations' },
  datasource: {
    url:
      postgres || !url.startsWith('file:')
        ? url
        : `file:${path.resolve(url.slice('file:'.length).replace(/^\/\/(?=\/)/, ''))}`,
  },
});
