-- Counters handed out atomically. `handoff` is the last hand-off number given: a
-- request takes the next in one UPDATE, so simultaneous requests never race for
-- the same number (reading MAX(id) and inserting MAX(id) + 1 did).
CREATE TABLE counters (
    name  TEXT   PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) SELECT 'handoff', COALESCE(MAX(id), 1000) FROM handoffs;
