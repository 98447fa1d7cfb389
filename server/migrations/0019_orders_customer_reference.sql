ALTER TABLE "orders" DROP CONSTRAINT "orders_workspace_id_customer_id_customers_workspace_id_id_fk";
--> statement-breakpoint
-- Orders name their customer without a foreign key (ADR 0006). What the key guarded, a customer
-- deleted while orders name it, the app cannot do: customers are archived, merged or anonymised,
-- and only deleting the whole workspace (as the owner, cascading to orders too) removes them.
REVOKE DELETE ON customers FROM patron_app;
