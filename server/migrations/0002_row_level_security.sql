-- Row-level security: a second lock behind the workspace_id in every query. Requests run their
-- workspace work as the role patron_app with app.workspace_id set for the transaction (see
-- inWorkspace in server/src/platform/db.ts); the policies then admit only that workspace's rows.
-- The role is cluster-wide: several databases migrating at once may race to create it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'patron_app') THEN
    CREATE ROLE patron_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO patron_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO patron_app;--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO patron_app;--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO patron_app;--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO patron_app;--> statement-breakpoint
CREATE FUNCTION patron_current_workspace() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.workspace_id', true), '')::uuid $$;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION patron_current_workspace() TO patron_app;--> statement-breakpoint
ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON workspaces TO patron_app
  USING (id = patron_current_workspace()) WITH CHECK (id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON memberships TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON invitations TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON audit_log TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE events ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON events TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON mail_outbox TO patron_app
  USING (workspace_id = patron_current_workspace() OR workspace_id IS NULL)
  WITH CHECK (workspace_id = patron_current_workspace() OR workspace_id IS NULL);
