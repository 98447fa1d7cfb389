// Product-affinity tags: a customer "Likes <Category>" when at least AFFINITY_MIN_ORDERS of their
// orders, or at least AFFINITY_SHARE of the quantity they ordered, hold products of that category.
// Cancelled orders, fully refunded orders and refunded line quantities do not count, so a refund or a
// cancellation can take the tag away. The worker keeps them with the other automatic tags (after
// each order and refund, and on the full rescore); for one order it reads one customer's lines.
// The rule is written twice on purpose: in SQL (set-based, what the worker runs) and as a plain
// function (likedCategories); the tests check that the two agree.
import { type SQL, sql } from 'drizzle-orm';
import { AFFINITY_MIN_ORDERS, AFFINITY_SHARE } from '../../../../contracts/scoring.ts';
import { type Db, rows } from '../../platform/db.ts';
import { type NewEvent, recordEvents } from '../../platform/events.ts';

export const AFFINITY_PREFIX = 'Likes ';

/** What a customer bought in one category: in how many orders, and how many items. */
export type CategoryUse = { category: string; orders: number; quantity: number };

/**
 * The rule, for one customer: the categories they like, given their use of each category and the
 * total quantity of everything they ordered (a line counts for every category of its product).
 */
export function likedCategories(
  use: CategoryUse[],
  totalQuantity: number,
  minOrders = AFFINITY_MIN_ORDERS,
  share = AFFINITY_SHARE,
): string[] {
  return use
    .filter(
      (u) =>
        u.quantity > 0 &&
        (u.orders >= minOrders || (totalQuantity > 0 && u.quantity >= share * totalQuantity)),
    )
    .map((u) => u.category)
    .sort();
}

/**
 * Per customer (all of a workspace's, or those given): their use of each category and their total
 * quantity, counting only what they kept. The same figures `likedCategories` decides on.
 */
function categoryUseSql(workspaceId: string, only: SQL): SQL {
  return sql`target AS MATERIALIZED (
      SELECT c.workspace_id, c.id, c.tags FROM customers c
       WHERE c.workspace_id = ${workspaceId} AND c.merged_into IS NULL AND c.deleted_at IS NULL ${only}
    ), kept AS MATERIALIZED (
      -- each customer's orders, each order's lines and each line's product by their own index lookup
      -- (LATERAL, OFFSET 0 keeps them apart; the workspace comes from the row, not a constant, so its
      -- statistics cannot make the workspace look like one row): a plan that holds whatever the
      -- statistics say. Joins planned from statistics that knew only another, bigger workspace
      -- walked every order of the workspace for every line of it (20 minutes for one batch).
      SELECT o.customer_id, o.id AS order_id, p.categories,
             greatest(ol.quantity - coalesce(back.q, 0), 0) AS qty
        FROM target t
        CROSS JOIN LATERAL (
          SELECT o.workspace_id, o.id, o.customer_id, o.source FROM orders o
           WHERE o.workspace_id = t.workspace_id AND o.customer_id = t.id
             AND o.status <> 'cancelled' AND NOT (o.refunded_minor > 0 AND o.refunded_minor >= o.total_minor)
          OFFSET 0) o
        CROSS JOIN LATERAL (
          SELECT ol.quantity, ol.product_external_id, ol.external_id, ol.sku FROM order_lines ol
           WHERE ol.workspace_id = o.workspace_id AND ol.order_id = o.id
          OFFSET 0) ol
        LEFT JOIN LATERAL (
          SELECT p.categories FROM products p
           WHERE p.workspace_id = o.workspace_id AND p.source = o.source AND p.external_id = ol.product_external_id
          OFFSET 0) p ON true
        LEFT JOIN LATERAL (
          SELECT sum(greatest((rl->>'quantity')::int, 0)) AS q
            FROM refunds r CROSS JOIN jsonb_array_elements(r.lines) AS rl
           WHERE r.workspace_id = o.workspace_id AND r.order_id = o.id
             AND (rl->>'lineExternalId' = ol.external_id
                  OR (rl->>'lineExternalId' IS NULL AND rl->>'sku' = ol.sku))) back ON true
    ), per_category AS (
      SELECT k.customer_id, cat AS category, count(DISTINCT k.order_id)::int AS orders, sum(k.qty)::int AS quantity
        FROM kept k CROSS JOIN unnest(k.categories) AS cat
       WHERE k.qty > 0
       GROUP BY 1, 2
    ), totals AS (
      SELECT customer_id, sum(qty)::int AS quantity FROM kept GROUP BY 1
    )`;
}

/**
 * Keeps the "Likes <Category>" tags of a workspace's customers (all, or those given) true: adds the
 * ones the rule now gives, removes the automatic ones it no longer does, leaves every other tag where
 * it is. With `announce`, each change is a customer.tagged / customer.untagged event.
 */
export async function keepAffinityTags(
  tx: Db,
  workspaceId: string,
  ids: string[] | undefined,
  announce: boolean,
): Promise<void> {
  const only = ids ? sql`AND c.id = ANY(${sql.param(ids)}::uuid[])` : sql``;
  const moved = await rows<{ id: string; old_tags: string[]; tags: string[] }>(
    tx,
    sql`WITH ${categoryUseSql(workspaceId, only)}, liked AS (
          SELECT pc.customer_id, array_agg(${AFFINITY_PREFIX}::text || pc.category ORDER BY pc.category) AS likes
            FROM per_category pc JOIN totals t ON t.customer_id = pc.customer_id
           WHERE pc.orders >= ${AFFINITY_MIN_ORDERS}::int OR pc.quantity >= ${AFFINITY_SHARE}::numeric * t.quantity
           GROUP BY 1
        ), defs AS (
          INSERT INTO tag_definitions (workspace_id, name, colour, automatic)
          SELECT DISTINCT ${workspaceId}::uuid, n, 'violet', true FROM liked CROSS JOIN unnest(liked.likes) AS n
          ON CONFLICT (workspace_id, name) DO NOTHING
        ), managed AS (
          SELECT coalesce(array_agg(lower(name)), '{}'::text[]) AS names FROM tag_definitions
           WHERE workspace_id = ${workspaceId} AND automatic AND name LIKE ${`${AFFINITY_PREFIX}%`}
        ), next AS (
          SELECT t.id, t.tags AS old_tags,
                 array(SELECT x FROM unnest(t.tags) WITH ORDINALITY AS u(x, o)
                        WHERE lower(x) <> ALL(m.names) OR lower(x) = ANY(patron_lower_tags(coalesce(l.likes, '{}')))
                        ORDER BY o)
                 || array(SELECT y FROM unnest(coalesce(l.likes, '{}'::text[])) AS y
                           WHERE lower(y) <> ALL(patron_lower_tags(t.tags))) AS tags
            FROM target t CROSS JOIN managed m LEFT JOIN liked l ON l.customer_id = t.id
        )
        UPDATE customers c SET tags = n.tags
          FROM next n
         WHERE c.workspace_id = ${workspaceId} AND c.id = n.id AND n.tags IS DISTINCT FROM n.old_tags
        RETURNING c.id, n.old_tags, c.tags`,
  );
  if (!announce || moved.length === 0) return;
  const isLike = (t: string) => t.startsWith(AFFINITY_PREFIX);
  const events: NewEvent[] = [];
  for (const m of moved) {
    const before = m.old_tags.filter(isLike);
    const after = m.tags.filter(isLike);
    for (const [type, tags] of [
      ['customer.tagged', after.filter((t) => !before.includes(t))],
      ['customer.untagged', before.filter((t) => !after.includes(t))],
    ] as const)
      for (const tag of tags)
        events.push({
          workspaceId,
          type,
          subjectType: 'customer',
          subjectId: m.id,
          payload: { customerId: m.id, tag, automatic: true },
        });
  }
  await recordEvents(tx, events);
}

/** One customer's use of each category and total quantity (for tests and explanations). */
export async function categoryUse(
  tx: Db,
  workspaceId: string,
  customerId: string,
): Promise<{ use: CategoryUse[]; total: number }> {
  const only = sql`AND c.id = ${customerId}`;
  const use = await rows<CategoryUse>(
    tx,
    sql`WITH ${categoryUseSql(workspaceId, only)} SELECT category, orders, quantity FROM per_category ORDER BY category`,
  );
  const [t] = await rows<{ quantity: number }>(
    tx,
    sql`WITH ${categoryUseSql(workspaceId, only)} SELECT quantity FROM totals`,
  );
  return { use, total: t?.quantity ?? 0 };
}
