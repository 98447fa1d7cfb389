// Saved segments, their members and history, and stored RFM scores (migration 0007, with
// row-level security like 0004).
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, workspaceId } from '../../platform/columns.ts';
import { customers } from '../commerce/commerce.table.ts';
import { workspaces } from '../workspaces/workspaces.table.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true });

/** A saved segment: its rules (JSON and text), dynamic (kept current) or static (a frozen list). */
export const segments = pgTable(
  'segments',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    kind: text('kind').notNull().default('dynamic'),
    definition: jsonb('definition'),
    query: text('query'),
    prebuiltKey: text('prebuilt_key'),
    memberCount: integer('member_count').notNull().default(0),
    revenueMinor: bigint('revenue_minor', { mode: 'number' }).notNull().default(0),
    evaluatedAt: ts('evaluated_at'),
    createdByUserId: uuid('created_by_user_id'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const segmentMembers = pgTable(
  'segment_members',
  {
    workspaceId: workspaceId(),
    segmentId: uuid('segment_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    enteredAt: ts('entered_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.segmentId, t.customerId] }),
    index('segment_members_customer_idx').on(t.workspaceId, t.customerId),
    foreignKey({
      columns: [t.workspaceId, t.segmentId],
      foreignColumns: [segments.workspaceId, segments.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.workspaceId, t.customerId],
      foreignColumns: [customers.workspaceId, customers.id],
    }).onDelete('cascade'),
  ],
);

/** Membership history: who entered or left a dynamic segment, and when. */
export const segmentMembershipEvents = pgTable(
  'segment_membership_events',
  {
    workspaceId: workspaceId(),
    id: bigserial('id', { mode: 'number' }).notNull(),
    segmentId: uuid('segment_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    change: text('change').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('segment_membership_events_segment_idx').on(t.workspaceId, t.segmentId, t.at),
    foreignKey({
      columns: [t.workspaceId, t.segmentId],
      foreignColumns: [segments.workspaceId, segments.id],
    }).onDelete('cascade'),
  ],
);

/** A segment's size, revenue and AOV per day (size over time). */
export const segmentSnapshots = pgTable(
  'segment_snapshots',
  {
    workspaceId: workspaceId(),
    segmentId: uuid('segment_id').notNull(),
    day: date('day').notNull(),
    members: integer('members').notNull(),
    revenueMinor: bigint('revenue_minor', { mode: 'number' }).notNull(),
    aovMinor: bigint('aov_minor', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.segmentId, t.day] }),
    foreignKey({
      columns: [t.workspaceId, t.segmentId],
      foreignColumns: [segments.workspaceId, segments.id],
    }).onDelete('cascade'),
  ],
);

/** Stored RFM scores (recomputed set-based by a job from the same SQL as the live grid, rfm.ts). */
export const rfmScores = pgTable(
  'rfm_scores',
  {
    workspaceId: workspaceId(),
    customerId: uuid('customer_id').notNull(),
    r: smallint('r').notNull(),
    f: smallint('f').notNull(),
    m: smallint('m').notNull(),
    groupKey: text('group_key').notNull(),
    scoredAt: ts('scored_at').notNull().default(sql`now()`),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.customerId] }),
    index('rfm_scores_group_idx').on(t.workspaceId, t.groupKey),
    foreignKey({
      columns: [t.workspaceId, t.customerId],
      foreignColumns: [customers.workspaceId, customers.id],
    }).onDelete('cascade'),
  ],
);
