import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/config.ts';
import { forbidden, unauthorized } from '../errors/app-error.ts';
import { createSessionStore } from '../services/sessions/session-store.ts';

declare module 'fastify' {
  interface Session {
    userName?: string;
    accountId?: string;
    isAdmin?: boolean;
    mfaSessionId?: string;
    /** ISO time the MFA session (and so the sign-in) ends. */
    expiresAt?: string;
    csrfToken?: string;
  }
}

export interface SignedInSession {
  userName: string;
  accountId: string;
  isAdmin: boolean;
  mfaSessionId: string;
  expiresAt: Date;
  csrfToken: string;
}

export const SESSION_COOKIE = 'portal_session';

/** The route that starts a browser session (routes/session-routes.ts). */
const SIGN_IN_ROUTE = { method: 'POST', url: '/api/v1/session' } as const;

/**
 * Browser sessions: an HttpOnly, SameSite=Strict cookie naming a row in the database (any
 * instance can serve it). The id is regenerated at sign-in (no fixation). Requests that change
 * state with the cookie must echo the session's CSRF token in `x-csrf-token`.
 */
async function webSessionPlugin(app: FastifyInstance, options: { config: Config }): Promise<void> {
  const { config } = options;
  const secure = config.publicUrl?.startsWith('https://') === true;
  await app.register(cookie);
  await app.register(session, {
    secret: cookieSecret(config),
    cookieName: SESSION_COOKIE,
    store: createSessionStore(app.db.prisma, config.sessionSeconds * 1000),
    saveUninitialized: false,
    rolling: false,
    cookie: {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      // Secure when PUBLIC_URL is https; sign-in also sets it for any request that arrived over
      // TLS (directly or via a trusted proxy). Not 'auto': that would downgrade SameSite to Lax.
      secure,
      maxAge: config.sessionSeconds * 1000,
    },
  });
  if (secure) {
    // @fastify/session (like the browser) drops a Secure cookie sent on a plain-http request, so
    // such a sign-in would answer 200 and leave the browser signed out. Refuse it before the code
    // is spent, and say why: the request bypassed the TLS proxy, or the proxy is not trusted or
    // does not send X-Forwarded-Proto.
    app.addHook('onRequest', async (request) => {
      const { method, url } = SIGN_IN_ROUTE;
      if (request.method !== method || request.routeOptions.url !== url || request.protocol === 'https') return;
      request.log.warn(
        { peer: request.socket.remoteAddress },
        'sign-in over plain http refused: PUBLIC_URL is https, so session cookies are Secure; ' +
          'list the TLS proxy in TRUSTED_PROXIES and have it send X-Forwarded-Proto',
      );
      throw forbidden(
        'https_required',
        `Sign in over https: open ${config.publicUrl}. If you did, the proxy in front of the portal must ` +
          'send X-Forwarded-Proto and be listed in TRUSTED_PROXIES.',
      );
    });
  }
}

/** The signed-in user, or 401. Expired sign-ins are cleared. */
export async function requireSignedIn(request: FastifyRequest): Promise<SignedInSession> {
  const s = request.session;
  if (!s?.userName || !s.mfaSessionId || !s.expiresAt || !s.csrfToken || !s.accountId) {
    throw unauthorized('not_signed_in', 'Sign in with your IAM user name and an MFA code.');
  }
  const expiresAt = new Date(s.expiresAt);
  if (expiresAt.getTime() <= Date.now()) {
    await s.destroy();
    throw unauthorized('session_expired', 'Your MFA session has expired. Sign in again with a new code.');
  }
  return {
    userName: s.userName,
    accountId: s.accountId,
    isAdmin: s.isAdmin === true,
    mfaSessionId: s.mfaSessionId,
    expiresAt,
    csrfToken: s.csrfToken,
  };
}

/** The signed-in user of a request that changes state: the CSRF header must match the session's token. */
export async function requireSignedInWithCsrf(
  request: FastifyRequest,
  offered: unknown = request.headers['x-csrf-token'],
): Promise<SignedInSession> {
  const signedIn = await requireSignedIn(request);
  if (typeof offered !== 'string' || !constantTimeEquals(offered, signedIn.csrfToken)) {
    throw forbidden(
      'csrf_failed',
      'This request lacks the CSRF token from the sign-in response (send it in the x-csrf-token header).',
    );
  }
  return signedIn;
}

export const newCsrfToken = () => randomBytes(32).toString('base64url');

function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** SESSION_SECRET, or one derived from the master key so that every instance signs alike. */
function cookieSecret(config: Config): string {
  if (config.sessionSecret) return config.sessionSecret;
  if (config.masterKey)
    return createHmac('sha256', config.masterKey.key).update('aws-mfa-portal session cookie').digest('base64url');
  // Without a master key nobody can sign in anyway; a per-process secret is enough.
  return randomBytes(32).toString('base64url');
}

export default fp(webSessionPlugin, { name: 'web-session', dependencies: ['database'] });
