import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/body-reader.ts';
import { NO_LEDGER, type SecretLedger } from '../secret-ledger.ts';
import type { Store, TemporarySession } from '../state/store.ts';
import { ROLE_CHAINING_MAX_DURATION } from '../sts/assume-role.ts';
import { consolePage } from './console-page.ts';

export const FEDERATION_PATH = '/federation';

/** A sign-in token may be redeemed once, within this time (AWS: 15 minutes). */
export const SIGNIN_TOKEN_LIFETIME_MS = 15 * 60 * 1000;
/** `SessionDuration` bounds (AWS: 900 s to 12 h). */
export const CONSOLE_SESSION = { min: 900, max: 43_200 };

/** What a sign-in token stands for until it is redeemed. */
interface PendingSignIn {
  issuedAt: Date;
  consoleEndsAt: Date;
  session: TemporarySession;
}

/** The console session a `login` opened (what the page shows; tests read them too). */
export interface ConsoleSignIn {
  arn: string;
  roleArn: string;
  account: string;
  consoleEndsAt: Date;
  destination: string;
  issuer: string;
  region: string | null;
}

/** Console hosts per partition: a Destination elsewhere is refused, as AWS refuses it. */
const CONSOLE_HOSTS = [
  /^([a-z]{2}(-[a-z]+)+-\d{1,2}\.)?console\.aws\.amazon\.com$/,
  /^([a-z]{2}(-[a-z]+)+-\d{1,2}\.)?console\.amazonaws-us-gov\.com$/,
  /^([a-z]{2}(-[a-z]+)+-\d{1,2}\.)?console\.amazonaws\.cn$/,
];

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  response.end(body);
}

/**
 * The AWS sign-in federation endpoint (`/federation`): `getSigninToken` turns AssumeRole
 * credentials into a single-use token, `login` redeems it and answers a small "console" page.
 * AWS answers its own errors with HTML pages; the emulator answers plain text with the status
 * (400 malformed, 403 refused credentials or token). Exact AWS texts are unconfirmed.
 */
export function createFederationEndpoint(store: Store, now: () => Date, ledger: SecretLedger = NO_LEDGER) {
  const pending = new Map<string, PendingSignIn>();
  const signIns: ConsoleSignIn[] = [];

  function forgetStale(at: Date): void {
    for (const [token, entry] of pending)
      if (at.getTime() - entry.issuedAt.getTime() > SIGNIN_TOKEN_LIFETIME_MS) pending.delete(token);
  }

  function getSigninToken(params: URLSearchParams, at: Date): [number, string, string] {
    const raw = params.get('Session');
    if (!raw || raw.length > 8192) return [400, 'text/plain', 'Missing or oversized Session parameter.'];
    let session: { sessionId?: unknown; sessionKey?: unknown; sessionToken?: unknown };
    try {
      session = JSON.parse(raw) as typeof session;
    } catch {
      return [400, 'text/plain', 'The Session parameter is not valid JSON.'];
    }
    const { sessionId, sessionKey, sessionToken } = session ?? {};
    if (typeof sessionId !== 'string' || typeof sessionKey !== 'string' || typeof sessionToken !== 'string')
      return [400, 'text/plain', 'Session needs sessionId, sessionKey and sessionToken.'];
    const durationText = params.get('SessionDuration');
    let duration: number | undefined;
    if (durationText !== null) {
      duration = /^\d{1,6}$/.test(durationText) ? Number(durationText) : Number.NaN;
      if (!(duration >= CONSOLE_SESSION.min && duration <= CONSOLE_SESSION.max))
        return [400, 'text/plain', `SessionDuration must be ${CONSOLE_SESSION.min} to ${CONSOLE_SESSION.max} seconds.`];
    }
    const found = store.sessions.get(sessionId);
    if (!found || !sameText(found.secretAccessKey, sessionKey) || !sameText(found.sessionToken, sessionToken))
      return [403, 'text/plain', 'The security token included in the request is invalid.'];
    if (found.expiresAt.getTime() <= at.getTime())
      return [403, 'text/plain', 'The security token included in the request is expired.'];
    // Only role sessions open the console: GetSessionToken credentials are refused (as AWS does).
    if (found.caller.kind !== 'role-session')
      return [403, 'text/plain', 'Credentials from GetSessionToken cannot be used to sign in to the console.'];
    if (found.caller.chained && duration !== undefined && duration > ROLE_CHAINING_MAX_DURATION)
      return [400, 'text/plain', 'SessionDuration exceeds the 1 hour limit for credentials obtained by role chaining.'];
    // Without SessionDuration the console lasts as long as the credentials (capped at 12 h).
    const seconds =
      duration ?? Math.min(CONSOLE_SESSION.max, Math.floor((found.expiresAt.getTime() - at.getTime()) / 1000));
    forgetStale(at);
    const token = randomBytes(48).toString('base64url');
    ledger.record('console_signin_token', token);
    pending.set(token, { issuedAt: at, consoleEndsAt: new Date(at.getTime() + seconds * 1000), session: found });
    return [200, 'application/json', JSON.stringify({ SigninToken: token })];
  }

  function login(params: URLSearchParams, at: Date): [number, string, string] {
    const token = params.get('SigninToken') ?? '';
    const destination = params.get('Destination') ?? '';
    const issuer = params.get('Issuer') ?? '';
    let destinationUrl: URL;
    try {
      destinationUrl = new URL(destination);
    } catch {
      return [400, 'text/plain', 'Destination must be an AWS console URL.'];
    }
    if (destinationUrl.protocol !== 'https:' || !CONSOLE_HOSTS.some((host) => host.test(destinationUrl.hostname)))
      return [400, 'text/plain', 'Destination must be an AWS console URL.'];
    if (issuer.length > 2048) return [400, 'text/plain', 'Issuer is too long.'];
    // Redeemed once: the entry is gone before anything else can look it up.
    const entry = pending.get(token);
    pending.delete(token);
    if (!entry || at.getTime() - entry.issuedAt.getTime() > SIGNIN_TOKEN_LIFETIME_MS)
      return [403, 'text/plain', 'The sign-in token is invalid, expired or already used. Sign in again.'];
    const caller = entry.session.caller;
    if (caller.kind !== 'role-session') return [403, 'text/plain', 'The sign-in token is invalid.'];
    const regionMatch = /^([a-z]{2}(-[a-z]+)+-\d{1,2})\./.exec(destinationUrl.hostname);
    const signIn: ConsoleSignIn = {
      arn: caller.arn,
      roleArn: caller.roleArn,
      account: caller.account,
      consoleEndsAt: entry.consoleEndsAt,
      destination: destinationUrl.toString(),
      issuer,
      region: destinationUrl.searchParams.get('region') ?? regionMatch?.[1] ?? null,
    };
    signIns.push(signIn);
    return [200, 'text/html; charset=utf-8', consolePage(signIn)];
  }

  return {
    /** Console sessions opened so far, oldest first. */
    signIns: (): ConsoleSignIn[] => [...signIns],

    async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
      const url = new URL(request.url ?? '/', 'http://emulator');
      const params = new URLSearchParams(url.search);
      if (request.method === 'POST') {
        // AWS also takes the parameters as a form body (long session tokens do not fit a URL).
        const body = (await readBody(request, 64 * 1024)).toString('utf8');
        for (const [key, value] of new URLSearchParams(body)) params.set(key, value);
      } else if (request.method !== 'GET') {
        return send(response, 405, 'text/plain', 'Use GET or POST.');
      }
      const at = now();
      const action = params.get('Action');
      const [status, type, body] =
        action === 'getSigninToken'
          ? getSigninToken(params, at)
          : action === 'login'
            ? login(params, at)
            : [400, 'text/plain', 'Action must be getSigninToken or login.'];
      send(response, status, type, body);
    },
  };
}

export type FederationEndpoint = ReturnType<typeof createFederationEndpoint>;
