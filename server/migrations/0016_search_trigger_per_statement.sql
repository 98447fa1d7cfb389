-- Customer search terms for inserted customers are written once per statement, from the statement's
-- new rows (a transition table), instead of two inserts per customer: a batch of new customers from
-- an order import costs one set-based insert into each search table. Updates keep the row trigger of
-- 0013 (they are few, and it removes the words a customer no longer has).
CREATE OR REPLACE FUNCTION patron_customer_search_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  WITH w AS MATERIALIZED (
    SELECT n.workspace_id, n.id, w.word FROM new_customers n,
           unnest(patron_customer_words(n.first_name, n.last_name, n.email::text, n.company, n.phone)) AS w(word)),
  terms AS (
    INSERT INTO customer_search_terms (workspace_id, word, customer_id)
      SELECT workspace_id, word, id FROM w ON CONFLICT DO NOTHING)
  -- in one order everywhere, so two imports adding the same new words cannot deadlock
  INSERT INTO customer_search_words (workspace_id, word)
    SELECT DISTINCT workspace_id, word FROM w WHERE word !~ '^[0-9]+$' ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
DROP TRIGGER IF EXISTS customers_search_insert ON customers;--> statement-breakpoint
CREATE TRIGGER customers_search_insert AFTER INSERT ON customers REFERENCING NEW TABLE AS new_customers
  FOR EACH STATEMENT EXECUTE FUNCTION patron_customer_search_insert();
