-- The two indexes a segment's live count walks carry the columns it reads, so the count is an
-- index-only scan instead of a heap read per customer and per order (same keys as before; the
-- schema in commerce.table.ts names the keys, the INCLUDE columns live here):
-- - customers by last order date: the profile, order aggregates, location and tags rules read;
-- - a customer's orders by date: an order aggregate in a window (amount, count, average).
DROP INDEX IF EXISTS customers_last_order_idx;--> statement-breakpoint
CREATE INDEX customers_last_order_idx ON customers (workspace_id, last_order_at)
  INCLUDE (id, first_order_at, total_spent_minor, orders_count, aov_minor, country, city, tags, merged_into, deleted_at);--> statement-breakpoint
DROP INDEX IF EXISTS orders_customer_idx;--> statement-breakpoint
CREATE INDEX orders_customer_idx ON orders (workspace_id, customer_id, placed_at)
  INCLUDE (total_minor, refunded_minor, status);
