import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** True once `startDraining()` was called: the instance is on its way out. */
    readonly draining: boolean;
    /**
     * The first step of a graceful shutdown: /readyz answers 503 `draining` so a balancer takes
     * the instance out of rotation, and every answer closes its connection so keep-alive clients
     * reconnect elsewhere. Requests are still served; `app.close()` stops accepting later.
     */
    startDraining(): void;
  }
}

/**
 * Draining before closing. Closing the listener at once loses requests: a connection the balancer
 * opened just before (in the accept backlog, or accepted with its request still on the wire)
 * counts as idle and is reset, and the balancer cannot replay a POST that may have reached the
 * instance. So server.ts drains for SHUTDOWN_DRAIN_SECONDS, longer than the balancer takes to
 * see /readyz fail, and only then closes.
 */
async function drainPlugin(app: FastifyInstance): Promise<void> {
  let draining = false;
  app.decorate('draining', { getter: () => draining });
  app.decorate('startDraining', () => {
    draining = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
}

export default fp(drainPlugin, { name: 'drain' });
