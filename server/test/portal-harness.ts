import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { RateLimitSettings } from '../../emulator/src/http/rate-limit.ts';
import { secretLedgerFromEnv, testRunLogFile } from '../../emulator/src/secret-ledger.ts';
import { type RunningEmulator, startEmulator } from '../../emulator/src/server.ts';
import type { StateFile } from '../../emulator/src/state/state-file.ts';
import { codeAtStep, timeStepAt } from '../../emulator/src/totp.ts';
import { buildApp } from '../src/app.ts';
import { type AwsGateway, createAwsGateway } from '../src/aws/aws-gateway.ts';
import { type Config, loadConfig } from '../src/config/config.ts';
import { type Database, openDatabase } from '../src/db/database.ts';
import { applyMigrations } from '../src/db/migrator.ts';
import { loggerOptions } from '../src/logging.ts';
import { generateMasterKey } from '../src/services/custody/secret-box.ts';
import { recordSecretsCrossing } from './secrets-ledger-hooks.ts';

export const DEMO_STATE_PATH = path.resolve(import.meta.dirname, '../../emulator/demo-state.json');
export const ACCOUNT = '111111111111';

export const demoState = (): StateFile => JSON.parse(readFileSync(DEMO_STATE_PATH, 'utf8')) as StateFile;

export interface PortalHarness {
  app: FastifyInstance;
  emulator: RunningEmulator;
  aws: AwsGateway;
  config: Config;
  database: Database;
  state: StateFile;
  /** A code for the user's first MFA device that the emulator has not seen yet (moves its clock on). */
  nextCode(userName: string): string;
  /** Moves the emulator's clock (AWS's time) forward. */
  advance(seconds: number): void;
  /** The emulator's clock (AWS's time), e.g. for TOTP codes of a device a test creates. */
  now(): Date;
  close(): Promise<void>;
}

export interface HarnessOptions {
  databaseUrl: string;
  state?: StateFile;
  env?: Record<string, string>;
  /** Minimum time before a rejected code is answered; 0 keeps the tests fast. */
  failureFloorMs?: number;
  /** SDK timeouts and attempts (default: the portal's own); fault tests shorten them. */
  aws?: { requestTimeoutMs?: number; maxAttempts?: number };
  /**
   * The app's logger (default: none; during `npm test`, debug lines to a file in the run folder
   * for the secrets sweep).
   */
  logger?: FastifyServerOptions['logger'];
  /** The emulator's IAM request-rate limit per account (default: none). */
  rateLimit?: RateLimitSettings;
  /** Told the operation of every HTTP request the portal sends to AWS (to count calls). */
  onAwsRequest?: (operation: string) => void;
}

/**
 * The real portal (Fastify app, real database, real AWS SDK) in front of the local AWS emulator
 * with the demo organisation. The emulator's clock is the harness's to move, so tests can use a
 * fresh TOTP step for every code instead of waiting 30 s.
 */
export async function startPortalHarness(options: HarnessOptions): Promise<PortalHarness> {
  const state = options.state ?? demoState();
  let clock = Date.now();
  const ledger = secretLedgerFromEnv();
  const logFile = testRunLogFile('portal-harness');
  const logStream = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
  const emulator = await startEmulator({
    state,
    now: () => new Date(clock),
    logError: logStream ? (message, error) => logStream.write(`[emulator] ${message}: ${String(error)}\n`) : () => {},
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  });
  const portalUser = state.users.find((u) => u.account === ACCOUNT && u.name === 'portal');
  const portalKey = portalUser?.accessKeys?.[0];
  if (!portalKey) throw new Error('the state needs a `portal` user with an access key');
  const aws = createAwsGateway({
    region: 'us-east-1',
    stsEndpoint: emulator.url,
    iamEndpoint: emulator.url,
    portalCredentials: { accessKeyId: portalKey.id, secretAccessKey: portalKey.secret },
    ...options.aws,
    ...(options.onAwsRequest ? { onRequest: options.onAwsRequest } : {}),
  });
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    PORTAL_MASTER_KEY: generateMasterKey(),
    LOG_LEVEL: 'silent',
    GROUP_CACHE_SECONDS: '0',
    MFA_FAILURE_FLOOR_MS: String(options.failureFloorMs ?? 0),
    CONSOLE_FEDERATION_URL_AWS: `${emulator.url}/federation`,
    ...options.env,
  });
  for (const masterKey of [config.masterKey, ...config.previousMasterKeys]) {
    for (const encoding of ['base64', 'base64url', 'hex'] as const)
      ledger?.record('master_key', masterKey?.key.toString(encoding));
  }
  await applyMigrations(config.databaseUrl);
  const database = await openDatabase(config.databaseUrl);
  const app = await buildApp({
    config,
    database,
    aws,
    logger: logStream ? alsoLoggingTo(logStream, options.logger) : (options.logger ?? false),
  });
  if (ledger) recordSecretsCrossing(app, ledger);
  await app.ready();

  const usedStep = new Map<string, number>();
  const nextCode = (userName: string): string => {
    const user = state.users.find((u) => u.account === ACCOUNT && u.name === userName);
    const device = user?.mfaDevices?.[0];
    if (!device || device.type === 'fido') throw new Error(`${userName} has no TOTP device in the test state`);
    // AWS accepts each code once: move to a step this device has not used yet.
    while ((usedStep.get(device.serial) ?? -1) >= timeStepAt(new Date(clock))) clock += 30_000;
    const step = timeStepAt(new Date(clock));
    usedStep.set(device.serial, step);
    const code = codeAtStep(device.seed, step);
    ledger?.record('mfa_code', code);
    return code;
  };
  return {
    app,
    emulator,
    aws,
    config,
    database,
    state,
    nextCode,
    advance(seconds) {
      clock += seconds * 1000;
    },
    now: () => new Date(clock),
    async close() {
      await app.close();
      await database.close();
      await emulator.close();
      await new Promise((resolve) => (logStream ? logStream.end(resolve) : resolve(undefined)));
    },
  };
}

/**
 * The app's logger during `npm test`: the test's own (its lines also go to the run folder's file)
 * or, when the test wants none, debug lines to that file only.
 */
function alsoLoggingTo(file: Writable, logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return { ...(loggerOptions({ logLevel: 'debug' }) as object), stream: file };
  if (typeof logger !== 'object' || !('stream' in logger) || !logger.stream) return logger;
  const own = logger.stream as { write(line: string): void };
  return {
    ...logger,
    stream: {
      write(line: string) {
        own.write(line);
        file.write(line);
      },
    },
  };
}

/** The session cookie from a sign-in response, ready for the next request's `cookie` header. */
export function sessionCookie(response: { cookies: Array<{ name: string; value: string }> }): string {
  const cookie = response.cookies.find((c) => c.name === 'portal_session');
  if (!cookie) throw new Error('no session cookie in the response');
  return `portal_session=${cookie.value}`;
}
