-- Extensions the schema relies on. The embedded database loads them in its constructor too.
CREATE EXTENSION IF NOT EXISTS citext;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;
