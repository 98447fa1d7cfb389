import { z } from 'zod';

// The canonical shapes in which commerce data enters Patron: the batch API takes them as they are,
// and the Shopify, WooCommerce and CSV adapters translate into them.

export const sources = ['api', 'shopify', 'woocommerce', 'csv'] as const;
export const sourceSchema = z.enum(sources);

/** Platform ids are strings: Shopify's exceed 2^53 and must keep every digit. */
export const externalId = z.string().trim().min(1).max(100);
export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
  .describe('ISO 4217 currency');
/** Integer minor units (cents): 409.94 USD is 40994. */
export const minor = z.number().int().min(-1e13).max(1e13);
const timestamp = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().trim().max(max);

export const consentState = z.enum(['subscribed', 'unsubscribed', 'not_subscribed', 'pending']);

export const addressInput = z.object({
  firstName: text(100).nullish(),
  lastName: text(100).nullish(),
  company: text(200).nullish(),
  line1: text(300).nullish(),
  line2: text(300).nullish(),
  city: text(120).nullish(),
  region: text(120).nullish(),
  postalCode: text(40).nullish(),
  country: text(80).nullish().describe('ISO 3166-1 alpha-2 code, or a country name'),
  phone: text(40).nullish(),
  isDefault: z.boolean().optional(),
});

/** Who an order or cart belongs to, for identity resolution when no customer record was sent. */
export const customerRef = z.object({
  externalId: externalId.nullish(),
  email: z.string().trim().max(254).nullish(),
  phone: text(40).nullish(),
  firstName: text(100).nullish(),
  lastName: text(100).nullish(),
});

export const customerInput = z.object({
  externalId,
  email: z.email().max(254).nullish(),
  phone: text(40).nullish(),
  firstName: text(100).nullish(),
  lastName: text(100).nullish(),
  company: text(200).nullish(),
  locale: text(20).nullish(),
  timeZone: text(64).nullish(),
  addresses: z.array(addressInput).max(50).optional(),
  emailConsent: consentState.nullish(),
  smsConsent: consentState.nullish(),
  tags: z.array(text(100)).max(100).optional(),
  createdAt: timestamp.nullish(),
  updatedAt: timestamp.describe(
    "the source's last-updated time: an older update never overwrites a newer one",
  ),
});

export const variantInput = z.object({
  externalId,
  sku: text(100).nullish(),
  title: text(300).nullish(),
  priceMinor: minor.nullish(),
  inventoryQuantity: z.number().int().nullish(),
});

export const productInput = z.object({
  externalId,
  title: text(500).min(1),
  handle: text(300).nullish(),
  vendor: text(200).nullish(),
  productType: text(200).nullish(),
  categories: z.array(text(200)).max(50).optional(),
  status: z.enum(['active', 'draft', 'archived']).optional(),
  currency: currencyCode.nullish(),
  imageUrl: z.url().max(2000).nullish(),
  variants: z.array(variantInput).max(500).default([]),
  createdAt: timestamp.nullish(),
  updatedAt: timestamp,
});

export const orderLineInput = z.object({
  externalId: externalId.nullish(),
  productExternalId: externalId.nullish(),
  variantExternalId: externalId.nullish(),
  sku: text(100).nullish(),
  title: text(500).min(1),
  quantity: z.number().int().min(-1_000_000).max(1_000_000),
  unitPriceMinor: minor,
  discountMinor: minor.default(0),
});

export const orderInput = z.object({
  externalId,
  number: text(100).min(1),
  customer: customerRef.nullish(),
  status: z.enum(['open', 'closed', 'cancelled']).default('open'),
  financialStatus: text(40).nullish(),
  fulfillmentStatus: text(40).nullish(),
  currency: currencyCode,
  subtotalMinor: minor.nullish(),
  discountMinor: minor.default(0),
  taxMinor: minor.default(0),
  shippingMinor: minor.default(0),
  totalMinor: minor,
  discountCodes: z.array(text(100)).max(50).default([]),
  lines: z.array(orderLineInput).max(1000).default([]),
  sourceName: text(100).nullish(),
  placedAt: timestamp,
  updatedAt: timestamp,
  cancelledAt: timestamp.nullish(),
});

export const refundInput = z.object({
  externalId,
  /** the refunded order; a return that names no order (e.g. a cancellation invoice) names its customer */
  orderExternalId: externalId.nullish(),
  customer: customerRef.nullish(),
  amountMinor: minor.refine((v) => v >= 0, 'a refund amount is positive'),
  currency: currencyCode,
  reason: text(500).nullish(),
  lines: z
    .array(
      z.object({
        lineExternalId: externalId.nullish(),
        sku: text(100).nullish(),
        quantity: z.number().int().min(0),
        amountMinor: minor,
      }),
    )
    .max(1000)
    .default([]),
  createdAt: timestamp,
});

export const checkoutInput = z.object({
  externalId,
  customer: customerRef.nullish(),
  currency: currencyCode,
  totalMinor: minor,
  lines: z.array(orderLineInput).max(1000).default([]),
  recoveryUrl: z.url().max(2000).nullish(),
  completedAt: timestamp.nullish(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export type CustomerInput = z.infer<typeof customerInput>;
export type ProductInput = z.infer<typeof productInput>;
export type OrderInput = z.infer<typeof orderInput>;
export type RefundInput = z.infer<typeof refundInput>;
export type CheckoutInput = z.infer<typeof checkoutInput>;
