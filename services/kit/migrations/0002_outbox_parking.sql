-- rollback: re-queue every parked event (POST /admin/v1/outbox/parked/{id}/requeue), then ALTER TABLE outbox DROP COLUMN parked_at, DROP COLUMN delivery_failures
-- Parking: an event whose own delivery keeps failing (the broker refuses it while it takes
-- other events, or says the event itself is wrong) stops being retried after a few failures
-- and waits, parked and visible, until on-call re-queues it. A broker outage counts in
-- retry_count only, so it never parks anything. Both columns are metadata-only changes.
ALTER TABLE outbox ADD COLUMN delivery_failures integer NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN parked_at timestamptz;
