-- Retention: the words of a closed hand-off (its location, relayed messages,
-- reasons given) are forgotten after the program's `message_retention`; its timings
-- stay for the reports. `text_forgotten_at` marks the hand-offs already done.
ALTER TABLE handoffs ADD COLUMN text_forgotten_at BIGINT;
CREATE INDEX handoffs_by_closed_at ON handoffs (closed_at);

-- The event log stays append-only, with one exception: retention may rewrite an
-- event's `details` (blanking a reason). Nothing else of an event may change.
DROP TRIGGER events_no_update;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NEW.seq IS NOT OLD.seq
  OR NEW.handoff_id IS NOT OLD.handoff_id
  OR NEW.kind IS NOT OLD.kind
  OR NEW.actor IS NOT OLD.actor
  OR NEW.at IS NOT OLD.at
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only (retention may only blank details)');
END;
