import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../services/audit/audit-events.ts';

/** Who asked, for the audit log: client address (via trusted proxies only), user agent, request id. */
export function originOf(request: FastifyRequest): RequestOrigin {
  const agent = request.headers['user-agent'];
  return {
    sourceIp: request.ip,
    userAgent: typeof agent === 'string' ? agent.slice(0, 256) : undefined,
    requestId: request.id,
  };
}

/** The portal's own base URL, for recipes and the credential_process config. */
export function portalUrlOf(request: FastifyRequest, configured: string | undefined): string {
  return configured ?? `${request.protocol}://${request.host}`;
}
