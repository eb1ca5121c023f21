import { randomBytes } from 'node:crypto';
import type { Caller } from '../protocol/operation.ts';
import type { XmlObject } from '../protocol/xml.ts';
import { randomAccessKeyId, randomSecretAccessKey } from '../state/identity-ids.ts';
import type { Store } from '../state/store.ts';

/** Expired sessions are kept this long (so their use answers ExpiredToken), then forgotten. */
const EXPIRED_SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;

type SessionCaller = Extract<Caller, { kind: 'user-session' | 'role-session' }>;

/**
 * Creates temporary credentials (ASIA key, secret, opaque session token) for the caller that
 * `describe` builds around the new key id, registers them in the store and returns the
 * `<Credentials>` element of the response.
 */
export function issueSession(
  store: Store,
  now: Date,
  expiresAt: Date,
  describe: (accessKeyId: string) => SessionCaller,
): XmlObject {
  forgetLongExpiredSessions(store, now);
  let accessKeyId = randomAccessKeyId('ASIA');
  while (store.sessions.has(accessKeyId)) accessKeyId = randomAccessKeyId('ASIA');
  const secretAccessKey = randomSecretAccessKey();
  // Opaque to clients, like AWS's; only its exact value matters.
  const sessionToken = randomBytes(240).toString('base64');
  store.sessions.set(accessKeyId, {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    expiresAt,
    caller: describe(accessKeyId),
  });
  return {
    AccessKeyId: accessKeyId,
    SecretAccessKey: secretAccessKey,
    SessionToken: sessionToken,
    Expiration: withoutMillis(expiresAt),
  };
}

/** AWS answers whole seconds (`2026-11-22T10:00:00Z`). */
export const withoutMillis = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function forgetLongExpiredSessions(store: Store, now: Date): void {
  for (const [id, session] of store.sessions) {
    if (now.getTime() - session.expiresAt.getTime() > EXPIRED_SESSION_RETENTION_MS) store.sessions.delete(id);
  }
}
