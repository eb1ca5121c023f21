import { resolve } from 'node:path';
import { DEMO_STATE_PATH, parseCliArgs, runCli, UsageError } from './cli-args.ts';
import { checkRateLimitSettings, type RateLimitSettings } from './http/rate-limit.ts';
import { startEmulator } from './server.ts';

const USAGE = `Usage: npm run emulator -- [--port 4566] [--host 127.0.0.1] [--state <state.json>] [--persist]
                            [--rate-limit <requests per second> [--rate-burst <n>]]

  --port     TCP port (default 4566; 0 picks a free one)
  --host     interface to listen on (default 127.0.0.1)
  --state    state file describing accounts, users, MFA devices, policies and roles
             (default: emulator/demo-state.json)
  --persist  write changes (new keys, MFA devices, ...) back to the state file
  --rate-limit  IAM requests per second per account (a token bucket); faster callers get
                400 Throttling "Rate exceeded" (default: no limit)
  --rate-burst  the bucket's size: requests allowed at once (default: the rate, at least 1)`;

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2), {
    port: { type: 'string', default: '4566' },
    host: { type: 'string', default: '127.0.0.1' },
    state: { type: 'string' },
    persist: { type: 'boolean', default: false },
    'rate-limit': { type: 'string' },
    'rate-burst': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!/^\d{1,5}$/.test(args.port) || Number(args.port) > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535, got "${args.port}"`);
  const statePath = resolve(args.state ?? DEMO_STATE_PATH);
  const rateLimit = parseRateLimit(args['rate-limit'], args['rate-burst']);

  const emulator = await startEmulator({
    port: Number(args.port),
    host: args.host,
    state: statePath,
    ...(args.persist ? { persistPath: statePath } : {}),
    ...(rateLimit ? { rateLimit } : {}),
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

function parseRateLimit(rate: string | undefined, burst: string | undefined): RateLimitSettings | undefined {
  if (rate === undefined) {
    if (burst !== undefined) throw new UsageError('--rate-burst needs --rate-limit');
    return undefined;
  }
  if (!/^\d+(\.\d+)?$/.test(rate)) throw new UsageError(`--rate-limit must be a positive number, got "${rate}"`);
  if (burst !== undefined && !/^\d+$/.test(burst))
    throw new UsageError(`--rate-burst must be a positive integer, got "${burst}"`);
  const settings = {
    requestsPerSecond: Number(rate),
    burst: burst ? Number(burst) : Math.max(1, Math.ceil(Number(rate))),
  };
  try {
    return checkRateLimitSettings(settings);
  } catch (error) {
    throw new UsageError(`--rate-limit/--rate-burst: ${(error as Error).message}`);
  }
}

runCli(USAGE, main);
