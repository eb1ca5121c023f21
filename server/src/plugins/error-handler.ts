import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors/app-error.ts';

export interface ErrorBody {
  error: string;
  message: string;
  requestId: string;
}

/** Fastify's own errors (body parsing, limits, content type) mapped to stable codes and plain words. */
const FRAMEWORK_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Send the request body as application/json or application/x-www-form-urlencoded.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_request', message: 'The JSON request body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_request',
    message: 'The request body is not valid JSON.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_request',
    message: 'The Content-Length header does not match the body.',
  },
};

/**
 * Fastify's router answers a bad URL (`%zz` in a path parameter) or an over-long path parameter
 * itself, before any hook or error handler, in its own shape and echoing the path back; this,
 * passed as Fastify's `frameworkErrors`, answers both in the one error shape instead.
 */
export function frameworkErrorReply(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void reply
    .code(tooLong ? 414 : 400)
    .header('cache-control', 'no-store')
    .send(
      errorBody(
        request,
        tooLong ? 'uri_too_long' : 'invalid_request',
        tooLong ? 'A part of the URL is too long.' : 'The URL is not valid.',
      ),
    );
}

export function errorBody(request: FastifyRequest, code: string, message: string): ErrorBody {
  return { error: code, message, requestId: request.id };
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      if (error.statusCode >= 500) request.log.warn({ code: error.code }, error.message);
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send(errorBody(request, error.code, error.message));
    }
    if (error.validation) {
      return reply.code(400).send(errorBody(request, 'invalid_request', describeValidation(error)));
    }
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: error }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', '5')
        .send(
          errorBody(
            request,
            'database_unavailable',
            'The portal cannot reach its database right now. Try again shortly.',
          ),
        );
    }
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
    if (known) return reply.code(known.status).send(errorBody(request, known.code, known.message));
    if (error.statusCode === 429) {
      return reply
        .code(429)
        .send(errorBody(request, 'rate_limited', error.message || 'Too many requests. Try again later.'));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply
        .code(error.statusCode)
        .send(errorBody(request, 'invalid_request', 'The request could not be processed.'));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .code(500)
      .send(
        errorBody(
          request,
          'internal_error',
          'Something went wrong on our side. Try again, and quote the request id if it persists.',
        ),
      );
  });

  // One not-found handler for the whole app: /api/* (and anything that is not a page request)
  // gets the JSON error shape; a browser asking for a page gets the SPA's index.html when the
  // web UI is served, so client-side routes survive a reload.
  app.setNotFoundHandler((request, reply) => {
    const pathname = (request.url.split('?')[0] ?? '/').slice(0, 200);
    const isApi = pathname === '/api' || pathname.startsWith('/api/');
    const wantsPage =
      (request.method === 'GET' || request.method === 'HEAD') && request.headers.accept?.includes('text/html');
    if (!isApi && wantsPage && request.server.hasReplyDecorator('sendFile')) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.code(404).send(errorBody(request, 'not_found', `No route matches ${request.method} ${pathname}.`));
  });
}

/** Prisma's codes for "cannot reach / lost / timed out waiting for the database". */
const DATABASE_UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/**
 * SQLite refusing every write (a read-only file or volume, a full disk, I/O errors, a lock held
 * past busy_timeout): the database cannot record anything, so nothing may be issued; Prisma
 * reports these as a driver adapter error inside a known request error.
 */
const SQLITE_UNWRITABLE = /^SQLITE_(READONLY|FULL|IOERR|CANTOPEN|BUSY|LOCKED|PROTOCOL)/;

export function isDatabaseUnavailable(error: { name?: string; code?: string; meta?: unknown }): boolean {
  const driverCode = (error.meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined)
    ?.driverAdapterError?.cause?.originalCode;
  return (
    error.name === 'PrismaClientInitializationError' ||
    error.name === 'DatabaseUnavailableError' ||
    (typeof error.code === 'string' && DATABASE_UNAVAILABLE_CODES.has(error.code)) ||
    (typeof driverCode === 'string' && SQLITE_UNWRITABLE.test(driverCode))
  );
}

/** "body/userName must NOT have more than 64 characters" -> "userName must NOT have more than 64 characters". */
function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return 'The request is not valid.';
  const field =
    first.instancePath.replace(/^\//, '').replace(/\//g, '.') ||
    (typeof first.params?.missingProperty === 'string' ? first.params.missingProperty : '') ||
    (typeof first.params?.additionalProperty === 'string' ? first.params.additionalProperty : '');
  const where = error.validationContext && error.validationContext !== 'body' ? ` (${error.validationContext})` : '';
  if (first.keyword === 'additionalProperties') return `Unknown field${where}: ${field}.`;
  if (first.keyword === 'required') return `Missing field${where}: ${field}.`;
  return `${field || error.validationContext || 'request'}${where} ${first.message ?? 'is not valid'}.`;
}

export default fp(errorHandlerPlugin, { name: 'error-handler' });
