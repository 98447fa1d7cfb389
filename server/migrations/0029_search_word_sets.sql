-- A customer's search words as a set-returning SQL function, which the planner inlines into the query
-- that calls it. The array functions of 0013 aggregate over a FROM clause, so they cannot be inlined:
-- PostgreSQL ran each call through the SQL-function executor, and for a batch of 5,000 new customers
-- the statement trigger of 0016 spent 115-140 ms on their words, against 23 ms inlined (with words
-- unchanged). The arrays are kept, defined over the sets, so the words have one definition.
CREATE OR REPLACE FUNCTION patron_search_word_set(t text)
  RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 4
  AS $$ SELECT DISTINCT w FROM regexp_split_to_table(lower(coalesce(t, '')), '[[:space:][:punct:][:digit:]]+') AS w
         WHERE length(w) BETWEEN 2 AND 60 $$;--> statement-breakpoint
-- a customer's words, and the digits of their phone number as one more term (found only as typed)
CREATE OR REPLACE FUNCTION patron_customer_word_set(first_name text, last_name text, email text, company text, phone text)
  RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 4
  AS $$ SELECT w FROM patron_search_word_set(concat_ws(' ', first_name, last_name, split_part(email, '@', 1), company)) AS w
        UNION ALL
        SELECT d FROM regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') AS d WHERE length(d) >= 6 $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION patron_search_words(t text)
  RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(array_agg(w ORDER BY w), '{}') FROM patron_search_word_set(t) AS w $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION patron_customer_words(first_name text, last_name text, email text, company text, phone text)
  RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(array_agg(w ORDER BY w), '{}')
          FROM patron_customer_word_set(first_name, last_name, email, company, phone) AS w $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION patron_customer_search_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  WITH w AS MATERIALIZED (
    SELECT n.workspace_id, n.id, w.word FROM new_customers n,
           patron_customer_word_set(n.first_name, n.last_name, n.email::text, n.company, n.phone) AS w(word)),
  terms AS (
    INSERT INTO customer_search_terms (workspace_id, word, customer_id)
      SELECT workspace_id, word, id FROM w ON CONFLICT DO NOTHING)
  -- in one order everywhere, so two imports adding the same new words cannot deadlock
  INSERT INTO customer_search_words (workspace_id, word)
    SELECT DISTINCT workspace_id, word FROM w WHERE word !~ '^[0-9]+$' ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
