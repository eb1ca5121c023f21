import type { FastifyPluginAsync } from 'fastify';
import { productInfo } from '../services/product-info.ts';
import { ProductInfo } from './schemas.ts';

const infoRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/api/v1/info',
    { schema: { summary: 'Product name and version', tags: ['meta'], response: { 200: ProductInfo } } },
    async () => productInfo(),
  );
};

export default infoRoutes;
