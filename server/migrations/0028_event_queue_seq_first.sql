-- The queue's key leads with seq (ADR 0009). The dispatcher probes, for each event it takes, for an
-- older queued event of the same subject; keyed (lane, seq), the key was as cheap to the planner as
-- the subject index whenever the queue's statistics had been taken while it was nearly empty (as a
-- queue mostly is), and it then read every queued event of the lane for each event it took: minutes
-- for a burst of 20,000. Keyed (seq, lane) only the subject index serves that probe well.
ALTER TABLE "event_queue" DROP CONSTRAINT "event_queue_lane_seq_pk";--> statement-breakpoint
ALTER TABLE "event_queue" ADD CONSTRAINT "event_queue_seq_lane_pk" PRIMARY KEY("seq","lane");
