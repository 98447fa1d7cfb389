-- Customer metrics get a lane of their own in the event queue (ADR 0008): the events that change
-- metrics are queued twice, once for the metrics handler (lane 'metrics') and once for the rest
-- (lane 'main'), so metrics are current without waiting for scores, segments and the timeline, and
-- those wait for the event's metrics instead (they read them).
ALTER TABLE "event_queue" ADD COLUMN "lane" text DEFAULT 'main' NOT NULL;--> statement-breakpoint
ALTER TABLE "event_queue" DROP CONSTRAINT "event_queue_seq_pk";--> statement-breakpoint
ALTER TABLE "event_queue" ADD CONSTRAINT "event_queue_lane_seq_pk" PRIMARY KEY("lane","seq");--> statement-breakpoint
DROP INDEX "event_queue_subject_idx";--> statement-breakpoint
CREATE INDEX "event_queue_subject_idx" ON "event_queue" USING btree ("lane","workspace_id","subject_type","subject_id","seq");--> statement-breakpoint
-- the event types the metrics handler takes (METRIC_EVENTS in modules/commerce/metrics.ts; a test
-- keeps the two lists the same)
CREATE OR REPLACE FUNCTION patron_metric_event_types() RETURNS text[]
  LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['order.placed', 'order.updated', 'order.cancelled', 'order.refunded', 'customer.merged']
$$;--> statement-breakpoint
-- metric events still queued get their metrics-lane row
INSERT INTO event_queue (lane, workspace_id, seq, event_id, subject_type, subject_id)
  SELECT 'metrics', q.workspace_id, q.seq, q.event_id, q.subject_type, q.subject_id
    FROM event_queue q JOIN events e ON e.workspace_id = q.workspace_id AND e.id = q.event_id
   WHERE q.lane = 'main' AND e.type = ANY(patron_metric_event_types());--> statement-breakpoint
CREATE OR REPLACE FUNCTION patron_events_enqueue() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  INSERT INTO event_queue (lane, workspace_id, seq, event_id, subject_type, subject_id)
    SELECT 'main', workspace_id, seq, id, subject_type, subject_id FROM new_events
    UNION ALL
    SELECT 'metrics', workspace_id, seq, id, subject_type, subject_id FROM new_events
     WHERE type = ANY(patron_metric_event_types());
  RETURN NULL;
END $$;
