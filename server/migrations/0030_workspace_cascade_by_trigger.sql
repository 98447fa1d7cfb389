-- Orders name their workspace, and identities their customer, without a foreign key (ADR 0011): the
-- keys' checks ran once per order and once per identity, each a scan of the workspaces table or a
-- lookup of the customer under a FOR KEY SHARE lock: 6-12 % of the statement that writes a batch of
-- orders. What the keys' cascades did, this trigger does once per statement: deleting a workspace
-- deletes its orders (and, through the orders' trigger of 0024, their lines), its customers'
-- identities, and its events and queued events, which had no key and were left behind.
ALTER TABLE "customer_identities" DROP CONSTRAINT "customer_identities_workspace_id_customer_id_customers_workspace_id_id_fk";
--> statement-breakpoint
ALTER TABLE "orders" DROP CONSTRAINT "orders_workspace_id_workspaces_id_fk";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION patron_workspace_cascade() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  DELETE FROM orders o USING deleted_workspaces w WHERE o.workspace_id = w.id;
  DELETE FROM customer_identities i USING deleted_workspaces w WHERE i.workspace_id = w.id;
  DELETE FROM event_queue q USING deleted_workspaces w WHERE q.workspace_id = w.id;
  DELETE FROM events e USING deleted_workspaces w WHERE e.workspace_id = w.id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER workspaces_cascade AFTER DELETE ON workspaces REFERENCING OLD TABLE AS deleted_workspaces
  FOR EACH STATEMENT EXECUTE FUNCTION patron_workspace_cascade();
