import type { ProductInfo } from '../../../../server/src/routes/schemas.ts';
import { apiRequest } from './client.ts';

export type { ProductInfo } from '../../../../server/src/routes/schemas.ts';

export const getProductInfo = (): Promise<ProductInfo> => apiRequest<ProductInfo>('/api/v1/info');
