import { getProductInfo, type ProductInfo } from './api/info-service.ts';
import { Loadable } from './loadable.svelte.ts';

/** What the portal says about itself, loaded once for the page header and footer. */
export const productInfo = new Loadable<ProductInfo | null>(null, getProductInfo);
