import type { FastifyInstance } from 'fastify';
import type { SecretKind, SecretLedger } from '../../emulator/src/secret-ledger.ts';
import { SESSION_COOKIE } from '../src/plugins/web-session.ts';

/** Response fields that carry a secret to the client, by the kind the ledger files them under. */
const SECRET_FIELDS: Record<string, SecretKind> = {
  secretAccessKey: 'aws_secret_access_key',
  SecretAccessKey: 'aws_secret_access_key',
  sessionToken: 'aws_session_token',
  SessionToken: 'aws_session_token',
  Token: 'aws_session_token',
  token: 'cli_token',
  csrfToken: 'csrf_token',
  secret: 'mfa_seed',
};
const SETUP_LINK = /\/mfa-setup#([\w-]{16,})/;
const MFA_CODE_FIELDS = ['code', 'code1', 'code2', 'tokenCode'];

/**
 * Test-side hooks on an in-process portal that file every secret crossing its HTTP boundary in
 * the test run's ledger: the MFA codes clients send, and what they get (credentials, CLI tokens,
 * setup links, CSRF tokens, session cookies), whichever test made the request. Tokens are filed
 * as the portal hands them out, not as clients send them back: the fuzz suite sends made-up
 * tokens, which are no secret of anyone's. Added before `ready()`, so they apply to every route.
 */
export function recordSecretsCrossing(app: FastifyInstance, ledger: SecretLedger): void {
  app.addHook('preValidation', async (request) => {
    const body = request.body;
    if (!body || typeof body !== 'object') return;
    const fields = body as Record<string, unknown>;
    for (const field of MFA_CODE_FIELDS) {
      const value = fields[field];
      if (typeof value === 'string' && /^\d{6}$/.test(value)) ledger.record('mfa_code', value);
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const cookie of [reply.getHeader('set-cookie')].flat()) {
      const value = typeof cookie === 'string' && cookie.startsWith(`${SESSION_COOKIE}=`) ? cookie : null;
      const session = value?.slice(SESSION_COOKIE.length + 1).split(';')[0];
      if (session) {
        ledger.record('web_session', decodeURIComponent(session));
        const id = decodeURIComponent(session).split('.')[0];
        if (id && id.length >= 16) ledger.record('web_session', id);
      }
    }
    if (typeof payload === 'string' && /json/.test(String(reply.getHeader('content-type') ?? ''))) {
      try {
        recordFields(JSON.parse(payload), ledger);
      } catch {
        // not JSON after all
      }
    }
    return payload;
  });
}

function recordFields(value: unknown, ledger: SecretLedger): void {
  if (Array.isArray(value)) {
    for (const item of value) recordFields(item, ledger);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'string') {
      const kind = SECRET_FIELDS[key];
      if (kind && field.length >= 12) ledger.record(kind, field);
      const link = SETUP_LINK.exec(field);
      if (link) ledger.record('setup_token', link[1]);
    } else recordFields(field, ledger);
  }
}
