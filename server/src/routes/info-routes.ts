import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { productInfo } from '../services/product-info.ts';

const Info = Type.Object({ name: Type.String(), version: Type.String() });

const infoRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/api/v1/info',
    { schema: { summary: 'Product name and version', tags: ['meta'], response: { 200: Info } } },
    async () => productInfo(),
  );
};

export default infoRoutes;
