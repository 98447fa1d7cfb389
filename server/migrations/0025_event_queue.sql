-- The events still to be handled move from a column of every event (dispatched_at, under a partial
-- index) to a narrow queue (ADR 0008): marking an event handled rewrote its whole row, payload and
-- index entries included; now the dispatch deletes the event's queue row.
CREATE TABLE "event_queue" (
	"workspace_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"event_id" uuid NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"retry_at" timestamp with time zone,
	CONSTRAINT "event_queue_seq_pk" PRIMARY KEY("seq")
);
--> statement-breakpoint
CREATE INDEX "event_queue_subject_idx" ON "event_queue" USING btree ("workspace_id","subject_type","subject_id","seq");--> statement-breakpoint
ALTER TABLE event_queue ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY workspace_isolation ON event_queue TO patron_app
  USING (workspace_id = patron_current_workspace()) WITH CHECK (workspace_id = patron_current_workspace());--> statement-breakpoint
-- what was pending (failed attempts included) stays pending
INSERT INTO event_queue (workspace_id, seq, event_id, subject_type, subject_id, attempts, last_error, retry_at)
  SELECT workspace_id, seq, id, subject_type, subject_id, attempts, last_error, retry_at
    FROM events WHERE dispatched_at IS NULL;--> statement-breakpoint
DROP INDEX "events_pending_idx";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "dispatched_at";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "attempts";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "last_error";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "retry_at";--> statement-breakpoint
-- every event written is queued, once per statement, whichever code wrote it
CREATE OR REPLACE FUNCTION patron_events_enqueue() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  INSERT INTO event_queue (workspace_id, seq, event_id, subject_type, subject_id)
    SELECT workspace_id, seq, id, subject_type, subject_id FROM new_events;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER events_enqueue AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION patron_events_enqueue();
