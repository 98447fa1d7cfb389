-- The upkeep of the covering index that segment counts walk: its entries are keyed by the last order's
-- time, so customers who order again leave half-empty pages behind, and a bulk load that rewrites
-- every customer doubles it or more (1,201 MB against 311 MB rebuilt, at a million customers). A daily
-- job rebuilds it without blocking writes once its bytes per entry have grown by half since the
-- last rebuild, recorded here.
CREATE TABLE "index_rebuilds" (
	"index_name" text PRIMARY KEY NOT NULL,
	"bytes_per_entry" double precision NOT NULL,
	"rebuilt_at" timestamp with time zone DEFAULT now() NOT NULL
);
