#!/usr/bin/env node
// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma. `--check` only compares
// (exit 1 when the checked-in copy is stale), for CI and pre-commit use.
import fs from 'node:fs';
import path from 'node:path';
import { renderPostgresSchema, repoRoot, schemas } from './prisma-schemas.mjs';

const [source, target] = schemas.map((s) => path.join(repoRoot, s.schema));
const expected = renderPostgresSchema(fs.readFileSync(source, 'utf8'));
const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;

if (process.argv.includes('--check')) {
  if (current !== expected) {
    console.error('prisma/postgresql/schema.prisma is stale: run `node scripts/prisma-sync-schemas.mjs`');
    process.exit(1);
  }
  console.log('prisma/postgresql/schema.prisma is up to date');
} else if (current === expected) {
  console.log('prisma/postgresql/schema.prisma is up to date');
} else {
  fs.writeFileSync(target, expected);
  console.log('wrote prisma/postgresql/schema.prisma');
}
