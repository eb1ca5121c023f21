#!/usr/bin/env node
// Generates both Prisma clients (SQLite and PostgreSQL) offline. Runs on every `npm ci` through
// `postinstall`, so it must be quick and must never reach for the network:
// - the Prisma CLI insists on a native schema engine before any command and would download one;
//   generation does not use it, so PRISMA_SCHEMA_ENGINE_BINARY points at a stub that exists (the
//   CLI only checks that) and fails loudly if anything ever ran it;
// - CHECKPOINT_DISABLE stops the CLI's usage/update check, the only other network access.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { renderPostgresSchema, repoRoot, schemas } from './prisma-schemas.mjs';

const require = createRequire(import.meta.url);

function prismaCliPath() {
  try {
    return path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
  } catch {
    return null;
  }
}

function generate(cli, schema) {
  const env = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(repoRoot, 'scripts', 'prisma-schema-engine-stub.mjs'),
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'generate', '--schema', schema], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`prisma generate --schema ${schema} failed (exit ${code}):\n${output.trim()}`));
    });
  });
}

async function main() {
  const cli = prismaCliPath();
  if (!cli) {
    // A production install (`npm ci --omit=dev`) has no Prisma CLI; its clients were generated and
    // compiled at build time.
    console.log('prisma-generate: Prisma CLI not installed, skipping client generation');
    return;
  }
  // Refuse to generate from a stale PostgreSQL schema: the two clients would disagree.
  const [source, derived] = schemas.map((s) => path.join(repoRoot, s.schema));
  if (fs.readFileSync(derived, 'utf8') !== renderPostgresSchema(fs.readFileSync(source, 'utf8'))) {
    throw new Error('prisma/postgresql/schema.prisma is stale: run `node scripts/prisma-sync-schemas.mjs`');
  }
  const started = Date.now();
  await Promise.all(schemas.map((s) => generate(cli, s.schema)));
  console.log(
    `prisma-generate: generated ${schemas.map((s) => s.provider).join(' and ')} clients in ${Date.now() - started} ms`,
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
