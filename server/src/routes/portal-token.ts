import type { FastifyRequest } from 'fastify';
import { unauthorized } from '../errors/app-error.ts';

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;
const BARE = /^([\x21-\x7e]{1,512})$/;

/**
 * The portal token in the Authorization header: `Bearer <token>`, or (`bare`) the token alone,
 * as the AWS SDKs send AWS_CONTAINER_AUTHORIZATION_TOKEN verbatim.
 */
export function portalTokenOf(request: FastifyRequest, options: { bare?: boolean } = {}): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = BEARER.exec(header) ?? (options.bare ? BARE.exec(header) : null);
  if (!match) throw unauthorized('invalid_token', 'Send the portal token as "Authorization: Bearer <token>".');
  return match[1]!;
}
