import { apiRequest } from './client.ts';

export interface ProductInfo {
  name: string;
  version: string;
}

export const getProductInfo = (): Promise<ProductInfo> => apiRequest<ProductInfo>('/api/v1/info');
