import Fastify from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import errorHandler from './error-handler.ts';

async function appThrowing(error: unknown) {
  const app = Fastify({ logger: false, bodyLimit: 32, ajv: { customOptions: { removeAdditional: false } } });
  await app.register(errorHandler);
  app.get('/boom', async () => {
    throw error;
  });
  app.post(
    '/echo',
    { schema: { body: Type.Object({ name: Type.String({ maxLength: 4 }) }, { additionalProperties: false }) } },
    async () => ({ ok: true }),
  );
  return app;
}

describe('error handler', () => {
  it.each(['SQLITE_READONLY', 'SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_BUSY'])(
    'answers SQLite refusing writes (%s) with 503 database_unavailable, never 500',
    async (originalCode) => {
      const error = Object.assign(
        new Error('Invalid `prisma.auditEvent.create()` invocation: database or disk is full'),
        {
          name: 'PrismaClientKnownRequestError',
          code: 'P2039',
          meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode, kind: 'sqlite' } } },
        },
      );
      const response = await (await appThrowing(error)).inject({ method: 'GET', url: '/boom' });
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toBe('database_unavailable');
      expect(response.body).not.toContain('SQLITE');
    },
  );

  it('sends AppErrors in the one shape, with their headers', async () => {
    const app = await appThrowing(new AppError(429, 'too_many_attempts', 'Wait.', { 'retry-after': '60' }));
    const response = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'abc' } });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('60');
    expect(response.json()).toEqual({ error: 'too_many_attempts', message: 'Wait.', requestId: expect.any(String) });
  });

  it('hides unexpected errors behind a generic 500', async () => {
    const app = await appThrowing(new Error('SELECT secret FROM keys failed at /srv/portal/x.ts:12'));
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json().error).toBe('internal_error');
    expect(response.body).not.toMatch(/secret|srv|SELECT/);
  });

  it('answers 503 when the database is unreachable', async () => {
    const app = await appThrowing(
      Object.assign(new Error("Can't reach database server at db:5432"), {
        name: 'PrismaClientKnownRequestError',
        code: 'P1001',
      }),
    );
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toBe('database_unavailable');
    expect(response.body).not.toContain('db:5432');
  });

  it('turns schema violations, bad JSON, big bodies and unknown routes into 4xx', async () => {
    const app = await appThrowing(new Error('unused'));
    const tooLongName = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'abcdef' } });
    expect(tooLongName.statusCode).toBe(400);
    expect(tooLongName.json()).toMatchObject({ error: 'invalid_request', message: expect.stringContaining('name') });
    const unknownField = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'a', admin: true } });
    expect(unknownField.json().message).toBe('Unknown field: admin.');
    const badJson = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(badJson.statusCode).toBe(400);
    const big = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'x'.repeat(100) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toBe('payload_too_large');
    const wrongType = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>',
    });
    expect(wrongType.statusCode).toBe(415);
    const missing = await app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('not_found');
  });
});
