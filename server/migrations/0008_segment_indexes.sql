-- Indexes for segment rules (hand-written: drizzle's schema cannot express the function).
-- Tags compare without case: a customer's tags lower-cased, as an immutable function so a GIN index
-- can hold them and `customer_tags CONTAINS 'VIP'` becomes an index lookup (@>) instead of a scan.
CREATE OR REPLACE FUNCTION patron_lower_tags(tags text[]) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT coalesce(array_agg(lower(t) ORDER BY lower(t)), '{}'::text[]) FROM unnest(tags) AS t $$;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS customers_tags_lower_idx ON customers USING gin (patron_lower_tags(tags));--> statement-breakpoint
-- country and city compare without case too
CREATE INDEX IF NOT EXISTS customers_country_lower_idx ON customers (workspace_id, lower(country));--> statement-breakpoint
CREATE INDEX IF NOT EXISTS customers_city_lower_idx ON customers (workspace_id, lower(city));
