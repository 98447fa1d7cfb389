-- Country and city stored lower-cased (generated columns, both added in one rewrite of the table).
-- Rules and filters compare them with `=`, which is leak-proof: under row-level security PostgreSQL
-- may use it as an index condition, where `lower(country) = 'de'` could only filter row by row.
ALTER TABLE "customers"
  ADD COLUMN "country_lower" text GENERATED ALWAYS AS (lower(country)) STORED,
  ADD COLUMN "city_lower" text GENERATED ALWAYS AS (lower(city)) STORED;--> statement-breakpoint
DROP INDEX IF EXISTS customers_country_lower_idx;--> statement-breakpoint
CREATE INDEX customers_country_lower_idx ON customers (workspace_id, country_lower);--> statement-breakpoint
DROP INDEX IF EXISTS customers_city_lower_idx;--> statement-breakpoint
CREATE INDEX customers_city_lower_idx ON customers (workspace_id, city_lower);--> statement-breakpoint
-- the covering index of segment counts holds the compared forms
DROP INDEX IF EXISTS customers_last_order_idx;--> statement-breakpoint
CREATE INDEX customers_last_order_idx ON customers (workspace_id, last_order_at)
  INCLUDE (id, first_order_at, total_spent_minor, orders_count, aov_minor, country_lower, city_lower, tags_lower,
    merged_into, deleted_at, order_windows_from, order_windows_until,
    orders_30d, spent_30d_minor, gross_30d_minor, orders_60d, spent_60d_minor, gross_60d_minor,
    orders_90d, spent_90d_minor, gross_90d_minor, orders_180d, spent_180d_minor, gross_180d_minor,
    orders_365d, spent_365d_minor, gross_365d_minor);
