import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type IssuancePath, outcomeOfStatus } from '../services/metrics/portal-metrics.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Marks a route that hands out AWS credentials; its answers feed the issuance metrics. */
    issuancePath?: IssuancePath;
  }
  interface FastifyRequest {
    /** The issuance this request is, when a route knows more than its static `issuancePath`. */
    issuance: { path: IssuancePath; user?: string | undefined } | null;
  }
}

/**
 * Observes every answer of a credential-issuing route: count and latency by path and outcome.
 * A route opts in with `config: { issuancePath: 'credential_process' }`, or sets the path (and the
 * user, which becomes a label only when METRICS_USER_LABELS is on) with `noteIssuance`.
 */
async function metricsPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest('issuance', null);
  app.addHook('onResponse', async (request, reply) => {
    const marked = request.issuance ?? pathOf(request);
    if (!marked) return;
    app.metrics.issuance(marked.path, outcomeOfStatus(reply.statusCode), reply.elapsedTime / 1000, marked.user);
  });
}

function pathOf(request: FastifyRequest): { path: IssuancePath; user?: string } | null {
  const path = request.routeOptions.config.issuancePath;
  return path ? { path } : null;
}

/** Names the issuance path of this request (and, once known, whose it is). */
export function noteIssuance(request: FastifyRequest, path: IssuancePath, user?: string): void {
  request.issuance = { path, ...(user !== undefined ? { user } : {}) };
}

export default fp(metricsPlugin, { name: 'metrics', dependencies: ['services'] });
