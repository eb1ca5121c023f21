import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Starts the built portal for the browser tests on a throwaway SQLite database, exactly as
 * `npm start` would (migrations on start), and removes the database when Playwright stops it.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'portal-e2e-'));
const port = process.env.E2E_PORT ?? '3917';

const portal = spawn(process.execPath, ['dist/server/src/server.js'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: port,
    DATABASE_URL: `file:${path.join(dataDir, 'portal.db')}`,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
  },
});

const stop = (signal: NodeJS.Signals) => {
  portal.kill(signal);
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));

portal.on('exit', (code) => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
