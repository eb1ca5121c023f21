import type { FastifyServerOptions } from 'fastify';
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
 */
export function redactUrl(url: string): string {
  return url.replace(/(\/mfa-setup\/)(?!(?:open|complete)(?:[/?#]|$))[^/?#]+/g, '$1[redacted]');
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
