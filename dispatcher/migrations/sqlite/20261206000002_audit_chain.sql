-- Tamper evidence: the event log becomes a hash chain (dispatcher/src/audit). Each
-- event stores the hash of its predecessor and its own; an event with words (a
-- reason, a note) also stores the hash of its words under a random salt, so that
-- retention can blank the words and the salt and the chain still verifies.
-- Hashes and salts are 64 lowercase hex digits. The columns are empty on rows
-- written before this migration until the first start chains them (see below).
ALTER TABLE events ADD COLUMN prev_hash TEXT;
ALTER TABLE events ADD COLUMN hash TEXT;
ALTER TABLE events ADD COLUMN words_hash TEXT;
ALTER TABLE events ADD COLUMN words_salt TEXT;

-- The last link of the chain: appends read and move it in the same transaction as
-- their inserts, so each event's predecessor is well defined, and verify can tell
-- rows cut off the end. `legacy_through` is the last event written before the
-- chain existed: the store chains those (seq after `seq`, up to it) when it first
-- starts after this migration, before it appends anything.
CREATE TABLE audit_head (
    id             INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
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
DROP TRIGGER events_no_update;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NEW.seq IS NOT OLD.seq
  OR NEW.handoff_id IS NOT OLD.handoff_id
  OR NEW.kind IS NOT OLD.kind
  OR NEW.actor IS NOT OLD.actor
  OR NEW.at IS NOT OLD.at
  OR (OLD.hash IS NOT NULL AND (NEW.hash IS NOT OLD.hash
                                OR NEW.prev_hash IS NOT OLD.prev_hash
                                OR NEW.words_hash IS NOT OLD.words_hash
                                OR (NEW.words_salt IS NOT NULL
                                    AND NEW.words_salt IS NOT OLD.words_salt)))
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only (retention may only blank details)');
END;
