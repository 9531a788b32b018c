-- The sandbox SMS provider's conversations: every text typed on the sandbox page
-- (direction 'in', redacted) and every text handoff "sent" (direction 'out', as
-- rendered). Kept here rather than in memory so a restart keeps them beside the
-- hand-offs they belong to. `id` is AUTOINCREMENT so that an id is never given
-- twice, even after retention deleted the newest rows: sandbox message ids are made
-- from it, and inbound ids already seen are ignored as provider retries.
CREATE TABLE sandbox_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    phone     TEXT    NOT NULL,
    direction TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    body      TEXT    NOT NULL,
    at        BIGINT  NOT NULL
);
CREATE INDEX sandbox_log_by_phone ON sandbox_log (phone, id);
CREATE INDEX sandbox_log_by_at ON sandbox_log (at);

-- Ids the sandbox gave before it numbered texts from this table restarted at 1 on
-- every start; remembered as handled, they would make the first texts typed after
-- this upgrade look like retries and go unanswered.
DELETE FROM inbound_seen WHERE provider_id LIKE 'SBIN%';
