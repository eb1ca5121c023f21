import { ApiError } from './api/client.ts';
import { getProductInfo, type ProductInfo } from './api/info-service.ts';

/** What the portal says about itself, loaded once for the page header and footer. */
export class ProductInfoState {
  info = $state<ProductInfo | null>(null);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      this.info = await getProductInfo();
      this.error = null;
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : 'The portal cannot be reached.';
    }
  }
}

export const productInfo = new ProductInfoState();
