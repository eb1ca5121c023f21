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
  const federation = createFederationEndpoint(store, now);

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
