import { resolve } from 'node:path';
import { DEMO_STATE_PATH, parseCliArgs, runCli, UsageError } from './cli-args.ts';
import { startEmulator } from './server.ts';

const USAGE = `Usage: npm run emulator -- [--port 4566] [--host 127.0.0.1] [--state <state.json>] [--persist]

  --port     TCP port (default 4566; 0 picks a free one)
  --host     interface to listen on (default 127.0.0.1)
  --state    state file describing accounts, users, MFA devices, policies and roles
             (default: emulator/demo-state.json)
  --persist  write changes (new keys, MFA devices, ...) back to the state file`;

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2), {
    port: { type: 'string', default: '4566' },
    host: { type: 'string', default: '127.0.0.1' },
    state: { type: 'string' },
    persist: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!/^\d{1,5}$/.test(args.port) || Number(args.port) > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535, got "${args.port}"`);
  const statePath = resolve(args.state ?? DEMO_STATE_PATH);

  const emulator = await startEmulator({
    port: Number(args.port),
    host: args.host,
    state: statePath,
    ...(args.persist ? { persistPath: statePath } : {}),
  });
  process.stdout.write(
    `AWS STS/IAM emulator listening on ${emulator.url} (state: ${statePath}${args.persist ? ', persisting' : ''})\n`,
  );

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stdout.write(`${signal} received, closing\n`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

runCli(USAGE, main);
