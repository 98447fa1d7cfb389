// Customer metrics (orders count, net spend, refunds, AOV, first/last order, days between orders),
// kept current by the worker from the events outbox: each order or refund event recomputes the
// metrics of the customers it touches from their rows, so they always equal a full recomputation.
//
// Rolling windows: for the windows segments ask about most (the last 30, 60, 90, 180 and 365 days),
// the same pass stores each customer's counted orders, net spend and gross spend in the window as of
// a UTC day, with the span of days over which those figures stay exact: from that day until the day
// the oldest counted order in some window falls out of it. A segment rule over such a window reads the
// stored figure inside the span and counts the orders itself outside it (compile.ts); the hourly
// order-windows job recomputes the customers whose span has ended.
import { type SQL, sql } from 'drizzle-orm';
import { type Db, inWorkspace, rows } from '../../platform/db.ts';
import { customersByWorkspace, type DomainEvent, type EventHandler } from '../../platform/events.ts';
import { fanOutToWorkspaces, type JobDef } from '../../platform/jobs.ts';
import type { Runtime } from '../../platform/runtime.ts';

const DAY = 86_400_000;

/** The windows (days back from the start of today, UTC) kept per customer; see ORDER_WINDOW_COLUMNS. */
export const ORDER_WINDOWS = [30, 60, 90, 180, 365] as const;
export type OrderWindow = (typeof ORDER_WINDOWS)[number];

/** The customers columns holding a window's counted orders, net spend and gross spend (minor units). */
export const orderWindowColumns = (n: OrderWindow) => ({
  count: sql.raw(`orders_${n}d`),
  net: sql.raw(`spent_${n}d_minor`),
  gross: sql.raw(`gross_${n}d_minor`),
});

/** 'YYYY-MM-DD' of the UTC day a moment falls on. */
export const utcDay = (t: Date): string =>
  new Date(Math.floor(t.getTime() / DAY) * DAY).toISOString().slice(0, 10);

function windowAggregates(asOf: Date): { select: SQL; set: SQL } {
  const today = Math.floor(asOf.getTime() / DAY) * DAY;
  const select: SQL[] = [];
  const set: SQL[] = [];
  const dropsOut: SQL[] = [];
  for (const n of ORDER_WINDOWS) {
    const inWindow = sql`placed_at >= ${new Date(today - n * DAY).toISOString()}::timestamptz`;
    select.push(
      sql.raw(`, `),
      sql`count(*) FILTER (WHERE ${inWindow}) AS ${sql.raw(`n${n}`)},
      sum(total_minor - refunded_minor) FILTER (WHERE ${inWindow}) AS ${sql.raw(`s${n}`)},
      sum(total_minor) FILTER (WHERE ${inWindow}) AS ${sql.raw(`g${n}`)},
      min(placed_at) FILTER (WHERE ${inWindow}) AS ${sql.raw(`m${n}`)}`,
    );
    const col = orderWindowColumns(n);
    set.push(sql`${col.count} = coalesce(${sql.raw(`o.n${n}`)}, 0), ${col.net} = coalesce(${sql.raw(`o.s${n}`)}, 0),
      ${col.gross} = coalesce(${sql.raw(`o.g${n}`)}, 0)`);
    // an order placed on day d is in an n-day window through day d + n
    dropsOut.push(sql`(${sql.raw(`o.m${n}`)} AT TIME ZONE 'UTC')::date + ${sql.raw(String(n + 1))}`);
  }
  set.push(sql`order_windows_from = ${utcDay(asOf)}::date`);
  set.push(sql`order_windows_until = coalesce(least(${sql.join(dropsOut, sql`, `)}), 'infinity'::date)`);
  return { select: sql.join(select), set: sql.join(set, sql`, `) };
}

/**
 * Customers whose stored windows are due on `day`: never computed, or their span has ended (windows
 * computed on a later day are newer, not due).
 */
const windowsDue = (day: string) =>
  sql`(c.order_windows_from IS NULL OR c.order_windows_until <= ${day}::date)`;

/**
 * Recomputes the customers' metrics and order windows (as of `asOf`, default now) from their orders
 * and refunds. With `onlyDue`, a customer whose windows were recomputed meanwhile (by the order
 * handler, after this statement's snapshot) is left alone rather than overwritten with older figures.
 */
export async function recomputeCustomerMetrics(
  tx: Db,
  workspaceId: string,
  customerIds: string[],
  opts: { asOf?: Date; onlyDue?: boolean } = {},
): Promise<void> {
  const ids = [...new Set(customerIds.filter(Boolean))];
  if (ids.length === 0) return;
  const asOf = opts.asOf ?? new Date();
  const windows = windowAggregates(asOf);
  // Each customer's orders and refunds are aggregated by a lookup of their own (LATERAL: one probe of
  // the customer's index entries each), and the customers are found by key: plans that stay the same
  // whatever the statistics say. A hash join over the workspace's orders, chosen when the statistics
  // still described a smaller store (a first import), read every order of the workspace per batch.
  // The workspace comes from the ids row, not a constant: statistics that knew only another, bigger
  // workspace made this one look like a single row, and the lookup walked its every order by date.
  await tx.execute(sql`
    WITH ids AS MATERIALIZED (SELECT ${workspaceId}::uuid AS workspace_id, unnest(${sql.param(ids)}::uuid[]) AS id),
    o AS MATERIALIZED (
      SELECT ids.id AS customer_id, a.* FROM ids CROSS JOIN LATERAL (
        SELECT count(*) AS n, sum(total_minor) AS gross, sum(refunded_minor) AS refunded_on_orders,
               min(placed_at) AS first_at, max(placed_at) AS last_at, mode() WITHIN GROUP (ORDER BY currency) AS cur
               ${windows.select}
          FROM orders
         WHERE workspace_id = ids.workspace_id AND customer_id = ids.id AND status <> 'cancelled') a),
    r AS MATERIALIZED (
      SELECT ids.id AS customer_id, a.* FROM ids CROSS JOIN LATERAL (
        SELECT sum(amount_minor) AS refunded, coalesce(sum(amount_minor) FILTER (WHERE order_id IS NULL), 0) AS loose
          FROM refunds
         WHERE workspace_id = ids.workspace_id AND customer_id = ids.id) a)
    UPDATE customers c
       SET orders_count = coalesce(o.n, 0),
           total_spent_minor = coalesce(o.gross, 0) - coalesce(o.refunded_on_orders, 0) - coalesce(r.loose, 0),
           refunded_minor = coalesce(r.refunded, 0),
           aov_minor = CASE WHEN o.n > 0 THEN round(o.gross::numeric / o.n) ELSE 0 END,
           currency = coalesce(o.cur, c.currency),
           first_order_at = o.first_at,
           last_order_at = o.last_at,
           avg_days_between_orders = CASE WHEN o.n > 1
             THEN round((extract(epoch FROM o.last_at - o.first_at) / 86400 / (o.n - 1))::numeric, 2) END,
           ${windows.set}
      FROM o JOIN r ON r.customer_id = o.customer_id
     WHERE c.workspace_id = ${workspaceId} AND c.id = ANY(${sql.param(ids)}::uuid[]) AND c.id = o.customer_id
       ${opts.onlyDue ? sql`AND ${windowsDue(utcDay(asOf))}` : sql``}`);
}

const WINDOW_BATCH = 2_000;

/**
 * Brings every customer's order windows of a workspace up to `asOf`'s day: those whose span has ended
 * (or who were never computed, e.g. loaded before the windows existed) are recomputed in batches, each
 * its own transaction, so order handlers wait on a batch at most. Returns how many were recomputed.
 */
export async function refreshOrderWindows(db: Db, workspaceId: string, asOf = new Date()): Promise<number> {
  const day = utcDay(asOf);
  // one index-only pass over customers by last order date finds them; the batches then go by id
  const due = await inWorkspace(db, workspaceId, (tx) =>
    rows<{ id: string }>(
      tx,
      sql`SELECT c.id FROM customers c
           WHERE c.workspace_id = ${workspaceId} AND c.last_order_at IS NOT NULL
             AND c.merged_into IS NULL AND c.deleted_at IS NULL AND ${windowsDue(day)}`,
    ),
  );
  for (let i = 0; i < due.length; i += WINDOW_BATCH) {
    const ids = due.slice(i, i + WINDOW_BATCH).map((r) => r.id);
    await inWorkspace(db, workspaceId, (tx) =>
      recomputeCustomerMetrics(tx, workspaceId, ids, { asOf, onlyDue: true }),
    );
  }
  return due.length;
}

/** Hourly (days turn at 00:00 UTC): one job per workspace refreshes the order windows. */
export const orderWindowJobs = (rt: Pick<Runtime, 'jobs'>): JobDef<{ workspaceId?: string }>[] => [
  fanOutToWorkspaces(rt, 'customers.order-windows', '2 * * * *', 'customers.order-windows-workspace'),
  {
    name: 'customers.order-windows-workspace',
    longRunning: async (db, data) => {
      if (data.workspaceId) await refreshOrderWindows(db, data.workspaceId);
    },
  },
];

/** The event types that change customer metrics; the queue's trigger lists them too (migration 0026). */
export const METRIC_EVENTS = [
  'order.placed',
  'order.updated',
  'order.cancelled',
  'order.refunded',
  'customer.merged',
];

/** The customers an order, refund or merge event concerns (both sides of a move or a merge). */
export function customersOf(e: DomainEvent): string[] {
  const p = e.payload as {
    customerId?: string | null;
    previousCustomerId?: string | null;
    survivorId?: string;
  };
  return [p.customerId, p.previousCustomerId, p.survivorId].filter((x): x is string => typeof x === 'string');
}

export const metricsHandler: EventHandler = {
  name: 'customer-metrics',
  lane: 'metrics',
  types: METRIC_EVENTS,
  handle: (tx, e) => recomputeCustomerMetrics(tx, e.workspaceId, customersOf(e)),
  handleBatch: async (tx, events) => {
    for (const [ws, ids] of customersByWorkspace(events, customersOf))
      await recomputeCustomerMetrics(tx, ws, ids);
  },
};
