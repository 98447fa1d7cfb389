ALTER TABLE "customers" ADD COLUMN "orders_30d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "spent_30d_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "gross_30d_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "orders_60d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "spent_60d_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "gross_60d_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "orders_90d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "spent_90d_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "gross_90d_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "orders_180d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "spent_180d_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "gross_180d_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "orders_365d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "spent_365d_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "gross_365d_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "order_windows_from" date;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "order_windows_until" date;--> statement-breakpoint
-- A segment count over a window reads the stored window inside its span of days (compile.ts): the
-- covering index of 0014 carries the window columns too, so such a count stays index-only. Rows
-- start with no span (order_windows_from NULL): the rules count their orders until the hourly
-- order-windows job, or the next order, computes them.
DROP INDEX IF EXISTS customers_last_order_idx;--> statement-breakpoint
CREATE INDEX customers_last_order_idx ON customers (workspace_id, last_order_at)
  INCLUDE (id, first_order_at, total_spent_minor, orders_count, aov_minor, country, city, tags, merged_into, deleted_at,
    order_windows_from, order_windows_until,
    orders_30d, spent_30d_minor, gross_30d_minor, orders_60d, spent_60d_minor, gross_60d_minor,
    orders_90d, spent_90d_minor, gross_90d_minor, orders_180d, spent_180d_minor, gross_180d_minor,
    orders_365d, spent_365d_minor, gross_365d_minor);
