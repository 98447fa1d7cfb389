import { sql } from 'drizzle-orm';
import {
  bigint,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { citext, createdAt, updatedAt, workspaceId } from '../../platform/columns.ts';
import { companies } from '../customers/companies.table.ts';
import { workspaces } from '../workspaces/workspaces.table.ts';

const money = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);
const ts = (name: string) => timestamp(name, { withTimezone: true });

/** One row per person. Metrics are kept current by the worker from the events outbox. */
export const customers = pgTable(
  'customers',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    email: citext('email'),
    phone: text('phone'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    company: text('company'),
    locale: text('locale'),
    timeZone: text('time_zone'),
    country: text('country'),
    city: text('city'),
    /**
     * Country and city lower-cased (migration 0020): what rules and filters compare, with `=` — which,
     * unlike lower(), row-level security lets PostgreSQL use as an index condition.
     */
    countryLower: text('country_lower').generatedAlwaysAs(sql`lower(country)`),
    cityLower: text('city_lower').generatedAlwaysAs(sql`lower(city)`),
    addresses: jsonb('addresses').notNull().default([]),
    emailConsent: text('email_consent'),
    smsConsent: text('sms_consent'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** the tags lower-cased, kept by a trigger (migration 0018): what tag rules and filters compare */
    tagsLower: text('tags_lower').array().notNull().default(sql`'{}'::text[]`),
    sourceCreatedAt: ts('source_created_at'),
    sourceUpdatedAt: ts('source_updated_at'),
    mergedInto: uuid('merged_into'),
    deletedAt: ts('deleted_at'),
    ordersCount: integer('orders_count').notNull().default(0),
    totalSpentMinor: money('total_spent_minor'),
    refundedMinor: money('refunded_minor'),
    aovMinor: money('aov_minor'),
    currency: text('currency'),
    firstOrderAt: ts('first_order_at'),
    lastOrderAt: ts('last_order_at'),
    avgDaysBetweenOrders: numeric('avg_days_between_orders', { precision: 10, scale: 2, mode: 'number' }),
    // Rolling order windows (migration 0015, metrics.ts): counted orders, net and gross spend in the last
    // 30/60/90/180/365 days as of order_windows_from, exact for every day before order_windows_until
    orders30d: integer('orders_30d').notNull().default(0),
    spent30dMinor: money('spent_30d_minor'),
    gross30dMinor: money('gross_30d_minor'),
    orders60d: integer('orders_60d').notNull().default(0),
    spent60dMinor: money('spent_60d_minor'),
    gross60dMinor: money('gross_60d_minor'),
    orders90d: integer('orders_90d').notNull().default(0),
    spent90dMinor: money('spent_90d_minor'),
    gross90dMinor: money('gross_90d_minor'),
    orders180d: integer('orders_180d').notNull().default(0),
    spent180dMinor: money('spent_180d_minor'),
    gross180dMinor: money('gross_180d_minor'),
    orders365d: integer('orders_365d').notNull().default(0),
    spent365dMinor: money('spent_365d_minor'),
    gross365dMinor: money('gross_365d_minor'),
    orderWindowsFrom: date('order_windows_from', { mode: 'string' }),
    orderWindowsUntil: date('order_windows_until', { mode: 'string' }),
    // Customer 360 (migration 0009): custom field values by key, the owner, and the scores the worker keeps
    custom: jsonb('custom').notNull().default({}),
    ownerUserId: uuid('owner_user_id'),
    healthScore: integer('health_score'),
    healthReasons: jsonb('health_reasons').notNull().default([]),
    churnRisk: text('churn_risk'),
    lifecycleStage: text('lifecycle_stage'),
    tier: text('tier'),
    /** when the scores or automatic tags last changed (a rescore that moves nothing leaves the row be) */
    scoredAt: ts('scored_at'),
    /** the company record this customer belongs to (migration 0012) */
    companyId: uuid('company_id'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // No index on email or phone: a person is found by either through customer_identities, and the
    // list, search and segments read them through expressions an index on the column cannot serve;
    // every write of a customer (its metrics, scores, segments) updated both for nothing (migration 0032).
    // segment counts walk this one (migration 0022 adds the covering columns drizzle cannot declare):
    // live customers only, like every query that reads it
    index('customers_last_order_idx')
      .on(t.workspaceId, t.lastOrderAt)
      .where(sql`merged_into is null and deleted_at is null`),
    // the list sorts on these: an index per column lets a sorted page stop after 50 rows
    index('customers_spent_idx').on(t.workspaceId, t.totalSpentMinor, t.id),
    index('customers_orders_idx').on(t.workspaceId, t.ordersCount, t.id),
    index('customers_health_idx').on(t.workspaceId, t.healthScore, t.id),
    index('customers_company_idx').on(t.workspaceId, t.companyId),
    foreignKey({
      columns: [t.workspaceId, t.companyId],
      foreignColumns: [companies.workspaceId, companies.id],
    }),
  ],
);

/**
 * Identity resolution: every way a person is known (email, phone, a platform's customer id) points at
 * one customer. Unique per workspace, so one email is one person.
 */
export const customerIdentities = pgTable(
  'customer_identities',
  {
    workspaceId: workspaceId(),
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    customerId: uuid('customer_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.kind, t.value] }),
    index('customer_identities_customer_idx').on(t.workspaceId, t.customerId),
    // No foreign key to customers (ADR 0011): identities are written only by identity resolution and
    // merges, with ids of customers found or created in the same transaction; customers are never
    // deleted but with their workspace, whose statement trigger deletes the identities (migration 0030).
  ],
);

/** Audited history of merges: which customer was folded into which, by whom. */
export const customerMerges = pgTable(
  'customer_merges',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    survivorId: uuid('survivor_id').notNull(),
    mergedId: uuid('merged_id').notNull(),
    mergedSnapshot: jsonb('merged_snapshot').notNull(),
    actorUserId: uuid('actor_user_id'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('customer_merges_survivor_idx').on(t.workspaceId, t.survivorId),
  ],
);

export const products = pgTable(
  'products',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    title: text('title').notNull(),
    handle: text('handle'),
    vendor: text('vendor'),
    productType: text('product_type'),
    categories: text('categories').array().notNull().default(sql`'{}'::text[]`),
    /** when the categories last changed (or the product arrived): the full rescore rereads its buyers */
    categoriesChangedAt: ts('categories_changed_at').notNull().default(sql`now()`),
    status: text('status').notNull().default('active'),
    currency: text('currency'),
    imageUrl: text('image_url'),
    sourceUpdatedAt: ts('source_updated_at'),
    deletedAt: ts('deleted_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('products_external_idx').on(t.workspaceId, t.source, t.externalId),
  ],
);

export const productVariants = pgTable(
  'product_variants',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    productId: uuid('product_id').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    sku: text('sku'),
    title: text('title'),
    priceMinor: bigint('price_minor', { mode: 'number' }),
    inventoryQuantity: integer('inventory_quantity'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('product_variants_external_idx').on(t.workspaceId, t.source, t.externalId),
    index('product_variants_sku_idx').on(t.workspaceId, t.sku),
    foreignKey({
      columns: [t.workspaceId, t.productId],
      foreignColumns: [products.workspaceId, products.id],
    }).onDelete('cascade'),
  ],
);

export const orders = pgTable(
  'orders',
  {
    // No foreign key to workspaces (ADR 0011): a check per order, and deleting a workspace deletes its
    // orders through a statement trigger on workspaces (migration 0030).
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    number: text('number').notNull(),
    customerId: uuid('customer_id'),
    status: text('status').notNull(),
    financialStatus: text('financial_status'),
    fulfillmentStatus: text('fulfillment_status'),
    currency: text('currency').notNull(),
    subtotalMinor: money('subtotal_minor'),
    discountMinor: money('discount_minor'),
    taxMinor: money('tax_minor'),
    shippingMinor: money('shipping_minor'),
    totalMinor: money('total_minor'),
    refundedMinor: money('refunded_minor'),
    discountCodes: text('discount_codes').array().notNull().default(sql`'{}'::text[]`),
    sourceName: text('source_name'),
    placedAt: ts('placed_at').notNull(),
    cancelledAt: ts('cancelled_at'),
    sourceUpdatedAt: ts('source_updated_at').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('orders_external_idx').on(t.workspaceId, t.source, t.externalId),
    index('orders_customer_idx').on(t.workspaceId, t.customerId, t.placedAt),
    index('orders_placed_idx').on(t.workspaceId, t.placedAt),
    index('orders_number_idx').on(t.workspaceId, t.number),
    // customer_id carries no foreign key (ADR 0006): customers are never deleted by the app (its role
    // may not), and each key check row-locked the customer, a quarter of the batch API's time.
  ],
);

export const orderLines = pgTable(
  'order_lines',
  {
    workspaceId: workspaceId(),
    orderId: uuid('order_id').notNull(),
    lineNo: integer('line_no').notNull(),
    externalId: text('external_id'),
    productExternalId: text('product_external_id'),
    variantExternalId: text('variant_external_id'),
    sku: text('sku'),
    title: text('title').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceMinor: money('unit_price_minor'),
    discountMinor: money('discount_minor'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.orderId, t.lineNo] }),
    // the product page: a product's sales, by the store's product id
    index('order_lines_product_idx').on(t.workspaceId, t.productExternalId),
    // No foreign key to orders (ADR 0007): only the order upsert writes lines, for the orders it has
    // just written in the same transaction, and a statement trigger on orders deletes the lines of
    // deleted orders (migration 0024). A key check per line was a third of the lines' insert cost.
  ],
);

export const refunds = pgTable(
  'refunds',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    orderId: uuid('order_id'),
    customerId: uuid('customer_id'),
    amountMinor: money('amount_minor'),
    currency: text('currency').notNull(),
    reason: text('reason'),
    lines: jsonb('lines').notNull().default([]),
    refundedAt: ts('refunded_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('refunds_external_idx').on(t.workspaceId, t.source, t.externalId),
    index('refunds_order_idx').on(t.workspaceId, t.orderId),
    index('refunds_customer_idx').on(t.workspaceId, t.customerId),
    foreignKey({
      columns: [t.workspaceId, t.customerId],
      foreignColumns: [customers.workspaceId, customers.id],
    }),
    foreignKey({ columns: [t.workspaceId, t.orderId], foreignColumns: [orders.workspaceId, orders.id] }),
  ],
);

/** Carts and checkouts, for abandoned-cart work. */
export const checkouts = pgTable(
  'checkouts',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    customerId: uuid('customer_id'),
    email: citext('email'),
    currency: text('currency').notNull(),
    totalMinor: money('total_minor'),
    lines: jsonb('lines').notNull().default([]),
    recoveryUrl: text('recovery_url'),
    completedAt: ts('completed_at'),
    sourceCreatedAt: ts('source_created_at').notNull(),
    sourceUpdatedAt: ts('source_updated_at').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('checkouts_external_idx').on(t.workspaceId, t.source, t.externalId),
    index('checkouts_customer_idx').on(t.workspaceId, t.customerId),
    foreignKey({
      columns: [t.workspaceId, t.customerId],
      foreignColumns: [customers.workspaceId, customers.id],
    }),
  ],
);

/** Page, product and cart events from the store's site (the tracking snippet). */
export const browsingEvents = pgTable(
  'browsing_events',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    visitorId: text('visitor_id').notNull(),
    customerId: uuid('customer_id'),
    type: text('type').notNull(),
    url: text('url'),
    productExternalId: text('product_external_id'),
    properties: jsonb('properties').notNull().default({}),
    occurredAt: ts('occurred_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('browsing_events_visitor_idx').on(t.workspaceId, t.visitorId),
    index('browsing_events_customer_idx').on(t.workspaceId, t.customerId, t.occurredAt),
    foreignKey({
      columns: [t.workspaceId, t.customerId],
      foreignColumns: [customers.workspaceId, customers.id],
    }),
  ],
);
