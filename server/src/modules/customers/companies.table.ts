// B2B companies and related contacts (migration 0012, with row-level security like 0009). A
// customer's company link is customers.company_id; the free-text customers.company stays what the
// platform sent.
import { sql } from 'drizzle-orm';
import {
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, workspaceId } from '../../platform/columns.ts';
import { customers } from '../commerce/commerce.table.ts';
import { workspaces } from '../workspaces/workspaces.table.ts';

/** A company (account) that customers belong to: the B2B facts sales and quotes need. */
export const companies = pgTable(
  'companies',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    domain: text('domain'),
    industry: text('industry'),
    /** a band such as 11-50 (contracts/companies.ts companySizes) */
    size: text('size'),
    accountManagerUserId: uuid('account_manager_user_id'),
    netTermsDays: integer('net_terms_days'),
    priceTier: text('price_tier'),
    description: text('description'),
    custom: jsonb('custom').notNull().default({}),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('companies_name_idx').on(t.workspaceId, sql`lower(${t.name})`, t.id),
    index('companies_domain_idx').on(t.workspaceId, t.domain),
    check('companies_net_terms_check', sql`${t.netTermsDays} IS NULL OR ${t.netTermsDays} BETWEEN 0 AND 365`),
  ],
);

/**
 * Two customers related to each other: one row per pair (either way round), read from both sides.
 * `customer_id` added it: for gift_recipient, related_customer_id receives the gifts.
 */
export const customerRelations = pgTable(
  'customer_relations',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    customerId: uuid('customer_id').notNull(),
    relatedCustomerId: uuid('related_customer_id').notNull(),
    kind: text('kind').notNull(),
    note: text('note'),
    createdByUserId: uuid('created_by_user_id'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('customer_relations_customer_idx').on(t.workspaceId, t.customerId),
    index('customer_relations_related_idx').on(t.workspaceId, t.relatedCustomerId),
    uniqueIndex('customer_relations_pair_idx').on(
      t.workspaceId,
      sql`least(${t.customerId}, ${t.relatedCustomerId})`,
      sql`greatest(${t.customerId}, ${t.relatedCustomerId})`,
    ),
    check('customer_relations_not_self', sql`${t.customerId} <> ${t.relatedCustomerId}`),
    foreignKey({
      columns: [t.workspaceId, t.customerId],
      foreignColumns: [customers.workspaceId, customers.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.workspaceId, t.relatedCustomerId],
      foreignColumns: [customers.workspaceId, customers.id],
    }).onDelete('cascade'),
  ],
);
