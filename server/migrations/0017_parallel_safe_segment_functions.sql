-- Two functions a segment count evaluates for hundreds of thousands of customers at a time:
-- 1. A customer's order aggregate in a rolling window, for the customers whose stored window is not
--    exact today (commerce/metrics.ts). As a function rather than a correlated subquery in the rule,
--    the count can run in parallel workers (PostgreSQL 15 keeps a plan with a correlated subquery in
--    one process); the workspace's row-level security applies inside it as anywhere.
CREATE OR REPLACE FUNCTION patron_orders_in_window(ws uuid, customer uuid, since timestamptz, fn text)
  RETURNS numeric LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT CASE fn WHEN 'amount_spent' THEN coalesce(sum(o.total_minor - o.refunded_minor), 0)
                       WHEN 'average_order_value' THEN avg(o.total_minor)
                       ELSE count(*) END
          FROM orders o
         WHERE o.workspace_id = ws AND o.customer_id = customer AND o.status <> 'cancelled' AND o.placed_at >= since $$;--> statement-breakpoint
-- 2. Tags lower-cased (for case-insensitive CONTAINS) by lower-casing the array's text form and
--    reading it back, instead of an aggregate over its elements: the same elements (lower-casing never
--    makes or removes the quoting array syntax uses). In PL/pgSQL, whose simple expressions skip the
--    per-call query set-up a non-inlined SQL function pays: about a quarter of the former cost a row.
--    The GIN index on it (0008) holds the same keys for every row, so it stays valid; callers compare
--    as sets (@>, ANY), so the order of elements, no longer sorted, does not matter.
CREATE OR REPLACE FUNCTION patron_lower_tags(tags text[]) RETURNS text[]
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ BEGIN RETURN lower(tags::text)::text[]; END $$;
