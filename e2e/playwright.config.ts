import { defineConfig, devices } from '@playwright/test';

/**
 * Browser tests against the built portal, started by e2e/support/start-stack.ts (the local AWS
 * emulator plus the portal on a throwaway SQLite database). Playwright cannot download browsers
 * here, so it drives Debian's Chromium; CHROMIUM_PATH overrides the location.
 */
const port = Number(process.env.E2E_PORT ?? 3917);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'chromium', testIgnore: '**/lockout.spec.ts', use: { ...devices['Desktop Chrome'], channel: undefined } },
    // Wrong codes lock the test machine's address out of sign-in for a while: run those last.
    {
      name: 'lockout',
      testMatch: '**/lockout.spec.ts',
      dependencies: ['chromium'],
      use: { ...devices['Desktop Chrome'], channel: undefined },
    },
  ],
  webServer: {
    command: 'node --import tsx e2e/support/start-stack.ts',
    cwd: '..',
    url: `${baseURL}/readyz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { E2E_PORT: String(port) },
  },
});
