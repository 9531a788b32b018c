-- Which channel each outbound message goes by (and, once sent, went by): chosen
-- when it is queued from the recipient's preference, and changed from 'matrix'
-- to 'sms' when Matrix cannot deliver it. Each transport reads only its own rows.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'sms';
CREATE INDEX outbox_by_channel ON outbox (status, channel, id);

-- The Matrix rooms the bot uses, by purpose ('site:<site id>', 'direct:<user id>'),
-- so that a restart finds them again rather than creating new ones.
CREATE TABLE matrix_rooms (
    purpose    TEXT   PRIMARY KEY,
    room_id    TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- Every message the bot posted in Matrix: which outbox message it carried, so that
-- a reaction on it names its hand-off and a later "taken by" edits it. One offer
-- posted in a site's room carries the offers of everyone in the round: a row for
-- each. Holds ids only, never words.
CREATE TABLE matrix_events (
    event_id   TEXT   NOT NULL,
    room_id    TEXT   NOT NULL,
    outbox_id  BIGINT NOT NULL,
    handoff_id BIGINT,
    recipient  TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    sent_at    BIGINT NOT NULL,
    PRIMARY KEY (event_id, recipient)
);
CREATE INDEX matrix_events_by_handoff ON matrix_events (handoff_id, recipient);

-- The Matrix sync position handled so far. Saved only after the events of a sync
-- are handled, so a crash between reading and handling replays them rather than
-- skipping them (their event IDs make the replay harmless).
CREATE TABLE matrix_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
