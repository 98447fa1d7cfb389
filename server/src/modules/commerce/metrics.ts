// Customer metrics (orders count, net spend, refunds, AOV, first/last order, days between orders),
// kept current by the worker from the events outbox: each order or refund event recomputes the
// metrics of the customers it touches from their rows, so they always equal a full recomputation.
import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.ts';
import { customersByWorkspace, type DomainEvent, type EventHandler } from '../../platform/events.ts';

export async function recomputeCustomerMetrics(
  tx: Db,
  workspaceId: string,
  customerIds: string[],
): Promise<void> {
  const ids = [...new Set(customerIds.filter(Boolean))];
  if (ids.length === 0) return;
  await tx.execute(sql`
    WITH ids AS MATERIALIZED (SELECT unnest(${sql.param(ids)}::uuid[]) AS id),
    -- Materialised: aggregated once for the batch. Inlined, the planner may re-aggregate the
    -- workspace's orders once per customer when other workspaces dwarf this one.
    o AS MATERIALIZED (
      SELECT customer_id, count(*) AS n, sum(total_minor) AS gross, sum(refunded_minor) AS refunded_on_orders,
             min(placed_at) AS first_at, max(placed_at) AS last_at, mode() WITHIN GROUP (ORDER BY currency) AS cur
        FROM orders
       WHERE workspace_id = ${workspaceId} AND customer_id IN (SELECT id FROM ids) AND status <> 'cancelled'
       GROUP BY customer_id),
    r AS MATERIALIZED (
      SELECT customer_id, sum(amount_minor) AS refunded, coalesce(sum(amount_minor) FILTER (WHERE order_id IS NULL), 0) AS loose
        FROM refunds
       WHERE workspace_id = ${workspaceId} AND customer_id IN (SELECT id FROM ids)
       GROUP BY customer_id)
    UPDATE customers c
       SET orders_count = coalesce(o.n, 0),
           total_spent_minor = coalesce(o.gross, 0) - coalesce(o.refunded_on_orders, 0) - coalesce(r.loose, 0),
           refunded_minor = coalesce(r.refunded, 0),
           aov_minor = CASE WHEN o.n > 0 THEN round(o.gross::numeric / o.n) ELSE 0 END,
           currency = coalesce(o.cur, c.currency),
           first_order_at = o.first_at,
           last_order_at = o.last_at,
           avg_days_between_orders = CASE WHEN o.n > 1
             THEN round((extract(epoch FROM o.last_at - o.first_at) / 86400 / (o.n - 1))::numeric, 2) END
      FROM ids LEFT JOIN o ON o.customer_id = ids.id LEFT JOIN r ON r.customer_id = ids.id
     WHERE c.workspace_id = ${workspaceId} AND c.id = ids.id`);
}

const METRIC_EVENTS = [
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
  types: METRIC_EVENTS,
  handle: (tx, e) => recomputeCustomerMetrics(tx, e.workspaceId, customersOf(e)),
  handleBatch: async (tx, events) => {
    for (const [ws, ids] of customersByWorkspace(events, customersOf))
      await recomputeCustomerMetrics(tx, ws, ids);
  },
};
