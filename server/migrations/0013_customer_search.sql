-- Customer search by words (replaces the trigram index over one long text per customer, which made a
-- common or misspelt last name read and rank thousands of wide customer rows).
--   customer_search_words: each workspace's distinct words (names, the email's local part, company),
--     trigram-indexed: a typed word is widened to the few stored words it may mean (exact, prefix,
--     similar) with a small index lookup;
--   customer_search_terms: which customers hold each word, and each phone number's digits (a narrow
--     posting list read by the index).
-- Both are kept by a trigger on customers, so every way customers change (API, webhooks, CSV, merges,
-- privacy redaction, bulk loads) keeps search current in the same transaction.
CREATE OR REPLACE FUNCTION patron_search_words(t text)
  RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(array_agg(DISTINCT w ORDER BY w), '{}')
          FROM regexp_split_to_table(lower(coalesce(t, '')), '[[:space:][:punct:][:digit:]]+') AS w
         WHERE length(w) BETWEEN 2 AND 60 $$;--> statement-breakpoint
-- a customer's words, and the digits of their phone number as one more term (found only as typed)
CREATE OR REPLACE FUNCTION patron_customer_words(first_name text, last_name text, email text, company text, phone text)
  RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT patron_search_words(concat_ws(' ', first_name, last_name, split_part(email, '@', 1), company))
          || CASE WHEN length(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) >= 6
                  THEN ARRAY[regexp_replace(phone, '[^0-9]', '', 'g')] ELSE '{}'::text[] END $$;--> statement-breakpoint
CREATE TABLE "customer_search_words" (
  "workspace_id" uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  "word" text COLLATE "C" NOT NULL,
  CONSTRAINT "customer_search_words_pk" PRIMARY KEY ("workspace_id", "word")
);--> statement-breakpoint
CREATE INDEX "customer_search_words_trgm_idx" ON "customer_search_words" USING gin ("word" gin_trgm_ops);--> statement-breakpoint
CREATE TABLE "customer_search_terms" (
  "workspace_id" uuid NOT NULL,
  "word" text COLLATE "C" NOT NULL,
  "customer_id" uuid NOT NULL,
  CONSTRAINT "customer_search_terms_pk" PRIMARY KEY ("workspace_id", "word", "customer_id"),
  CONSTRAINT "customer_search_terms_customer_fk" FOREIGN KEY ("workspace_id", "customer_id")
    REFERENCES "customers" ("workspace_id", "id") ON DELETE CASCADE
);--> statement-breakpoint
CREATE INDEX "customer_search_terms_customer_idx" ON "customer_search_terms" ("workspace_id", "customer_id");--> statement-breakpoint
ALTER TABLE customer_search_words ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON customer_search_words TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE customer_search_terms ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON customer_search_terms TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
-- Runs as the migration's owner: it writes only rows derived from the customer row being written, in
-- that row's workspace, whichever role writes the customer.
CREATE OR REPLACE FUNCTION patron_customer_search_sync() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE
  words text[] := patron_customer_words(NEW.first_name, NEW.last_name, NEW.email::text, NEW.company, NEW.phone);
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM customer_search_terms t
     WHERE t.workspace_id = OLD.workspace_id AND t.customer_id = OLD.id AND NOT (t.word = ANY (words));
  END IF;
  INSERT INTO customer_search_terms (workspace_id, word, customer_id)
    SELECT NEW.workspace_id, w, NEW.id FROM unnest(words) AS w
    ON CONFLICT DO NOTHING;
  INSERT INTO customer_search_words (workspace_id, word)
    SELECT NEW.workspace_id, w FROM unnest(words) AS w WHERE w !~ '^[0-9]+$' ORDER BY w
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER customers_search_insert AFTER INSERT ON customers
  FOR EACH ROW EXECUTE FUNCTION patron_customer_search_sync();--> statement-breakpoint
CREATE TRIGGER customers_search_update AFTER UPDATE OF first_name, last_name, email, company, phone ON customers
  FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
    OR OLD.email IS DISTINCT FROM NEW.email OR OLD.company IS DISTINCT FROM NEW.company
    OR OLD.phone IS DISTINCT FROM NEW.phone)
  EXECUTE FUNCTION patron_customer_search_sync();--> statement-breakpoint
INSERT INTO customer_search_terms (workspace_id, word, customer_id)
  SELECT c.workspace_id, w, c.id FROM customers c,
         unnest(patron_customer_words(c.first_name, c.last_name, c.email::text, c.company, c.phone)) AS w
  ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO customer_search_words (workspace_id, word)
  SELECT DISTINCT workspace_id, word FROM customer_search_terms WHERE word !~ '^[0-9]+$'
  ON CONFLICT DO NOTHING;--> statement-breakpoint
DROP INDEX IF EXISTS customers_search_trgm_idx;
--> statement-breakpoint
-- The stored words a typed word may mean: the same word and up to 40 words it begins (scores 1.0 and
-- 0.8), and (when fuzzy) up to 20 words similar by trigrams (0.9 × similarity, at least 0.4). Row-level
-- security would keep the trigram index from serving `%` (the operator is not leakproof, so every
-- word of the workspace would be read first), so this runs as the owner and enforces the workspace
-- itself: the one the request is in, when set.
CREATE OR REPLACE FUNCTION patron_search_expand(ws uuid, typed text, fuzzy boolean)
  RETURNS TABLE (word text, score float8) LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_catalog SET pg_trgm.similarity_threshold = '0.4'
  AS $$
BEGIN
  IF ws IS DISTINCT FROM coalesce(patron_current_workspace(), ws) THEN
    RETURN;
  END IF;
  -- planned for these very values (EXECUTE), so the trigram index serves `%`
  RETURN QUERY EXECUTE
    $q$(SELECT s.word::text, CASE WHEN s.word = $2 THEN 1.0 ELSE 0.8 END::float8
          FROM customer_search_words s
         WHERE s.workspace_id = $1 AND s.word >= $2 AND s.word < $2 || chr(1114111)
         ORDER BY s.word LIMIT 40)
       UNION ALL
       (SELECT s.word::text, 0.9 * similarity(s.word, $2)::float8
          FROM customer_search_words s
         WHERE $3 AND length($2) >= 3 AND s.workspace_id = $1 AND s.word % $2
         ORDER BY s.word <-> $2 LIMIT 20)$q$
    USING ws, typed, fuzzy;
END $$;
