import type { FastifyPluginAsync } from 'fastify';
import { serviceUnavailable } from '../errors/app-error.ts';
import { HealthStatus } from './schemas.ts';

/**
 * Liveness (the process answers) and readiness (it can reach its database and is not draining)
 * for load balancers.
 */
const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', { schema: { hide: true, response: { 200: HealthStatus } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true, response: { 200: HealthStatus } } }, async (request) => {
    if (app.draining) throw serviceUnavailable('draining', 'This instance is shutting down.');
    try {
      await app.db.ping();
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check: database unreachable');
      throw serviceUnavailable('not_ready', 'The database is not reachable.', 5);
    }
    return { status: 'ready' };
  });
};

export default healthRoutes;
