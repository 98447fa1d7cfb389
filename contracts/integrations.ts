import { z } from 'zod';
import { currencyCode } from './commerce.ts';

export const integrationKind = z.enum(['shopify', 'woocommerce']);
export const connectBody = z.object({
  kind: integrationKind,
  address: z
    .string()
    .trim()
    .min(3)
    .max(300)
    .describe("Shopify: the shop's myshopify.com domain; WooCommerce: the store URL"),
  secret: z.string().min(8).max(500).describe('the webhook signing secret'),
  currency: currencyCode.optional(),
});
export const integrationView = z.object({
  id: z.string(),
  kind: integrationKind,
  address: z.string(),
  currency: z.string(),
  secretHint: z.string(),
  createdAt: z.string(),
});
export const deliveryView = z.object({
  id: z.string(),
  kind: z.string(),
  topic: z.string(),
  deliveryId: z.string(),
  status: z.string(),
  detail: z.string().nullable(),
  receivedAt: z.string(),
});
export const integrationList = z.object({
  data: z.array(integrationView),
  deliveries: z.array(deliveryView),
  webhookUrls: z.object({ shopify: z.string(), woocommerce: z.string() }),
});
export const trackingInfo = z.object({ key: z.string(), endpoint: z.string(), snippet: z.string() });
