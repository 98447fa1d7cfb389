-- A word with an apostrophe is also a word without it: "O'Neil" is stored as "neil" and "oneil", so
-- staff who type "oneil" (or "dangelo" for D'Angelo) find the customer; the typed text goes through
-- the same function, so "O'Neil" typed looks for both words, and both are there.
CREATE OR REPLACE FUNCTION patron_search_word_set(t text)
  RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 4
  AS $$ SELECT DISTINCT w
          FROM regexp_split_to_table(lower(coalesce(t, '')) || ' ' || regexp_replace(lower(coalesce(t, '')), '[''’]+', '', 'g'),
                                     '[[:space:][:punct:][:digit:]]+') AS w
         WHERE length(w) BETWEEN 2 AND 60 $$;--> statement-breakpoint
-- the joined words of the customers stored so far (only names with an apostrophe gain any), as the
-- insert trigger of 0029 stores a new customer's words
WITH w AS MATERIALIZED (
  SELECT c.workspace_id, c.id, w.word FROM customers c,
         patron_customer_word_set(c.first_name, c.last_name, c.email::text, c.company, c.phone) AS w(word)
   WHERE concat_ws(' ', c.first_name, c.last_name, c.email::text, c.company) ~ '[''’]'),
terms AS (
  INSERT INTO customer_search_terms (workspace_id, word, customer_id)
    SELECT workspace_id, word, id FROM w ON CONFLICT DO NOTHING)
INSERT INTO customer_search_words (workspace_id, word)
  SELECT DISTINCT workspace_id, word FROM w WHERE word !~ '^[0-9]+$' ORDER BY 1, 2
  ON CONFLICT DO NOTHING;
