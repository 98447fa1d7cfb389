import {
  bigint,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, workspaceId } from './columns.ts';

/**
 * The events outbox: every change writes its domain event here in the same transaction. Events are
 * written once and never changed; `seq` orders them. Which are still to be handled is `event_queue`.
 */
export const events = pgTable(
  'events',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    type: text('type').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    actorUserId: uuid('actor_user_id'),
    payload: jsonb('payload').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('events_subject_idx').on(t.workspaceId, t.subjectType, t.subjectId, t.seq),
  ],
);

/**
 * The events not yet handled, one narrow row per event and lane: a trigger on `events` adds a `main`
 * row for every event written, and a `metrics` row for the events that change customer metrics
 * (migrations 0025, 0026). The dispatch that runs a lane's handlers deletes its rows in the same
 * transaction; a failed attempt stays with its count, error and back-off. Metrics have a lane of their
 * own so that they are current without waiting for the slower handlers, which wait for them instead
 * (ADR 0008).
 */
export const eventQueue = pgTable(
  'event_queue',
  {
    lane: text('lane').notNull().default('main'),
    workspaceId: workspaceId(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    eventId: uuid('event_id').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** after a failed attempt, not before this time (exponential back-off) */
    retryAt: timestamp('retry_at', { withTimezone: true }),
  },
  (t) => [
    // seq first (ADR 0009): the dispatcher walks the queue in seq order along it, and looks up a
    // subject's oldest queued event in the subject index's own order, which no statistics can turn
    // into a walk of the key
    primaryKey({ columns: [t.seq, t.lane] }),
    index('event_queue_subject_idx').on(t.lane, t.workspaceId, t.subjectType, t.subjectId, t.seq),
  ],
);

/** Stored answers to POST requests sent with an Idempotency-Key, replayed on a retry. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    responseBody: text('response_body'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** One row per job whose effects committed: a retried job finds it and does nothing twice. */
export const jobCompletions = pgTable('job_completions', {
  jobId: text('job_id').primaryKey(),
  queue: text('queue').notNull(),
  completedAt: timestamp('completed_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Indexes rebuilt by their upkeep job: the bytes per entry right after the last rebuild, against which
 * the index's growth is measured (migration 0023).
 */
export const indexRebuilds = pgTable('index_rebuilds', {
  indexName: text('index_name').primaryKey(),
  bytesPerEntry: doublePrecision('bytes_per_entry').notNull(),
  rebuiltAt: timestamp('rebuilt_at', { withTimezone: true }).notNull().defaultNow(),
});
