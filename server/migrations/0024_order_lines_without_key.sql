ALTER TABLE "order_lines" DROP CONSTRAINT "order_lines_workspace_id_order_id_orders_workspace_id_id_fk";
--> statement-breakpoint
-- Order lines name their order without a foreign key (ADR 0007): the key's check ran once per line,
-- a third of what inserting a line cost. Only the order upsert writes lines, for orders it wrote in the
-- same transaction. What the key's cascade did, this trigger does once per statement: the lines of
-- deleted orders go with them, whether the orders were deleted directly or with their workspace.
CREATE OR REPLACE FUNCTION patron_order_lines_cascade() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  DELETE FROM order_lines l USING deleted_orders o
   WHERE l.workspace_id = o.workspace_id AND l.order_id = o.id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER orders_lines_cascade AFTER DELETE ON orders REFERENCING OLD TABLE AS deleted_orders
  FOR EACH STATEMENT EXECUTE FUNCTION patron_order_lines_cascade();
