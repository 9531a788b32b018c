-- The hand-off an inbound message opened or was about, kept with its provider id:
-- a retried request (an API call sent again with its Idempotency-Key) is answered
-- with the hand-off the first one opened, without acting twice.
ALTER TABLE inbound_seen ADD COLUMN handoff BIGINT;
