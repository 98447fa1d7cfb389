-- Tags compared without case, stored: `tags_lower` holds patron_lower_tags(tags), kept by a trigger
-- whenever tags are written. A tag rule or filter is then a plain array comparison — on a row the
-- covering index already holds, and without a function call per row — and the GIN index holds the
-- column, so writing a customer (every metrics update re-indexes the row) no longer calls the function.
ALTER TABLE "customers" ADD COLUMN "tags_lower" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE OR REPLACE FUNCTION patron_customer_tags_lower() RETURNS trigger
  LANGUAGE plpgsql
  AS $$ BEGIN NEW.tags_lower := patron_lower_tags(NEW.tags); RETURN NEW; END $$;--> statement-breakpoint
CREATE TRIGGER customers_tags_lower BEFORE INSERT OR UPDATE OF tags, tags_lower ON customers
  FOR EACH ROW EXECUTE FUNCTION patron_customer_tags_lower();--> statement-breakpoint
-- the rows written before: only those with tags differ from the default
UPDATE customers SET tags_lower = patron_lower_tags(tags) WHERE tags <> '{}'::text[];--> statement-breakpoint
DROP INDEX IF EXISTS customers_tags_lower_idx;--> statement-breakpoint
CREATE INDEX customers_tags_lower_idx ON customers USING gin (tags_lower);--> statement-breakpoint
DROP INDEX IF EXISTS customers_last_order_idx;--> statement-breakpoint
CREATE INDEX customers_last_order_idx ON customers (workspace_id, last_order_at)
  INCLUDE (id, first_order_at, total_spent_minor, orders_count, aov_minor, country, city, tags_lower, merged_into, deleted_at,
    order_windows_from, order_windows_until,
    orders_30d, spent_30d_minor, gross_30d_minor, orders_60d, spent_60d_minor, gross_60d_minor,
    orders_90d, spent_90d_minor, gross_90d_minor, orders_180d, spent_180d_minor, gross_180d_minor,
    orders_365d, spent_365d_minor, gross_365d_minor);
