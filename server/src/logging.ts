import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import type { Config } from './config/config.ts';

/**
 * Paths pino censors wherever they appear in a log line. Credentials, MFA codes, cookies and
 * tokens must never reach a log, even when someone logs a whole object by mistake.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.code',
  '*.tokenCode',
  '*.TokenCode',
  '*.secretAccessKey',
  '*.SecretAccessKey',
  '*.sessionToken',
  '*.SessionToken',
  '*.token',
  '*.masterKey',
  '*.sessionSecret',
  '*.credentials',
  '*.secret',
  '*.code1',
  '*.code2',
];

/**
 * Setup link tokens travel in request bodies, but an old or hand-made address may still carry
 * one in the path (/mfa-setup/<token>); logs get a stand-in for anything but the two routes.
 * Query values are never logged either: the API takes no secret there, so one that arrives (a
 * setup token or a code pasted as `?token=`) was sent by mistake, and would otherwise be kept in
 * every log the line reaches. The parameter names stay, for debugging.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  const redactedPath = path.replace(/(\/mfa-setup\/)(?!(?:open|complete)(?:[/#]|$))[^/#]+/g, '$1[redacted]');
  if (query < 0) return redactedPath;
  const redactedQuery = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals < 0 ? pair : `${pair.slice(0, equals)}=[redacted]`;
    })
    .join('&');
  return `${redactedPath}?${redactedQuery}`;
}

export function loggerOptions(config: Pick<Config, 'logLevel'>): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (request: {
        method: string;
        url: string;
        host?: string;
        ip?: string;
        socket?: { remotePort?: number };
      }) => ({
        method: request.method,
        url: redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
}

/**
 * One log line per request, written when it is answered (the request, its status and its time),
 * instead of Fastify's two at info: the arrival line cost about a tenth of the portal's CPU per
 * issuance (bench/README.md, issuance profile). The arrival is still logged at debug, so a request
 * that never completes shows up there.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
