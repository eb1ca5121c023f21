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
];

export function loggerOptions(config: Pick<Config, 'logLevel'>): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
}
