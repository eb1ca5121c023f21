import { fileURLToPath } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** The demo organisation shipped with the emulator. */
export const DEMO_STATE_PATH = fileURLToPath(new URL('../demo-state.json', import.meta.url));

/** A command-line mistake: the CLIs print it with their usage and exit with status 2. */
export class UsageError extends Error {}

/** node:util parseArgs with its errors turned into UsageError (no stack traces for typos). */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function runCli(usage: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${usage}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
