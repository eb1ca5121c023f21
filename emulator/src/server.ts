import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ConsoleSignIn, createFederationEndpoint, FEDERATION_PATH } from './federation/federation-endpoint.ts';
import { ADMIN_PREFIX, type FaultState, handleAdminRequest } from './http/admin-routes.ts';
import { type AwsHandlerDeps, handleAwsRequest, requestParams } from './http/aws-request-handler.ts';
import { BodyTooLargeError, ClientGoneError, readBody } from './http/body-reader.ts';
import { NO_FAULTS, pickFault } from './http/fault-injection.ts';
import { createRateLimiter, type RateLimitSettings } from './http/rate-limit.ts';
import { iamOperations } from './iam/index.ts';
import { renderError } from './protocol/xml.ts';
import { type SecretKind, type SecretLedger, secretLedgerFromEnv } from './secret-ledger.ts';
import type { WireRequest } from './sigv4/signature-verifier.ts';
import { loadStateFile, StatePersister, validateStateFile } from './state/load-state.ts';
import type { StateFile } from './state/state-file.ts';
import { Store } from './state/store.ts';
import { stsOperations } from './sts/index.ts';

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** A state object or the path of a state JSON file; validated either way. */
  state: StateFile | string;
  /** Write the state back here (atomically) whenever a request changed it. */
  persistPath?: string;
  /** The emulator's clock: signatures, sessions and TOTP all use it (tests move time with it). */
  now?: () => Date;
  /** Where unexpected failures are reported; defaults to stderr. */
  logError?: (message: string, error: unknown) => void;
  /** IAM request-rate limit per account (a token bucket); none when absent. */
  rateLimit?: RateLimitSettings;
  /**
   * Where every secret the emulator holds or hands out is recorded (secret-ledger.ts); by default
   * the test run's ledger when PORTAL_TEST_RUN_DIR is set, else none.
   */
  ledger?: SecretLedger | null;
}

/** Requests that carried an MFA code for AWS to verify, by action. */
export interface TokenCodeCalls {
  GetSessionToken: number;
  AssumeRole: number;
}

export interface RunningEmulator {
  url: string;
  store: Store;
  /** How many GetSessionToken / AssumeRole requests with a TokenCode arrived (tests count guesses). */
  tokenCodeCalls(): TokenCodeCalls;
  /** Console sessions opened through `/federation?Action=login`, oldest first. */
  consoleSignIns(): ConsoleSignIn[];
  /** IAM requests refused with Throttling by the rate limit, per account. */
  throttledRequests(): Record<string, number>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function wireRequest(request: IncomingMessage, body: Buffer): WireRequest {
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2)
    headers.push([request.rawHeaders[i]!, request.rawHeaders[i + 1]!]);
  return {
    method: request.method ?? 'GET',
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    headers,
    body,
  };
}

function sendXml(
  response: ServerResponse,
  status: number,
  body: string,
  requestId: string,
  now: Date,
  extra: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    // The SDKs correct their clock from this header after a skew error, so it uses emulator time.
    date: now.toUTCString(),
    ...extra,
  });
  response.end(body);
}

/** The state's long-term key secrets and TOTP seeds: secrets the test suite owns from the start. */
function recordStateSecrets(ledger: SecretLedger, state: StateFile): void {
  for (const user of state.users) {
    for (const key of user.accessKeys ?? []) ledger.record('aws_secret_access_key', key.secret);
    for (const device of user.mfaDevices ?? []) if ('seed' in device) ledger.record('mfa_seed', device.seed);
  }
  for (const device of state.unassignedMfaDevices ?? []) ledger.record('mfa_seed', device.seed);
}

const ANSWERED_SECRETS: Array<[SecretKind, RegExp]> = [
  ['aws_secret_access_key', /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/g],
  ['aws_session_token', /<SessionToken>([^<]+)<\/SessionToken>/g],
  ['mfa_seed', /<Base32StringSeed>([^<]+)<\/Base32StringSeed>/g],
];

/** Secrets in an answer (new access keys, sessions, virtual MFA seeds): as they leave, so none is missed. */
function recordAnsweredSecrets(ledger: SecretLedger, body: string): void {
  for (const [kind, pattern] of ANSWERED_SECRETS) {
    for (const [, value] of body.matchAll(pattern)) {
      ledger.record(kind, value);
      // IAM sends a virtual device's seed base64-encoded; apps (and logs) would show it decoded.
      if (kind === 'mfa_seed' && value) ledger.record(kind, Buffer.from(value, 'base64').toString('ascii'));
    }
  }
}

/** Starts the STS + IAM emulator on one HTTP endpoint. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const state =
    typeof options.state === 'string' ? await loadStateFile(options.state) : validateStateFile(options.state);
  const store = new Store(state);
  const now = options.now ?? (() => new Date());
  const logError = options.logError ?? ((message, error) => console.error(`[emulator] ${message}:`, error));
  const persister =
    options.persistPath === undefined ? undefined : new StatePersister(options.persistPath, store.toStateFile());
  const rateLimiter = options.rateLimit ? createRateLimiter(options.rateLimit) : undefined;
  const deps: AwsHandlerDeps = {
    store,
    operations: { sts: stsOperations, iam: iamOperations },
    logError,
    ...(rateLimiter ? { rateLimiter } : {}),
  };
  const faults: FaultState = { current: { ...NO_FAULTS } };
  const tokenCodeCalls: TokenCodeCalls = { GetSessionToken: 0, AssumeRole: 0 };
  const ledger = options.ledger === undefined ? secretLedgerFromEnv() : options.ledger;
  if (ledger) recordStateSecrets(ledger, state);
  const federation = createFederationEndpoint(store, now, ledger ?? undefined);

  async function handleAws(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const fault = pickFault(faults.current);
    if (faults.current.latencyMs > 0) await sleep(faults.current.latencyMs);
    if (fault.kind === 'drop') {
      request.socket.destroy();
      return;
    }
    if (fault.kind === 'malformed') {
      const text =
        '<?xml version="1.0"?><GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::';
      response.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      response.end(text);
      return;
    }
    if (fault.kind === 'error') {
      sendXml(
        response,
        fault.status,
        renderError('sts', fault.type, fault.code, fault.message, requestId),
        requestId,
        now(),
      );
      return;
    }
    if (request.method !== 'POST' && request.method !== 'GET') {
      sendXml(
        response,
        405,
        renderError(
          'sts',
          'Sender',
          'MethodNotAllowed',
          'The Query protocol accepts GET and POST requests only.',
          requestId,
        ),
        requestId,
        now(),
        { allow: 'GET, POST' },
      );
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      sendXml(
        response,
        413,
        renderError('sts', 'Sender', 'RequestEntityTooLarge', error.message, requestId),
        requestId,
        now(),
        { connection: 'close' },
      );
      return;
    }
    const at = now();
    const wire = wireRequest(request, body);
    const params = requestParams(wire);
    const action = params.string('Action');
    if ((action === 'GetSessionToken' || action === 'AssumeRole') && params.has('TokenCode')) tokenCodeCalls[action]++;
    const answer = await handleAwsRequest(deps, wire, at, requestId);
    if (ledger) recordAnsweredSecrets(ledger, answer.body);
    // Saved before answering: a client that saw success can rely on the change being on disk.
    if (persister) await persister.persist(() => store.toStateFile());
    sendXml(response, answer.status, answer.body, requestId, at);
  }

  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const handling = path.startsWith(ADMIN_PREFIX)
      ? handleAdminRequest(request, response, path, faults)
      : path === FEDERATION_PATH
        ? federation.handle(request, response)
        : handleAws(request, response);
    handling.catch((error: unknown) => {
      if (error instanceof ClientGoneError || request.socket.destroyed) {
        response.destroy();
        return;
      }
      logError('request handling failed', error);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const requestId = randomUUID();
      sendXml(
        response,
        500,
        renderError(
          'sts',
          'Receiver',
          'InternalFailure',
          'The request processing has failed because of an unknown error, exception or failure.',
          requestId,
        ),
        requestId,
        now(),
      );
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    store,
    tokenCodeCalls: () => ({ ...tokenCodeCalls }),
    consoleSignIns: () => federation.signIns(),
    throttledRequests: () => rateLimiter?.refused() ?? {},
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
