import { index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, workspaceId } from '../../platform/columns.ts';
import { workspaces } from '../workspaces/workspaces.table.ts';

/** A connected store: where its webhooks come from and the secret that signs them. */
export const integrations = pgTable(
  'integrations',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    kind: text('kind').notNull(),
    /** Shopify: the shop's myshopify.com domain; WooCommerce: the store's URL origin */
    address: text('address').notNull(),
    secret: text('secret').notNull(),
    currency: text('currency').notNull().default('USD'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('integrations_address_idx').on(t.kind, t.address),
  ],
);

/** Every webhook delivery received, with what became of it; redeliveries are recognised by their id. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    kind: text('kind').notNull(),
    topic: text('topic').notNull(),
    deliveryId: text('delivery_id').notNull(),
    status: text('status').notNull(),
    detail: text('detail'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('webhook_deliveries_dedupe_idx').on(t.workspaceId, t.kind, t.deliveryId),
    index('webhook_deliveries_recent_idx').on(t.workspaceId, t.receivedAt),
  ],
);

/** Privacy requests from the store platform (Shopify's customers/data_request and customers/redact). */
export const privacyRequests = pgTable(
  'privacy_requests',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    source: text('source').notNull(),
    kind: text('kind').notNull(),
    customerId: uuid('customer_id'),
    email: text('email'),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull().default('open'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** The public key the tracking snippet sends with its events; it only allows writing events. */
export const trackingKeys = pgTable('tracking_keys', {
  key: text('key').primaryKey(),
  workspaceId: uuid('workspace_id')
    .notNull()
    .unique()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
});

/** Which customer an anonymous visitor of the store's site turned out to be. */
export const visitors = pgTable(
  'visitors',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    identifiedAt: timestamp('identified_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.visitorId] })],
);
