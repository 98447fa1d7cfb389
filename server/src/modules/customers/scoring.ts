// Customer scores, set-based: health 1–100 with the reasons behind it, churn risk, lifecycle stage and
// tier. They compare each customer with the workspace's own figures (median and top-fifth spend, the
// median gap between orders), which the full rescore refreshes and the per-event rescore reads.
//
// Health = recency (up to 40: days since the last order against the customer's own reorder gap, or
// the workspace's) + frequency (up to 30: number of orders) + value (up to 20: spend against the
// workspace's median and top fifth) + refunds (up to 10: little of what they bought came back).
// Churn risk: days since the last order over the expected gap — above the workspace's churned factor
// high, above its at-risk factor medium, else low. Lifecycle: lead (no orders) or prospect (no orders,
// but subscribed to email marketing or started a checkout) → customer → loyal (at
// least loyal_min_orders orders), at risk and churned by the churn risk. Tier: gold (top fifth of
// spend), silver (above the median), bronze.
import { type SQL, sql } from 'drizzle-orm';
import { type ScoringRules, scoringDefaults } from '../../../../contracts/scoring.ts';
import { type Db, rows } from '../../platform/db.ts';
import {
  customersByWorkspace,
  type DomainEvent,
  type EventHandler,
  type NewEvent,
  recordEvents,
} from '../../platform/events.ts';
import { customersOf } from '../commerce/metrics.ts';
import { keepAffinityTags } from './affinity.ts';

/** Refreshes the workspace's comparison figures (median and top-fifth spend, median reorder gap). */
export async function refreshScoringStats(tx: Db, workspaceId: string): Promise<void> {
  await tx.execute(
    sql`INSERT INTO customer_scoring (workspace_id, median_spent_minor, top_spent_minor, median_gap_days, computed_at)
        SELECT ${workspaceId},
               percentile_disc(0.5) WITHIN GROUP (ORDER BY total_spent_minor),
               percentile_disc(0.8) WITHIN GROUP (ORDER BY total_spent_minor),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY avg_days_between_orders)
                 FILTER (WHERE avg_days_between_orders IS NOT NULL),
               now()
          FROM customers
         WHERE workspace_id = ${workspaceId} AND orders_count > 0 AND merged_into IS NULL AND deleted_at IS NULL
        ON CONFLICT (workspace_id) DO UPDATE SET
          median_spent_minor = excluded.median_spent_minor, top_spent_minor = excluded.top_spent_minor,
          median_gap_days = excluded.median_gap_days, computed_at = excluded.computed_at`,
  );
}

/**
 * The workspace's rules and figures (`s`, defaults where it has none) and each customer's inputs
 * (`base`: orders, spend, refunds, days since the last order, the expected gap between orders, and
 * the stage and tier stored now). With `fresh`, the figures are computed from the customers as they
 * are now (what a full rescore would use) rather than read from the last rescore.
 */
function inputsSql(workspaceId: string, now: Date, only: SQL, fresh = false): SQL {
  const d = scoringDefaults;
  const figures = fresh
    ? sql`(SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY total_spent_minor) AS median_spent_minor,
                  percentile_disc(0.8) WITHIN GROUP (ORDER BY total_spent_minor) AS top_spent_minor,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY avg_days_between_orders)
                    FILTER (WHERE avg_days_between_orders IS NOT NULL) AS median_gap_days
             FROM customers
            WHERE workspace_id = ${workspaceId} AND orders_count > 0 AND merged_into IS NULL AND deleted_at IS NULL)`
    : sql`(SELECT median_spent_minor, top_spent_minor, median_gap_days FROM customer_scoring
            WHERE workspace_id = ${workspaceId})`;
  return sql`s AS (
          SELECT coalesce(cs.loyal_min_orders, ${d.loyalMinOrders}) AS loyal_min,
                 coalesce(cs.at_risk_factor, ${d.atRiskFactor}) AS at_risk,
                 coalesce(cs.churned_factor, ${d.churnedFactor}) AS churned,
                 coalesce(f.median_spent_minor, 0) AS med_spent, coalesce(f.top_spent_minor, 0) AS top_spent,
                 coalesce(f.median_gap_days, 60) AS med_gap
            FROM (SELECT 1) one LEFT JOIN customer_scoring cs ON cs.workspace_id = ${workspaceId}
                 LEFT JOIN LATERAL ${figures} f ON true
        ), base AS (
          SELECT c.id, c.orders_count AS n, c.total_spent_minor AS spent, c.refunded_minor AS refunded,
                 c.tags AS old_tags, c.first_order_at, c.lifecycle_stage AS stored_stage, c.tier AS stored_tier,
                 (c.orders_count = 0 AND (c.email_consent = 'subscribed' OR EXISTS (SELECT 1 FROM checkouts k
                    WHERE k.workspace_id = c.workspace_id AND k.customer_id = c.id))) AS interested,
                 extract(epoch FROM (${now.toISOString()}::timestamptz - c.last_order_at)) / 86400 AS days_since,
                 greatest(coalesce(c.avg_days_between_orders, s.med_gap), 7) AS gap, s.*
            FROM customers c CROSS JOIN s
           WHERE c.workspace_id = ${workspaceId} AND c.merged_into IS NULL AND c.deleted_at IS NULL ${only}
        )`;
}

// The rules, over a row `b` of base: shared by the scores and the preview of proposed rules.
const riskSql = (atRisk: SQL, churned: SQL) =>
  sql`CASE WHEN b.n = 0 THEN NULL WHEN b.days_since > ${churned} * b.gap THEN 'high'
           WHEN b.days_since > ${atRisk} * b.gap THEN 'medium' ELSE 'low' END`;
const stageSql = (risk: SQL, loyalMin: SQL) =>
  sql`CASE WHEN b.n = 0 AND b.interested THEN 'prospect' WHEN b.n = 0 THEN 'lead' WHEN ${risk} = 'high' THEN 'churned' WHEN ${risk} = 'medium' THEN 'at_risk'
           WHEN b.n >= ${loyalMin} THEN 'loyal' ELSE 'customer' END`;
const tierSql = sql`CASE WHEN b.n = 0 THEN NULL WHEN b.spent >= b.top_spent AND b.top_spent > 0 THEN 'gold'
                         WHEN b.spent > b.med_spent THEN 'silver' ELSE 'bronze' END`;

export type StageTierCount = {
  current: string;
  proposed: string;
  currentTier: string | null;
  proposedTier: string | null;
  n: number;
};

/**
 * Where the workspace's customers are now (their stored stage and tier) and where a full rescore
 * under proposed rules would put them (the rules over today's figures), counted by both; nothing is
 * written.
 */
export async function previewStages(
  tx: Db,
  workspaceId: string,
  rules: ScoringRules,
  now = new Date(),
): Promise<StageTierCount[]> {
  return rows<StageTierCount>(
    tx,
    sql`WITH ${inputsSql(workspaceId, now, sql``, true)}, x AS (
          SELECT coalesce(b.stored_stage, 'lead') AS current, b.stored_tier AS "currentTier",
                 ${stageSql(
                   riskSql(sql`${rules.atRiskFactor}::numeric`, sql`${rules.churnedFactor}::numeric`),
                   sql`${rules.loyalMinOrders}::int`,
                 )} AS proposed,
                 ${tierSql} AS "proposedTier"
            FROM base b)
        SELECT current, proposed, "currentTier", "proposedTier", count(*)::int AS n FROM x GROUP BY 1, 2, 3, 4`,
  );
}

/** Tags the worker keeps by rule (names reserved: a person cannot keep them by hand). */
export const AUTO_TAGS = ['High spender', 'Frequent buyer', 'At risk', 'New customer'] as const;

/**
 * Scores customers of a workspace (all of them, or those given) from their metrics, in one statement,
 * and keeps the automatic tags: High spender (gold tier), Frequent buyer (5 orders or more), At risk
 * (the stage), New customer (first order in the last 30 days). With `announce`, each automatic tag
 * change is a customer.tagged / customer.untagged event (the timeline and segments follow); the
 * hourly full rescore does not announce (time passing is nobody's doing). The product-affinity tags
 * ("Likes Coffee") follow in the same pass (affinity.ts).
 */
export async function scoreCustomers(
  tx: Db,
  workspaceId: string,
  ids?: string[],
  now = new Date(),
  announce = ids !== undefined,
  affinityOf: string[] | undefined = ids,
): Promise<void> {
  const only = ids ? sql`AND c.id = ANY(${sql.param(ids)}::uuid[])` : sql``;
  const auto = sql.param([...AUTO_TAGS]);
  await tx.execute(
    sql`INSERT INTO tag_definitions (workspace_id, name, colour, automatic)
        SELECT ${workspaceId}, n, 'violet', true FROM unnest(${auto}::text[]) AS n
        ON CONFLICT (workspace_id, name) DO NOTHING`,
  );
  const moved = await rows<{ id: string; old_tags: string[]; tags: string[] }>(
    tx,
    sql`WITH ${inputsSql(workspaceId, now, only)}, parts AS (
          SELECT b.*,
                 CASE WHEN b.n = 0 THEN 0 WHEN b.days_since <= b.gap THEN 40 WHEN b.days_since <= 2 * b.gap THEN 25
                      WHEN b.days_since <= 3 * b.gap THEN 10 ELSE 0 END AS r_pts,
                 CASE WHEN b.n >= 5 THEN 30 WHEN b.n >= 3 THEN 22 WHEN b.n = 2 THEN 15 WHEN b.n = 1 THEN 8 ELSE 0 END AS f_pts,
                 CASE WHEN b.n = 0 THEN 0 WHEN b.spent >= b.top_spent AND b.top_spent > 0 THEN 20
                      WHEN b.spent > b.med_spent THEN 12 ELSE 5 END AS m_pts,
                 CASE WHEN b.n = 0 THEN 0 WHEN b.refunded = 0 THEN 10
                      WHEN b.refunded * 10 < b.spent + b.refunded THEN 7
                      WHEN b.refunded * 10 < 3 * (b.spent + b.refunded) THEN 3 ELSE 0 END AS x_pts,
                 ${riskSql(sql`b.at_risk`, sql`b.churned`)} AS risk
            FROM base b
        ), staged AS (
          SELECT b.*, ${stageSql(sql`b.risk`, sql`b.loyal_min`)} AS stage, ${tierSql} AS tier_v
            FROM parts b
        ), tagged AS (
          SELECT st.*,
                 array(SELECT t FROM unnest(st.old_tags) AS t WHERE t <> ALL(${auto}::text[]))
                 || array_remove(ARRAY[
                      CASE WHEN st.tier_v = 'gold' THEN 'High spender' END,
                      CASE WHEN st.n >= 5 THEN 'Frequent buyer' END,
                      CASE WHEN st.stage = 'at_risk' THEN 'At risk' END,
                      CASE WHEN st.first_order_at >= ${now.toISOString()}::timestamptz - interval '30 days' THEN 'New customer' END
                    ]::text[], NULL) AS new_tags
            FROM staged st
        ), next AS (
          SELECT p.id, p.old_tags, greatest(1, p.r_pts + p.f_pts + p.m_pts + p.x_pts) AS health,
          jsonb_build_array(
            jsonb_build_object('factor', 'recency', 'points', p.r_pts, 'max', 40,
              'text', CASE WHEN p.n = 0 THEN 'No orders yet'
                           ELSE 'Last order ' || floor(p.days_since)::int || ' days ago; usually every ' || round(p.gap)::int || ' days' END),
            jsonb_build_object('factor', 'frequency', 'points', p.f_pts, 'max', 30,
              'text', p.n || CASE WHEN p.n = 1 THEN ' order' ELSE ' orders' END),
            jsonb_build_object('factor', 'value', 'points', p.m_pts, 'max', 20,
              'text', CASE WHEN p.n = 0 THEN 'Nothing spent yet' WHEN p.m_pts = 20 THEN 'Among the top fifth of spenders'
                           WHEN p.m_pts = 12 THEN 'Spends more than most customers' ELSE 'Spends less than most customers' END),
            jsonb_build_object('factor', 'refunds', 'points', p.x_pts, 'max', 10,
              'text', CASE WHEN p.n = 0 THEN 'No orders yet' WHEN p.refunded = 0 THEN 'Nothing refunded'
                           ELSE round(100.0 * p.refunded / nullif(p.spent + p.refunded, 0))::int || '% of spend refunded' END)) AS reasons,
                 p.risk, p.stage, p.tier_v,
                 CASE WHEN p.new_tags IS DISTINCT FROM p.old_tags THEN p.new_tags ELSE p.old_tags END AS tags
            FROM tagged p
        )
        -- only customers whose scores or tags move are written: a full rescore of a store where
        -- little changed rewrites few rows (every write of a customer re-indexes the row)
        UPDATE customers c SET
          health_score = p.health, health_reasons = p.reasons, churn_risk = p.risk, lifecycle_stage = p.stage,
          tier = p.tier_v, tags = p.tags, scored_at = ${now.toISOString()}::timestamptz
        FROM next p
        WHERE c.workspace_id = ${workspaceId} AND c.id = p.id
          AND (c.health_score, c.health_reasons, c.churn_risk, c.lifecycle_stage, c.tier, c.tags)
              IS DISTINCT FROM (p.health, p.reasons, p.risk, p.stage, p.tier_v, p.tags)
        RETURNING c.id, p.old_tags, c.tags`,
  );
  if (!affinityOf || affinityOf.length > 0) await keepAffinityTags(tx, workspaceId, affinityOf, announce);
  if (!announce) return;
  const isAuto = (t: string) => (AUTO_TAGS as readonly string[]).includes(t);
  const events: NewEvent[] = [];
  for (const m of moved) {
    const before = m.old_tags.filter(isAuto);
    const after = m.tags.filter(isAuto);
    const changes = [
      ...after.filter((t) => !before.includes(t)).map((tag) => ({ type: 'customer.tagged', tag })),
      ...before.filter((t) => !after.includes(t)).map((tag) => ({ type: 'customer.untagged', tag })),
    ];
    for (const ch of changes)
      events.push({
        workspaceId,
        type: ch.type,
        subjectType: 'customer',
        subjectId: m.id,
        payload: { customerId: m.id, tag: ch.tag, automatic: true },
      });
  }
  await recordEvents(tx, events);
}

/**
 * How far before the last full rescore category changes are looked at again (a change committed
 * while that rescore ran, after its snapshot, is then still caught).
 */
const PRODUCT_CHANGE_OVERLAP_MS = 3_600_000;
/** Past this many buyers to recompute, one pass over everyone costs less than a list. */
const AFFINITY_LIST_MAX = 50_000;

/**
 * Every customer of a workspace: the comparison figures first, then the scores. The "Likes <Category>"
 * tags have no time in their rule: orders and refunds keep them (the event handler), so the full
 * rescore recomputes them only for buyers of products whose categories changed since the last one —
 * or for everyone, the first time (and after the rules are saved). Reading every order line took
 * most of a full rescore.
 */
export async function rescoreCustomers(tx: Db, workspaceId: string, now = new Date()): Promise<void> {
  const [last] = await rows<{ at: Date | string | null }>(
    tx,
    sql`SELECT computed_at AS at FROM customer_scoring WHERE workspace_id = ${workspaceId}`,
  );
  let affinityOf: string[] | undefined;
  if (last?.at) {
    const since = new Date(new Date(last.at).getTime() - PRODUCT_CHANGE_OVERLAP_MS);
    const buyers = await rows<{ id: string }>(
      tx,
      sql`SELECT DISTINCT o.customer_id AS id
            FROM products p
            JOIN order_lines ol ON ol.workspace_id = p.workspace_id AND ol.product_external_id = p.external_id
            JOIN orders o ON o.workspace_id = ol.workspace_id AND o.id = ol.order_id AND o.source = p.source
           WHERE p.workspace_id = ${workspaceId} AND p.categories_changed_at >= ${since.toISOString()}::timestamptz
             AND o.customer_id IS NOT NULL`,
    );
    affinityOf = buyers.length > AFFINITY_LIST_MAX ? undefined : buyers.map((b) => b.id);
  }
  await refreshScoringStats(tx, workspaceId);
  await scoreCustomers(tx, workspaceId, undefined, now, false, affinityOf);
}

const SCORE_EVENTS = [
  'customer.created',
  'customer.consent_changed',
  'checkout.started',
  'order.placed',
  'order.updated',
  'order.cancelled',
  'order.refunded',
  'customer.merged',
];

/** The customers an event concerns: its subject for a customer's own events, else those of the order. */
const scoredOf = (e: DomainEvent) => (e.subjectType === 'customer' ? [e.subjectId] : customersOf(e));

/** Rescores the customers an order or refund touched (after the metrics handler has run). */
export const scoringHandler: EventHandler = {
  name: 'customer-scores',
  types: SCORE_EVENTS,
  handle: (tx, e) => scoreCustomers(tx, e.workspaceId, scoredOf(e)),
  handleBatch: async (tx, events) => {
    for (const [ws, ids] of customersByWorkspace(events, scoredOf)) await scoreCustomers(tx, ws, ids);
  },
};
