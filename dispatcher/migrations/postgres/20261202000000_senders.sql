-- Senders: one row per address (a phone as `tel:+1...`, a Matrix ID as
-- `matrix:@...`) that has written to handoff. Every inbound message bumps its
-- sender's `version` in the transaction that records the message, so one sender's
-- messages take effect one at a time even across instances: two identical requests
-- at the same moment cannot both open a hand-off. `refused_at`: when an unregistered
-- address was last told so (at most once a day; the rule is in the dispatcher).
CREATE TABLE senders (
    address    TEXT   PRIMARY KEY NOT NULL,
    version    BIGINT NOT NULL,
    last_at    BIGINT NOT NULL,
    refused_at BIGINT
);
INSERT INTO senders (address, version, last_at, refused_at)
    SELECT 'tel:' || phone, 1, last_at, last_at FROM refusals;
DROP TABLE refusals;

-- A person's caseload is counted from their real assignments, not recorded apart.
ALTER TABLE person_load DROP COLUMN caseload;
