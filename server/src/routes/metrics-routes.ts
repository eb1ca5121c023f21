import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { MetricsSettings } from '../config/ops-settings.ts';
import { unauthorized } from '../errors/app-error.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Prometheus metrics (text format). Served only when METRICS_TOKEN is set, and only to a caller
 * that sends it as a bearer token: without the setting the route answers 404 like any unknown path,
 * so a portal exposed to the internet does not publish its internals by default.
 * (Cardinality: no label carries a user name unless METRICS_USER_LABELS is on.)
 */
const metricsRoutes: FastifyPluginAsync<{ settings: MetricsSettings }> = async (app, { settings }) => {
  if (!settings.token) return; // not registered: /metrics is an unknown path like any other
  const expected = digest(`Bearer ${settings.token}`);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const offered = request.headers.authorization;
    // Compare digests: equal length, constant time, whatever the caller sends.
    if (typeof offered !== 'string' || !timingSafeEqual(digest(offered), expected)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw unauthorized('invalid_token', 'Send the metrics token as "Authorization: Bearer <token>".');
    }
    reply.header('content-type', app.metrics.registry.contentType);
    reply.header('cache-control', 'no-store');
    return app.metrics.registry.metrics();
  });
};

export default metricsRoutes;
