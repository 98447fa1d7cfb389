-- Row-level security for the commerce tables (see 0002).
ALTER TABLE customers ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON customers TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE customer_identities ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON customer_identities TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE customer_merges ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON customer_merges TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE products ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON products TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE product_variants ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON product_variants TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON orders TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE order_lines ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON order_lines TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE refunds ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON refunds TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE checkouts ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON checkouts TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE browsing_events ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON browsing_events TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO patron_app;
