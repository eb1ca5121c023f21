import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Two server-side tiers: unit tests (`*.test.ts`, next to the code, no I/O) and integration tests
// (`*.int.test.ts`: the real app, the emulator over HTTP, real databases). e2e lives in e2e/.
export default defineConfig({
  test: {
    projects: [
      {
        // Compiles the web's `*.svelte.ts` state classes (runes) so their tests can import them. Node
        // tests get Svelte's server build, where `$state` fields are plain fields: enough for state logic.
        plugins: [svelte({ configFile: fileURLToPath(new URL('./web/svelte.config.js', import.meta.url)) })],
        test: {
          name: 'unit',
          include: [
            'server/**/*.test.ts',
            'emulator/**/*.test.ts',
            'bin/**/*.test.ts',
            'scripts/**/*.test.ts',
            'web/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/*.resilience.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['server/**/*.int.test.ts', 'emulator/**/*.int.test.ts', 'scripts/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Tests that start servers and databases share two cores: keep files in separate forks.
          pool: 'forks',
        },
      },
      {
        // Scale-out, fault and fuzz suites (`*.resilience.test.ts`): built portal processes behind
        // HAProxy, a PostgreSQL of their own, AWS faults; `npm test` runs them after the build.
        test: {
          name: 'resilience',
          include: ['server/test/resilience/**/*.resilience.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
    ],
  },
});
