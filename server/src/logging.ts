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

/** One-time link tokens travel in the path (GET /api/v1/mfa-setup/<token>); logs get a stand-in. */
export function redactUrl(url: string): string {
  return url.replace(/(\/mfa-setup\/)[^/?#]+/g, '$1[redacted]');
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
