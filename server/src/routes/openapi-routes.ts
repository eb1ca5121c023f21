import type { FastifyPluginAsync } from 'fastify';

/** The OpenAPI document generated from the route schemas, for API clients and docs tooling. */
const openapiRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

export default openapiRoutes;
