import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** `/api` and everything under it (the query string aside). */
export function isApiPath(url: string): boolean {
  const pathname = url.split('?')[0] ?? '';
  return pathname === '/api' || pathname.startsWith('/api/');
}

/**
 * `Cache-Control: no-store` on every API response, errors and 404s included: answers carry CSRF
 * tokens, credentials, audit rows and user lists, none of which a browser or proxy may keep.
 */
async function apiNoStorePlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (request, reply) => {
    if (isApiPath(request.url)) reply.header('cache-control', 'no-store');
  });
}

export default fp(apiNoStorePlugin, { name: 'api-no-store' });
