CREATE TABLE "companies" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" text NOT NULL,
	"domain" text,
	"industry" text,
	"size" text,
	"account_manager_user_id" uuid,
	"net_terms_days" integer,
	"price_tier" text,
	"description" text,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "companies_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "companies_net_terms_check" CHECK ("companies"."net_terms_days" IS NULL OR "companies"."net_terms_days" BETWEEN 0 AND 365)
);
--> statement-breakpoint
CREATE TABLE "customer_relations" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"related_customer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"note" text,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_relations_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "customer_relations_not_self" CHECK ("customer_relations"."customer_id" <> "customer_relations"."related_customer_id")
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "company_id" uuid;--> statement-breakpoint
ALTER TABLE "companies" ADD CONSTRAINT "companies_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_relations" ADD CONSTRAINT "customer_relations_workspace_id_customer_id_customers_workspace_id_id_fk" FOREIGN KEY ("workspace_id","customer_id") REFERENCES "public"."customers"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_relations" ADD CONSTRAINT "customer_relations_workspace_id_related_customer_id_customers_workspace_id_id_fk" FOREIGN KEY ("workspace_id","related_customer_id") REFERENCES "public"."customers"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "companies_name_idx" ON "companies" USING btree ("workspace_id",lower("name"),"id");--> statement-breakpoint
CREATE INDEX "companies_domain_idx" ON "companies" USING btree ("workspace_id","domain");--> statement-breakpoint
CREATE INDEX "customer_relations_customer_idx" ON "customer_relations" USING btree ("workspace_id","customer_id");--> statement-breakpoint
CREATE INDEX "customer_relations_related_idx" ON "customer_relations" USING btree ("workspace_id","related_customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "customer_relations_pair_idx" ON "customer_relations" USING btree ("workspace_id",least("customer_id", "related_customer_id"),greatest("customer_id", "related_customer_id"));--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_workspace_id_company_id_companies_workspace_id_id_fk" FOREIGN KEY ("workspace_id","company_id") REFERENCES "public"."companies"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customers_company_idx" ON "customers" USING btree ("workspace_id","company_id");--> statement-breakpoint
ALTER TABLE companies ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON companies TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE customer_relations ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON customer_relations TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());
