-- The covering index that segment counts walk, rebuilt for a cheaper walk: an index-only scan
-- unpacks every column of each entry it reads, so the entry is made shorter and quicker to unpack.
-- - Live customers only (merged_into and deleted_at NULL, as every query that reads it asks): the two
--   columns leave the entry, and merged or deleted profiles leave the index.
-- - Fixed-width columns first, the 8-byte ones together, then the 4-byte ones: no alignment padding
--   between them, and PostgreSQL finds each at a fixed offset. The columns that may be NULL or vary in
--   length come last.
-- Measured on 1,000,000 synthetic customers (docs/performance.md): the 3-rule count 20-30 % faster,
-- the index 353 -> 248 MB.
DROP INDEX IF EXISTS "customers_last_order_idx";--> statement-breakpoint
CREATE INDEX "customers_last_order_idx" ON "customers" USING btree ("workspace_id", "last_order_at")
  INCLUDE (total_spent_minor, aov_minor,
    spent_30d_minor, gross_30d_minor, spent_60d_minor, gross_60d_minor, spent_90d_minor, gross_90d_minor,
    spent_180d_minor, gross_180d_minor, spent_365d_minor, gross_365d_minor,
    orders_count, orders_30d, orders_60d, orders_90d, orders_180d, orders_365d,
    id, first_order_at, order_windows_from, order_windows_until, country_lower, city_lower, tags_lower)
  WHERE merged_into IS NULL AND deleted_at IS NULL;
