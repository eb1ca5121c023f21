#!/usr/bin/env node
// Stand-in for Prisma's native schema engine during `prisma generate` only (see
// prisma-generate.mjs). The CLI merely checks that the file exists; generation itself needs no
// engine. Should anything ever run it, fail loudly instead of letting a migration silently do
// nothing.
console.error(
  'The Prisma schema engine is not available in this offline setup. ' +
    'Apply migrations with `npm run db:migrate` (see prisma/README.md).',
);
process.exit(1);
