import { timingSafeEqual } from 'node:crypto';
import type { Caller } from '../protocol/operation.ts';
import { type SignatureClaim, signatureDoesNotMatch, signatureMatches } from '../sigv4/signature-verifier.ts';
import { type Store, userArn } from '../state/store.ts';
import { expiredToken, invalidClientTokenId } from './auth-errors.ts';

const sameSecret = (a: string, b: string): boolean => {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Proves a signature claim against the store and says who made the request. Order of checks
 * follows AWS: unknown or disabled key and missing/foreign session token first (InvalidClientTokenId),
 * then the signature, then the session's expiry, so only the secret's holder learns it expired.
 */
export function resolveCaller(store: Store, claim: SignatureClaim, now: Date): Caller {
  if (claim.accessKeyId.startsWith('ASIA')) return resolveSession(store, claim, now);

  const found = store.findAccessKey(claim.accessKeyId);
  if (found?.key.status !== 'Active') throw invalidClientTokenId();
  // A long-term key has no session: a token sent with it belongs to something else.
  if (claim.securityTokenSent) throw invalidClientTokenId();
  if (!signatureMatches(claim, found.key.secret)) throw signatureDoesNotMatch();

  // AWS records key use for GetAccessKeyLastUsed and the credential report.
  found.key.lastUsed = now.toISOString();
  found.key.lastUsedService = claim.scope.service;
  found.key.lastUsedRegion = claim.scope.region;
  const { user, key } = found;
  return {
    kind: 'user',
    account: user.account,
    arn: userArn(user),
    userName: user.name,
    userId: user.id ?? '',
    accessKeyId: key.id,
  };
}

function resolveSession(store: Store, claim: SignatureClaim, now: Date): Caller {
  const session = store.sessions.get(claim.accessKeyId);
  if (!session) throw invalidClientTokenId();
  // Temporary keys are only valid together with their (signed) session token.
  if (claim.signedSecurityToken === undefined || !sameSecret(claim.signedSecurityToken, session.sessionToken)) {
    throw invalidClientTokenId();
  }
  if (!signatureMatches(claim, session.secretAccessKey)) throw signatureDoesNotMatch();
  if (session.expiresAt.getTime() <= now.getTime()) throw expiredToken();
  return session.caller;
}
