import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface WebStaticOptions {
  /** The Vite build output (index.html + assets/). */
  root: string;
}

/**
 * Serves the built web UI. The SPA fallback to index.html lives in the error handler's
 * not-found handler, which keeps /api/* answering JSON.
 */
async function webStaticPlugin(app: FastifyInstance, options: WebStaticOptions): Promise<void> {
  const indexFile = path.join(options.root, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn({ root: options.root }, 'web UI is not built (run `npm run build`); serving the API only');
    return;
  }
  await app.register(fastifyStatic, {
    root: options.root,
    wildcard: false,
    index: false,
    setHeaders(reply, filePath) {
      // Vite fingerprints everything under assets/, so those may be cached for good.
      const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}

export default fp(webStaticPlugin, { name: 'web-static', dependencies: ['error-handler'] });
