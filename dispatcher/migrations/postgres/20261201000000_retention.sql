-- Retention: the words of a closed hand-off (its location, relayed messages,
-- reasons given) are forgotten after the program's `message_retention`; its timings
-- stay for the reports. `text_forgotten_at` marks the hand-offs already done.
ALTER TABLE handoffs ADD COLUMN text_forgotten_at BIGINT;
CREATE INDEX handoffs_by_closed_at ON handoffs (closed_at);

-- The event log stays append-only, with one exception: retention may rewrite an
-- event's `details` (blanking a reason). Nothing else of an event may change, and
-- nothing may be deleted.
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.seq = OLD.seq
       AND NEW.handoff_id = OLD.handoff_id
       AND NEW.kind = OLD.kind
       AND NEW.actor = OLD.actor
       AND NEW.at = OLD.at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the event log is append-only (retention may only blank details)';
END;
$$;
