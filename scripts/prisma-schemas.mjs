// The PostgreSQL schema is derived from the SQLite source schema so the two can never describe
// different models. Pure functions and paths only; the CLIs live in prisma-sync-schemas.mjs and
// prisma-generate.mjs, and server/src/db/schema-drift.test.ts checks the checked-in copy.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Both schemas, source first. Paths are relative to the repository root. */
export const schemas = [
  { provider: 'sqlite', schema: 'prisma/schema.prisma' },
  { provider: 'postgresql', schema: 'prisma/postgresql/schema.prisma' },
];

const GENERATED_NOTICE = `${[
  '// GENERATED from prisma/schema.prisma by `node scripts/prisma-sync-schemas.mjs`. Do not edit:',
  '// change the source schema and re-run the script (a unit test fails while the two differ).',
  '',
].join('\n')}\n`;

/** Replaces exactly one occurrence, so a reworded source schema fails loudly instead of drifting. */
function replaceOnce(text, pattern, replacement, what) {
  const matches = text.match(new RegExp(pattern.source, 'gm'));
  if (matches?.length !== 1) {
    throw new Error(`prisma/schema.prisma: expected exactly one ${what}, found ${matches?.length ?? 0}`);
  }
  return text.replace(new RegExp(pattern.source, 'm'), replacement);
}

/** Renders prisma/postgresql/schema.prisma from the text of prisma/schema.prisma. */
export function renderPostgresSchema(sourceText) {
  // Drop the source's leading comment block: it describes the source, not the copy.
  const body = sourceText.replace(/^(\/\/[^\n]*\n)+\n?/, '');
  let out = replaceOnce(body, /^(\s*provider\s*=\s*)"sqlite"/, '$1"postgresql"', 'provider = "sqlite" line');
  out = replaceOnce(
    out,
    /^(\s*output\s*=\s*)"\.\.\/server\/src\/generated\/prisma-sqlite"/,
    '$1"../../server/src/generated/prisma-postgresql"',
    'generator output "../server/src/generated/prisma-sqlite"',
  );
  return GENERATED_NOTICE + out;
}
