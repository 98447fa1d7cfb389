import { z } from 'zod';

export const trackEventTypes = [
  'page_viewed',
  'product_viewed',
  'added_to_cart',
  'checkout_started',
  'identify',
] as const;

export const trackBody = z.object({
  key: z.string().min(10).max(100).describe("the workspace's public tracking key"),
  visitorId: z.string().min(8).max(100).describe('a random id the snippet keeps in the browser'),
  type: z.enum(trackEventTypes),
  url: z.string().max(2000).optional(),
  productId: z.string().max(100).optional().describe("the platform's product id"),
  email: z.email().max(254).optional().describe('on identify: who the visitor is'),
  customerId: z.string().max(100).optional().describe("on identify: the platform's customer id"),
  properties: z
    .record(z.string().max(100), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]))
    .optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});
export type TrackBody = z.infer<typeof trackBody>;
