import { type SQL, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { anyOf, records } from './bulk.ts';
import { type Db, rows } from './db.ts';
import { events } from './platform.table.ts';
import { nudgeTableUpkeep } from './table-upkeep.ts';
import { newId } from './tokens.ts';

export type DomainEvent = {
  workspaceId: string;
  id: string;
  seq: string;
  type: string;
  subjectType: string;
  subjectId: string;
  actorUserId: string | null;
  payload: Record<string, unknown>;
  occurredAt: string;
};

export type NewEvent = {
  workspaceId: string;
  type: string;
  subjectType: string;
  subjectId: string;
  actorUserId?: string | null;
  payload: Record<string, unknown>;
};

/**
 * Writes a domain event in the caller's transaction: it exists exactly when the change does. The
 * trigger on `events` queues it and wakes the workers when the transaction commits.
 */
export async function recordEvent(tx: Db, e: NewEvent): Promise<string> {
  const id = newId();
  await tx.insert(events).values({
    workspaceId: e.workspaceId,
    id,
    type: e.type,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    actorUserId: e.actorUserId ?? null,
    payload: e.payload,
  });
  return id;
}

/** Writes many domain events in the caller's transaction (one statement). */
export async function recordEvents(tx: Db, list: NewEvent[]): Promise<void> {
  if (list.length === 0) return;
  for (let i = 0; i < list.length; i += 5000) {
    const chunk = list.slice(i, i + 5000);
    await tx.execute(
      sql`INSERT INTO events (workspace_id, id, type, subject_type, subject_id, actor_user_id, payload) ${records(
        [
          ['workspaceId', 'uuid'],
          ['id', 'uuid'],
          ['type', 'text'],
          ['subjectType', 'text'],
          ['subjectId', 'text'],
          ['actorUserId', 'uuid'],
          ['payload', 'jsonb'],
        ],
        chunk.map((e) => ({ ...e, id: newId() })),
      )}`,
    );
  }
}

/** The customer ids events touch, per workspace (for handlers that work a batch set-based). */
export function customersByWorkspace(
  events: DomainEvent[],
  idsOf: (e: DomainEvent) => string[],
): Map<string, string[]> {
  const by = new Map<string, Set<string>>();
  for (const e of events) {
    const set = by.get(e.workspaceId) ?? new Set<string>();
    for (const id of idsOf(e)) set.add(id);
    by.set(e.workspaceId, set);
  }
  return new Map([...by].filter(([, s]) => s.size > 0).map(([ws, s]) => [ws, [...s]]));
}

/**
 * The queue's lanes, in the order a dispatch takes them. The metrics handler has a lane of its own
 * (its event types are queued there too, by the trigger of migration 0026): customer metrics are
 * current without waiting for the slower handlers, and a `main` event waits until its `metrics` row
 * is handled, because scores and segments read the metrics.
 */
export const LANES = ['metrics', 'main'] as const;
export type Lane = (typeof LANES)[number];

/** A handler runs inside the dispatch transaction: its writes commit with the event's dispatch, once. */
export type EventHandler = {
  name: string;
  /** the queue lane it takes its events from (default `main`) */
  lane?: Lane;
  types: string[] | '*';
  handle: (tx: Db, event: DomainEvent) => Promise<void>;
  /** Optional: handles many events at once (same effect as one by one, in one statement or a few). */
  handleBatch?: (tx: Db, events: DomainEvent[]) => Promise<void>;
};

const matches = (h: EventHandler, e: DomainEvent) => h.types === '*' || h.types.includes(e.type);

const MAX_ATTEMPTS = 10;

/**
 * Events handled per transaction at most. Under a backlog (a bulk import, a burst of webhooks) large
 * batches let each handler work set-based and touch each customer once per batch rather than once
 * per order. A new store's first 20,000 orders (5,000 customers, about 25,000 events): at 1,000 events
 * a batch the metrics handler took 1.1 s, at 5,000 0.6 s, at 20,000 0.2 s, and the whole dispatch
 * (metrics, scores, segments, timeline) 5.2-5.4 s at 5,000 against 2.9-3.0 s at 20,000. The price is
 * that a batch holds the rows it changed until it commits (the whole dispatch of those orders took
 * 2.4-3.0 s), so an edit of one of those customers may wait that long during a backlog. When the
 * outbox is quiet a batch is just the few events there are. On the embedded database one connection
 * serves the web app as well and a batch holds it for its whole length, so batches stay smaller there.
 */
export const DISPATCH_BATCH = { server: 20_000, embedded: 1000 } as const;

/**
 * The main lane's batch at most while events are arriving (the metrics lane had some this round).
 * A worker takes the lanes in turn, so a long main batch holds up the next metrics batch: 20,000
 * orders through the batch API with the worker alongside had their metrics current 3.1-3.2 s after the
 * last order with main batches of 20,000, and 0.6 s after it with batches of 2,000, everything being
 * current at the same time (7.0 s). A backlog with nothing arriving (the metrics lane empty) is still
 * taken in full batches: in batches of 2,000, scores and segment upkeep took twice as long.
 */
export const MAIN_BATCH_WHILE_ARRIVING = 2000;

/**
 * For each lane with a handler among `handlers` (metrics first), takes a batch of queued events
 * (skipping rows another worker holds, and events whose subject has an older event still queued in
 * that lane, so each subject is handled in order; the main lane's batch is smaller when the metrics
 * lane had events, MAIN_BATCH_WHILE_ARRIVING), runs the lane's matching handlers and takes the
 * events off the lane — one transaction per lane. A failed event stays queued with its error.
 * Returns how many events it handled, over the lanes.
 */
export async function dispatchBatch(
  db: Db,
  handlers: EventHandler[],
  log: Logger,
  limit: number = DISPATCH_BATCH.server,
): Promise<number> {
  let handled = 0;
  let arriving = false;
  for (const lane of LANES) {
    const mine = handlers.filter((h) => (h.lane ?? 'main') === lane);
    if (mine.length === 0) continue;
    const n = await dispatchLane(
      db,
      lane,
      mine,
      log,
      lane === 'main' && arriving ? Math.min(limit, MAIN_BATCH_WHILE_ARRIVING) : limit,
    );
    if (lane === 'metrics') arriving = n > 0;
    handled += n;
  }
  // handlers write scores, segment members and timeline items: keep the planner's view of them current
  if (handled > 0) nudgeTableUpkeep(db, log);
  return handled;
}

/** Dispatches until the lanes `handlers` take from are empty (an import's end, a bench); how many it handled. */
export async function drainEvents(
  db: Db,
  handlers: EventHandler[],
  log: Logger,
  limit: number = DISPATCH_BATCH.server,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await dispatchBatch(db, handlers, log, limit);
    if (n === 0) return total;
    total += n;
  }
}

/**
 * The statement that takes a lane's next batch. Each of its lookups (the event, the subject's oldest
 * queued event, the event's metrics row) is a subquery the planner cannot turn into a join (OFFSET 0,
 * LIMIT), so each is an index probe per event taken, whatever the statistics say. A queue's
 * statistics are always wrong (ADR 0009): taken while it was nearly empty, they made the planner
 * join the burst that followed against itself without an index, minutes for 20,000 events.
 *
 * An event is taken only if it is its subject's oldest queued one: the first entry at or after the
 * subject in the subject index's order (the event itself is there, so that entry is of its subject),
 * asked for as that order (a row comparison and ORDER BY … LIMIT 1, sorting being off): no other
 * index or scan gives that order. Asked for as "an older event of the subject", the planner
 * could also walk the queue's key back from the event, and it did once the queue's indexes had grown
 * in a burst and its statistics said two rows: every index looked as if it cost its whole size, and
 * the key was the smaller. Each event taken then read every older event of the lane (over 30 s for a
 * batch of 20,000 where the probe takes 0.2-0.3 s).
 */
export function pickQuery(lane: Lane, limit: number): SQL {
  return sql`SELECT e.workspace_id AS "workspaceId", e.id, q.seq::text AS seq, e.type, e.subject_type AS "subjectType",
                 e.subject_id AS "subjectId", e.actor_user_id AS "actorUserId", e.payload,
                 e.occurred_at AS "occurredAt", q.attempts
            FROM event_queue q
            CROSS JOIN LATERAL (SELECT * FROM events e
                                 WHERE e.workspace_id = q.workspace_id AND e.id = q.event_id OFFSET 0) e
           WHERE q.lane = ${lane} AND q.attempts < ${MAX_ATTEMPTS}
             AND (q.retry_at IS NULL OR q.retry_at <= now())
             AND q.seq = (SELECT o.seq FROM event_queue o
                           WHERE (o.lane, o.workspace_id, o.subject_type, o.subject_id)
                                 >= (q.lane, q.workspace_id, q.subject_type, q.subject_id)
                             AND o.attempts < ${MAX_ATTEMPTS}
                           ORDER BY o.lane, o.workspace_id, o.subject_type, o.subject_id, o.seq
                           LIMIT 1)
             ${
               lane === 'main'
                 ? sql`AND NOT EXISTS (SELECT 1 FROM event_queue m
                                        WHERE m.seq = q.seq AND m.lane = 'metrics' AND m.attempts < ${MAX_ATTEMPTS} OFFSET 0)`
                 : sql``
             }
           ORDER BY q.seq
           LIMIT ${limit}
           FOR UPDATE OF q SKIP LOCKED`;
}

async function dispatchLane(
  db: Db,
  lane: Lane,
  handlers: EventHandler[],
  log: Logger,
  limit: number,
): Promise<number> {
  return db.transaction(async (tx) => {
    // Sorting is off for this one statement, so the oldest events are walked in order along the
    // queue's key (a burst the statistics did not know of was otherwise read whole and sorted to keep
    // the first thousand: 0.3 s for 27,000 rather than 7 ms).
    // Just-in-time compilation is off for the whole batch: the handlers' set-based statements over a
    // big batch cost enough for PostgreSQL to compile them, every batch anew (48-103 ms each for the
    // metrics, scores and segment statements of 5,000 customers), to save less than it took.
    const [prior] = await rows<{ sort: string }>(
      tx as unknown as Db,
      sql`SELECT current_setting('enable_sort') AS sort, set_config('enable_sort', 'off', true),
                 set_config('jit', 'off', true)`,
    );
    const batch = await rows<DomainEvent & { attempts: number }>(tx as unknown as Db, pickQuery(lane, limit));
    await tx.execute(sql`SELECT set_config('enable_sort', ${prior!.sort}, true)`);
    if (batch.length === 0) return 0;
    // First the whole batch in one savepoint (fast); if any handler fails, event by event, so the
    // failing one is isolated and the rest are still handled.
    try {
      await tx.transaction(async (sp) => {
        for (const h of handlers) {
          const mine = batch.filter((e) => matches(h, e));
          if (mine.length === 0) continue;
          if (h.handleBatch) await h.handleBatch(sp as unknown as Db, mine);
          else for (const e of mine) await h.handle(sp as unknown as Db, e);
        }
        await sp.execute(
          sql`DELETE FROM event_queue WHERE lane = ${lane} AND ${anyOf(
            sql.raw('seq'),
            'bigint',
            batch.map((e) => e.seq),
          )}`,
        );
      });
      return batch.length;
    } catch (err) {
      log.debug({ err, lane }, 'batch dispatch failed; handling its events one by one');
    }
    for (const event of batch) {
      try {
        await tx.transaction(async (sp) => {
          for (const h of handlers) {
            if (matches(h, event)) await h.handle(sp as unknown as Db, event);
          }
          await sp.execute(sql`DELETE FROM event_queue WHERE lane = ${lane} AND seq = ${event.seq}::bigint`);
        });
      } catch (err) {
        log.warn({ err, eventId: event.id, type: event.type, lane }, 'event handler failed; will retry');
        await tx.execute(
          sql`UPDATE event_queue SET attempts = attempts + 1, last_error = ${String(err)},
                             retry_at = now() + least(power(2, attempts), 3600) * interval '1 second'
               WHERE lane = ${lane} AND seq = ${event.seq}::bigint`,
        );
      }
    }
    return batch.length;
  });
}
