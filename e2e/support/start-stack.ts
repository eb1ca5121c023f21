import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { testRunLogFile } from '../../emulator/src/secret-ledger.ts';

/**
 * Starts the built demo for the browser tests: the local AWS emulator (demo organisation) and
 * the built portal on a throwaway SQLite database, with the demo users enrolled and the roles
 * in the catalog, exactly as `npm run demo` does. The demo removes its database when stopped.
 */
const port = process.env.E2E_PORT ?? '3917';
// During `npm test` the demo logs at debug level into the run folder, for the secrets sweep;
// its errors still reach Playwright's output.
const logFile = testRunLogFile('e2e-demo');

const demo = spawn(
  process.execPath,
  ['dist/server/src/demo.js', '--port', port, '--emulator-port', process.env.E2E_EMULATOR_PORT ?? '0'],
  {
    stdio: logFile ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? (logFile ? 'debug' : 'warn'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // One browser clicks through every screen at machine speed from one address; the ceiling
      // itself is tested in server/test/request-ceiling.int.test.ts.
      API_REQUESTS_PER_MINUTE: '100000',
    },
  },
);

if (logFile) {
  const log = createWriteStream(logFile, { flags: 'a' });
  demo.stdout?.pipe(log);
  demo.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    process.stderr.write(chunk);
  });
}

const stop = (signal: NodeJS.Signals) => demo.kill(signal);
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
demo.on('exit', (code) => process.exit(code ?? 0));
