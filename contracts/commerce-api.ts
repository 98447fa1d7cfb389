import { z } from 'zod';
import { checkoutInput, customerInput, orderInput, productInput, refundInput } from './commerce.ts';
import { pageOf, pageQuery } from './common.ts';

const batchOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item).min(1).max(1000) });

/** Lifecycle stages in their order: no orders yet (lead; prospect when they showed interest), then
 * ordering (customer, loyal), then late (at risk, churned). */
export const lifecycleStages = ['lead', 'prospect', 'customer', 'loyal', 'at_risk', 'churned'] as const;
export const customerBatch = batchOf(customerInput);
export const productBatch = batchOf(productInput);
export const orderBatch = batchOf(orderInput);
export const refundBatch = batchOf(refundInput);
export const checkoutBatch = batchOf(checkoutInput);

export const batchResult = z.object({
  results: z.array(
    z.object({
      externalId: z.string(),
      id: z.string().nullable(),
      status: z.enum(['created', 'updated', 'unchanged', 'stale']),
    }),
  ),
});

const iso = z.string();

export const customerSummary = z.object({
  id: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  company: z.string().nullable(),
  country: z.string().nullable(),
  city: z.string().nullable(),
  tags: z.array(z.string()),
  emailConsent: z.string().nullable(),
  smsConsent: z.string().nullable(),
  ordersCount: z.number(),
  totalSpentMinor: z.number(),
  refundedMinor: z.number(),
  aovMinor: z.number(),
  currency: z.string().nullable(),
  firstOrderAt: iso.nullable(),
  lastOrderAt: iso.nullable(),
  avgDaysBetweenOrders: z.number().nullable(),
  externalIds: z.array(z.object({ kind: z.string(), value: z.string() })),
  mergedInto: z.string().nullable(),
  /** custom field values by key (see /api/v1/custom-fields) */
  custom: z.record(z.string(), z.unknown()),
  ownerUserId: z.string().nullable(),
  healthScore: z.number().nullable(),
  churnRisk: z.enum(['low', 'medium', 'high']).nullable(),
  lifecycleStage: z.enum(lifecycleStages).nullable(),
  tier: z.enum(['gold', 'silver', 'bronze']).nullable(),
  createdAt: iso,
  updatedAt: iso,
  version: z.number(),
});
export const customerSorts = [
  'created',
  'name',
  'email',
  'orders',
  'spent',
  'last_order',
  'health',
  'stage',
  'tier',
  'country',
] as const;
/** `cf.<key>`: sorting or filtering the customer list by a custom field */
export const customSortPattern = /^cf\.[a-z][a-z0-9_]*$/;
export const customFilterPattern = /^cf\.([a-z][a-z0-9_]*)(?:\.(min|max))?$/;
export const customerListQuery = pageQuery
  .extend({
    /** typo-tolerant: name, email, phone, company (trigrams), or a platform id exactly */
    q: z.string().trim().max(2000).optional(),
    country: z.string().max(80).optional(),
    tag: z.string().max(100).optional(),
    tier: z.enum(['gold', 'silver', 'bronze']).optional(),
    lifecycle: z.enum(lifecycleStages).optional(),
    churnRisk: z.enum(['low', 'medium', 'high']).optional(),
    owner: z.uuid().optional(),
    minOrders: z.coerce.number().int().min(0).optional(),
    maxOrders: z.coerce.number().int().min(0).optional(),
    minSpentMinor: z.coerce.number().int().optional(),
    maxSpentMinor: z.coerce.number().int().optional(),
    lastOrderAfter: z.iso.date().optional(),
    lastOrderBefore: z.iso.date().optional(),
    /** ignored while searching: matches come best first; `cf.<key>` sorts by a custom field */
    sort: z
      .union([
        z.enum(customerSorts),
        z.string().regex(customSortPattern, 'a column of the list, or cf.<custom field key>'),
      ])
      .default('created'),
    dir: z.enum(['asc', 'desc']).default('desc'),
  })
  // custom field filters: cf.<key>=value, cf.<key>.min=, cf.<key>.max= (checked against the fields)
  .catchall(z.string().max(2000));
export const customerPage = pageOf(customerSummary);
export const mergeBody = z.object({ mergeId: z.uuid().describe('the duplicate to fold into this customer') });

export const orderLine = z.object({
  lineNo: z.number(),
  externalId: z.string().nullable(),
  productExternalId: z.string().nullable(),
  variantExternalId: z.string().nullable(),
  sku: z.string().nullable(),
  title: z.string(),
  quantity: z.number(),
  unitPriceMinor: z.number(),
  discountMinor: z.number(),
});
export const refundView = z.object({
  id: z.string(),
  externalId: z.string(),
  amountMinor: z.number(),
  currency: z.string(),
  reason: z.string().nullable(),
  refundedAt: iso,
});
export const orderSummary = z.object({
  id: z.string(),
  source: z.string(),
  externalId: z.string(),
  number: z.string(),
  customerId: z.string().nullable(),
  customerEmail: z.string().nullable(),
  customerName: z.string().nullable(),
  status: z.string(),
  financialStatus: z.string().nullable(),
  fulfillmentStatus: z.string().nullable(),
  currency: z.string(),
  totalMinor: z.number(),
  refundedMinor: z.number(),
  placedAt: iso,
});
export const orderDetail = orderSummary.extend({
  subtotalMinor: z.number(),
  discountMinor: z.number(),
  taxMinor: z.number(),
  shippingMinor: z.number(),
  discountCodes: z.array(z.string()),
  sourceName: z.string().nullable(),
  cancelledAt: iso.nullable(),
  lines: z.array(orderLine),
  refunds: z.array(refundView),
  history: z.array(z.object({ type: z.string(), at: iso, payload: z.unknown() })),
});
export const orderListQuery = pageQuery.extend({
  q: z.string().trim().max(200).optional(),
  status: z.enum(['open', 'closed', 'cancelled']).optional(),
  customerId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export const orderPage = pageOf(orderSummary);

export const productSummary = z.object({
  id: z.string(),
  source: z.string(),
  externalId: z.string(),
  title: z.string(),
  vendor: z.string().nullable(),
  productType: z.string().nullable(),
  categories: z.array(z.string()),
  status: z.string(),
  imageUrl: z.string().nullable(),
  variants: z.array(
    z.object({
      externalId: z.string(),
      sku: z.string().nullable(),
      title: z.string().nullable(),
      priceMinor: z.number().nullable(),
      inventoryQuantity: z.number().nullable(),
    }),
  ),
  currency: z.string().nullable(),
  updatedAt: iso,
});
export const productListQuery = pageQuery.extend({ q: z.string().trim().max(200).optional() });
export const productDetail = productSummary.extend({
  handle: z.string().nullable(),
  deleted: z.boolean(),
  sales: z.object({
    orders: z.number(),
    units: z.number(),
    revenueMinor: z.number(),
    customers: z.number(),
    firstSoldAt: iso.nullable(),
    lastSoldAt: iso.nullable(),
    currency: z.string().nullable(),
    mixedCurrencies: z.boolean(),
  }),
  monthly: z.array(z.object({ month: z.string(), units: z.number(), revenueMinor: z.number() })),
  topCustomers: z.array(
    z.object({
      id: z.string(),
      email: z.string().nullable(),
      name: z.string().nullable(),
      units: z.number(),
      revenueMinor: z.number(),
    }),
  ),
  boughtWith: z.array(
    z.object({ id: z.string().nullable(), externalId: z.string(), title: z.string(), orders: z.number() }),
  ),
  recentOrders: z.array(
    z.object({
      id: z.string(),
      number: z.string(),
      placedAt: iso,
      currency: z.string(),
      quantity: z.number(),
      revenueMinor: z.number(),
    }),
  ),
});
export const productPage = pageOf(productSummary);
