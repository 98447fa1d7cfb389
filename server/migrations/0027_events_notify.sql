-- The trigger that queues new events also wakes the workers (LISTEN patron_events): one round trip
-- less for every statement that writes events, and no way to write an event and forget the wake-up.
-- A notification is delivered when the transaction commits, and one per transaction however many
-- statements send it.
CREATE OR REPLACE FUNCTION patron_events_enqueue() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  INSERT INTO event_queue (lane, workspace_id, seq, event_id, subject_type, subject_id)
    SELECT 'main', workspace_id, seq, id, subject_type, subject_id FROM new_events
    UNION ALL
    SELECT 'metrics', workspace_id, seq, id, subject_type, subject_id FROM new_events
     WHERE type = ANY(patron_metric_event_types());
  PERFORM pg_notify('patron_events', '');
  RETURN NULL;
END $$;
