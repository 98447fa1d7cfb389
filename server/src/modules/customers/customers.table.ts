// Customer 360: notes, tag colours, custom field definitions and the timeline (migration 0009, with
// row-level security like 0004). The scores and custom field values live on `customers` itself.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
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
import { createdAt, updatedAt, workspaceId } from '../../platform/columns.ts';
import { customers } from '../commerce/commerce.table.ts';
import { workspaces } from '../workspaces/workspaces.table.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true });

/** A note on a customer: pinned notes lead the page; mentions name teammates. */
export const customerNotes = pgTable(
  'customer_notes',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    customerId: uuid('customer_id').notNull(),
    body: text('body').notNull(),
    pinned: boolean('pinned').notNull().default(false),
    mentions: uuid('mentions').array().notNull().default(sql`'{}'::uuid[]`),
    authorUserId: uuid('author_user_id'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('customer_notes_customer_idx').on(t.workspaceId, t.customerId, t.createdAt),
    foreignKey({
      columns: [t.workspaceId, t.customerId],
      foreignColumns: [customers.workspaceId, customers.id],
    }).onDelete('cascade'),
  ],
);

/** A tag's colour (tags themselves live on customers.tags; a tag without a row is grey). */
export const tagDefinitions = pgTable(
  'tag_definitions',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    colour: text('colour').notNull().default('gray'),
    /** set by the worker's rules ("High spender", "At risk", …) rather than by people */
    automatic: boolean('automatic').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
);

/** A custom field admins define on customers (or companies): its key, type and validation. */
export const customFieldDefs = pgTable(
  'custom_field_defs',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    entity: text('entity').notNull().default('customer'),
    key: text('key').notNull(),
    label: text('label').notNull(),
    type: text('type').notNull(),
    options: jsonb('options').notNull().default(sql`'[]'::jsonb`),
    required: boolean('required').notNull().default(false),
    position: integer('position').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('custom_field_defs_key_idx').on(t.workspaceId, t.entity, t.key),
  ],
);

/**
 * The customer timeline: one row per thing that happened to a customer, written from the events
 * outbox (one row per event at most: event_id is unique), newest first by (at, id).
 */
export const timelineItems = pgTable(
  'timeline_items',
  {
    workspaceId: workspaceId(),
    id: bigserial('id', { mode: 'number' }).notNull(),
    customerId: uuid('customer_id').notNull(),
    at: ts('at').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    detail: jsonb('detail').notNull().default(sql`'{}'::jsonb`),
    refType: text('ref_type'),
    refId: text('ref_id'),
    eventId: uuid('event_id'),
    actorUserId: uuid('actor_user_id'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('timeline_items_customer_idx').on(t.workspaceId, t.customerId, t.at.desc(), t.id.desc()),
    uniqueIndex('timeline_items_event_idx').on(t.workspaceId, t.eventId),
    foreignKey({
      columns: [t.workspaceId, t.customerId],
      foreignColumns: [customers.workspaceId, customers.id],
    }).onDelete('cascade'),
  ],
);

/**
 * How a workspace scores its customers: the lifecycle rules it can tune, and the spend and
 * reorder-gap figures of its customers that scores compare with (refreshed by the full rescore).
 */
export const customerScoring = pgTable('customer_scoring', {
  workspaceId: workspaceId()
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  loyalMinOrders: integer('loyal_min_orders').notNull().default(3),
  atRiskFactor: numeric('at_risk_factor', { precision: 6, scale: 2, mode: 'number' }).notNull().default(1.5),
  churnedFactor: numeric('churned_factor', { precision: 6, scale: 2, mode: 'number' }).notNull().default(3),
  medianSpentMinor: bigint('median_spent_minor', { mode: 'number' }),
  topSpentMinor: bigint('top_spent_minor', { mode: 'number' }),
  medianGapDays: numeric('median_gap_days', { precision: 10, scale: 2, mode: 'number' }),
  computedAt: ts('computed_at'),
  version: integer('version').notNull().default(1),
});

/** A saved list view: filters, search and sort under a name, for its owner or shared (owner null). */
export const savedViews = pgTable(
  'saved_views',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    entity: text('entity').notNull().default('customers'),
    name: text('name').notNull(),
    /** null: shared with the workspace */
    ownerUserId: uuid('owner_user_id'),
    params: jsonb('params').notNull(),
    createdByUserId: uuid('created_by_user_id'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('saved_views_owner_idx').on(t.workspaceId, t.entity, t.ownerUserId),
  ],
);
