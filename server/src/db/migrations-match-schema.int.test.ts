import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabaseUrls } from '../../test/test-databases.ts';
import { type DatabaseProvider, parseDatabaseUrl } from './database-url.ts';
import { findProjectRoot } from './migration-files.ts';

/**
 * The migrations are written by hand (the Prisma CLI cannot run offline), so this proves they
 * build exactly the tables prisma/schema.prisma describes, with Prisma's names: after applying
 * every migration to an empty database, the database's tables, columns (type, nullability),
 * primary keys, indexes (name, uniqueness, column order) and foreign keys (name, target, actions)
 * must equal what Prisma would create for the schema, and nothing else may exist. Adding a model
 * or field without a migration, or a migration that differs from the schema, fails here.
 *
 * The schema reader below understands what this project uses (scalar fields, @id, @unique,
 * @default, @@index, @@unique, relations); anything else (e.g. @map, @db.*) fails loudly so the
 * reader gets extended rather than silently ignoring it.
 */

type Scalar = 'String' | 'Int' | 'BigInt' | 'Boolean' | 'DateTime' | 'Float' | 'Decimal' | 'Bytes' | 'Json';

interface Shape {
  /** PostgreSQL enum types and their values (SQLite stores enums as TEXT). */
  enums: Record<string, string[]>;
  tables: Record<
    string,
    {
      columns: Record<string, { type: string; nullable: boolean }>;
      primaryKey: string[];
      indexes: Record<string, { unique: boolean; columns: string[] }>;
      foreignKeys: Record<
        string,
        { columns: string[]; table: string; references: string[]; onDelete: string; onUpdate: string }
      >;
    }
  >;
}

const COLUMN_TYPES: Record<DatabaseProvider, Record<Scalar, string>> = {
  sqlite: {
    String: 'TEXT',
    Int: 'INTEGER',
    BigInt: 'BIGINT',
    Boolean: 'BOOLEAN',
    DateTime: 'DATETIME',
    Float: 'REAL',
    Decimal: 'DECIMAL',
    Bytes: 'BLOB',
    Json: 'JSONB',
  },
  postgresql: {
    String: 'text',
    Int: 'integer',
    BigInt: 'bigint',
    Boolean: 'boolean',
    DateTime: 'timestamp(3) without time zone',
    Float: 'double precision',
    Decimal: 'numeric(65,30)',
    Bytes: 'bytea',
    Json: 'jsonb',
  },
};

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim().replace(/\(.*\)$/, ''))
    .filter(Boolean);

/** What Prisma creates for the models of `schemaText` on `provider`. */
function expectedShape(schemaText: string, provider: DatabaseProvider): Shape {
  const blocks = [...schemaText.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(blocks.map((b) => b[1]!));
  const enums = Object.fromEntries(
    [...schemaText.matchAll(/^enum\s+(\w+)\s*\{([\s\S]*?)^\}/gm)].map(([, name, body]) => [
      name!,
      body!
        .split('\n')
        .map((line) => line.replace(/\/\/.*$/, '').trim())
        .filter((line) => line !== ''),
    ]),
  );
  const shape: Shape = { enums: provider === 'postgresql' ? enums : {}, tables: {} };

  for (const [, model, body] of blocks) {
    const table: Shape['tables'][string] = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: {} };
    shape.tables[model!] = table;
    for (const raw of body!.split('\n')) {
      const line = raw.replace(/\/\/.*$/, '').trim();
      if (line === '') continue;
      if (line.startsWith('@@')) {
        const attr = /^@@(\w+)\(\[([^\]]*)\]/.exec(line);
        if (!attr) throw new Error(`unsupported block attribute in ${model}: ${line}`);
        const columns = list(attr[2]!);
        if (attr[1] === 'index') table.indexes[`${model}_${columns.join('_')}_idx`] = { unique: false, columns };
        else if (attr[1] === 'unique') table.indexes[`${model}_${columns.join('_')}_key`] = { unique: true, columns };
        else if (attr[1] === 'id') table.primaryKey = columns;
        else throw new Error(`unsupported block attribute in ${model}: ${line}`);
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!field) throw new Error(`cannot read field in ${model}: ${line}`);
      const [, name, type, isList, optional, attrs] = field;
      if (/@map|@db\.|@@map/.test(attrs!))
        throw new Error(`unsupported attribute in ${model}.${name}: extend this test`);
      if (modelNames.has(type!)) {
        if (isList) continue;
        const relation = /@relation\(([^)]*)\)/.exec(attrs!)?.[1] ?? '';
        const fields = /fields:\s*\[([^\]]*)\]/.exec(relation)?.[1];
        const references = /references:\s*\[([^\]]*)\]/.exec(relation)?.[1];
        if (!fields || !references) continue; // the other side of a one-to-one
        const columns = list(fields);
        const onDelete = /onDelete:\s*(\w+)/.exec(relation)?.[1] ?? (optional ? 'SetNull' : 'Restrict');
        const onUpdate = /onUpdate:\s*(\w+)/.exec(relation)?.[1] ?? 'Cascade';
        const action = (a: string) =>
          a
            .replace(/([a-z])([A-Z])/g, '$1 $2')
            .toUpperCase()
            .replace('NO ACTION', 'NO ACTION');
        table.foreignKeys[`${model}_${columns.join('_')}_fkey`] = {
          columns,
          table: type!,
          references: list(references),
          onDelete: action(onDelete),
          onUpdate: action(onUpdate),
        };
        continue;
      }
      if (isList) throw new Error(`scalar lists are not supported on SQLite: ${model}.${name}`);
      const columnType =
        type! in enums ? (provider === 'sqlite' ? 'TEXT' : `"${type}"`) : COLUMN_TYPES[provider][type as Scalar];
      if (!columnType) throw new Error(`unknown type ${type} in ${model}.${name}`);
      table.columns[name!] = { type: columnType, nullable: optional === '?' };
      if (/@id\b/.test(attrs!)) table.primaryKey = [name!];
      if (/@unique\b/.test(attrs!)) table.indexes[`${model}_${name}_key`] = { unique: true, columns: [name!] };
    }
  }
  return shape;
}

function sqliteShape(filePath: string): Shape {
  const db = new BetterSqlite3(filePath, { readonly: true });
  try {
    const shape: Shape = { enums: {}, tables: {} };
    const tables = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'",
      )
      .all() as Array<{ name: string; sql: string }>;
    for (const { name, sql } of tables) {
      const columns = db.pragma(`table_info("${name}")`) as Array<{
        name: string;
        type: string;
        notnull: number;
        pk: number;
      }>;
      const indexes = db.pragma(`index_list("${name}")`) as Array<{ name: string; unique: number; origin: string }>;
      const fks = db.pragma(`foreign_key_list("${name}")`) as Array<{
        id: number;
        table: string;
        from: string;
        to: string;
        on_delete: string;
        on_update: string;
      }>;
      const fkNames = [...sql.matchAll(/CONSTRAINT "([^"]+)" FOREIGN KEY/g)].map((m) => m[1]!);
      const byId = new Map<number, typeof fks>();
      for (const fk of fks) byId.set(fk.id, [...(byId.get(fk.id) ?? []), fk]);
      shape.tables[name] = {
        columns: Object.fromEntries(
          columns.map((c) => [c.name, { type: c.type, nullable: c.notnull === 0 && c.pk === 0 }]),
        ),
        primaryKey: columns
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => c.name),
        indexes: Object.fromEntries(
          indexes
            .filter((i) => i.origin === 'c')
            .map((i) => [
              i.name,
              {
                unique: i.unique === 1,
                columns: (db.pragma(`index_info("${i.name}")`) as Array<{ name: string }>).map((c) => c.name),
              },
            ]),
        ),
        // foreign_key_list numbers constraints in reverse order of declaration.
        foreignKeys: Object.fromEntries(
          [...byId.values()].reverse().map((parts, index) => [
            fkNames[index] ?? `unnamed_${index}`,
            {
              columns: parts.map((p) => p.from),
              table: parts[0]!.table,
              references: parts.map((p) => p.to),
              onDelete: parts[0]!.on_delete,
              onUpdate: parts[0]!.on_update,
            },
          ]),
        ),
      };
    }
    return shape;
  } finally {
    db.close();
  }
}

async function postgresShape(connectionString: string): Promise<Shape> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const q = async <T extends object>(sql: string) => (await client.query<T & pg.QueryResultRow>(sql)).rows;
    const shape: Shape = { enums: {}, tables: {} };
    for (const e of await q<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace ns ON ns.oid = t.typnamespace
        WHERE ns.nspname = 'public' GROUP BY t.typname`,
    )) {
      shape.enums[e.name] = e.labels;
    }
    for (const { table_name } of await q<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'",
    )) {
      shape.tables[table_name] = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: {} };
    }
    for (const c of await q<{ table_name: string; column_name: string; type: string; is_nullable: string }>(
      `SELECT c.table_name, c.column_name, format_type(a.atttypid, a.atttypmod) AS type, c.is_nullable
         FROM information_schema.columns c
         JOIN pg_attribute a ON a.attrelid = format('public.%I', c.table_name)::regclass AND a.attname = c.column_name
        WHERE c.table_schema = 'public' AND c.table_name <> '_prisma_migrations'`,
    )) {
      shape.tables[c.table_name]!.columns[c.column_name] = { type: c.type, nullable: c.is_nullable === 'YES' };
    }
    for (const i of await q<{
      table_name: string;
      index_name: string;
      unique: boolean;
      primary: boolean;
      columns: string[];
    }>(
      `SELECT t.relname AS table_name, ic.relname AS index_name, ix.indisunique AS unique, ix.indisprimary AS primary,
              array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class ic ON ic.oid = ix.indexrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
        WHERE ns.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
    )) {
      const table = shape.tables[i.table_name]!;
      if (i.primary) {
        expect(i.index_name, 'Prisma names primary keys <Model>_pkey').toBe(`${i.table_name}_pkey`);
        table.primaryKey = i.columns;
      } else {
        table.indexes[i.index_name] = { unique: i.unique, columns: i.columns };
      }
    }
    for (const fk of await q<{
      table_name: string;
      name: string;
      columns: string[];
      target: string;
      references: string[];
      on_delete: string;
      on_update: string;
    }>(
      `SELECT t.relname AS table_name, con.conname AS name, rt.relname AS target,
              array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns,
              array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS references,
              rc.delete_rule AS on_delete, rc.update_rule AS on_update
         FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class rt ON rt.oid = con.confrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
         JOIN information_schema.referential_constraints rc ON rc.constraint_name = con.conname AND rc.constraint_schema = ns.nspname
        WHERE con.contype = 'f' AND ns.nspname = 'public'`,
    )) {
      shape.tables[fk.table_name]!.foreignKeys[fk.name] = {
        columns: fk.columns,
        table: fk.target,
        references: fk.references,
        onDelete: fk.on_delete,
        onUpdate: fk.on_update,
      };
    }
    return shape;
  } finally {
    await client.end();
  }
}

describe.each(testDatabaseUrls())('committed migrations build the schema on $name', ({ name: provider, create }) => {
  const root = findProjectRoot();
  const schemaFile = provider === 'sqlite' ? 'prisma/schema.prisma' : 'prisma/postgresql/schema.prisma';
  let database: TestDatabase;

  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it(`matches ${schemaFile} exactly`, async () => {
    const expected = expectedShape(fs.readFileSync(path.join(root, schemaFile), 'utf8'), provider);
    const target = parseDatabaseUrl(database.url);
    const actual =
      target.provider === 'sqlite' ? sqliteShape(target.filePath) : await postgresShape(target.connectionString);
    expect(Object.keys(expected.tables).length).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
  });
});
