-- Tamper evidence: the event log becomes a hash chain (dispatcher/src/audit). Each
-- event stores the hash of its predecessor and its own; an event with words (a
-- reason, a note) also stores the hash of its words under a random salt, so that
-- retention can blank the words and the salt and the chain still verifies.
-- Hashes and salts are 64 lowercase hex digits. The columns are empty on rows
-- written before this migration until the first start chains them (see below).
ALTER TABLE events
    ADD COLUMN prev_hash TEXT,
    ADD COLUMN hash TEXT,
    ADD COLUMN words_hash TEXT,
    ADD COLUMN words_salt TEXT;

-- The last link of the chain. Every append locks this row (SELECT ... FOR UPDATE)
-- and moves it in the same transaction as its inserts, so instances appending at
-- once take turns, each event's predecessor is well defined and seqs are handed
-- out one after another in the order the chain is built (the events' own sequence
-- is no longer used: a rolled-back insert no longer leaves a gap). Verify uses it
-- to tell rows cut off the end. `legacy_through` is the last event written before
-- the chain existed: the store chains those when it first starts after this
-- migration, before it appends anything.
CREATE TABLE audit_head (
    id             BIGINT  PRIMARY KEY CHECK (id = 1),
    seq            BIGINT  NOT NULL,                  -- the last event chained; 0: none
    hash           TEXT    NOT NULL,                  -- its hash; zeros: none
    legacy_through BIGINT  NOT NULL
);
INSERT INTO audit_head (id, seq, hash, legacy_through)
SELECT 1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
       COALESCE(MAX(seq), 0)
FROM events;

-- Still append-only, with two exceptions: retention may rewrite `details` (blanking
-- the words) and clear `words_salt` with them; and the audit columns of a row not
-- yet chained may be filled once. Once a row is chained its audit columns never
-- change, and its salt may only go.
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.seq = OLD.seq
       AND NEW.handoff_id = OLD.handoff_id
       AND NEW.kind = OLD.kind
       AND NEW.actor = OLD.actor
       AND NEW.at = OLD.at
       AND NEW.tx = OLD.tx
       AND (OLD.hash IS NULL
            OR (NEW.hash IS NOT DISTINCT FROM OLD.hash
                AND NEW.prev_hash IS NOT DISTINCT FROM OLD.prev_hash
                AND NEW.words_hash IS NOT DISTINCT FROM OLD.words_hash
                AND (NEW.words_salt IS NULL
                     OR NEW.words_salt IS NOT DISTINCT FROM OLD.words_salt))) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the event log is append-only (retention may only blank details)';
END;
$$;
