/**
 * `npm run bench [-- <name>]`: runs the benchmarks (all by default) and writes their results to
 * bench/results/<name>.json. Benchmarks measure; nothing here asserts timing.
 */
const BENCHMARKS: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  'compliance-scan': () => import('./compliance-scan.bench.ts'),
  issuance: () => import('./issuance.bench.ts'),
  'audit-search': () => import('./audit-search.bench.ts'),
  'oneshot-cli': () => import('./oneshot-cli.bench.ts'),
  memory: () => import('./memory.bench.ts'),
  web: () => import('./web.bench.ts'),
  'cli-cache': () => import('./cli-cache.bench.ts'),
};

const [name, ...rest] = process.argv.slice(2);
const selected = name && !name.startsWith('-') ? [name] : Object.keys(BENCHMARKS);
for (const benchmark of selected) {
  const load = BENCHMARKS[benchmark];
  if (!load) {
    console.error(`Unknown benchmark "${benchmark}". Available: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(2);
  }
  console.log(`== ${benchmark}`);
  await (await load()).run(name && !name.startsWith('-') ? rest : process.argv.slice(2));
}
process.exit(0);
