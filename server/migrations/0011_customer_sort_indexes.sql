CREATE INDEX "customers_spent_idx" ON "customers" USING btree ("workspace_id","total_spent_minor","id");--> statement-breakpoint
CREATE INDEX "customers_orders_idx" ON "customers" USING btree ("workspace_id","orders_count","id");--> statement-breakpoint
CREATE INDEX "customers_health_idx" ON "customers" USING btree ("workspace_id","health_score","id");