-- Schedule overrides added on the dashboard by an admin, on top of the
-- configuration file's own: who covers, is added or is taken off, where and when.
-- They name staff only, never a participant. `starts` and `ends` are kept as
-- written: a site-local wall-clock time (2026-12-28T08:00:00, read in each site's
-- zone, as the file's overrides are) or an exact instant (RFC 3339). `sites` is
-- the comma-separated ids it applies to, NULL for every site. A removal keeps the
-- row, with who removed it and when: the rows are the record of every change.
CREATE TABLE schedule_overrides (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT   NOT NULL,  -- cover, add or remove
    person     TEXT   NOT NULL,
    covers     TEXT,             -- cover: whose duties `person` takes
    role       TEXT,             -- add: the role `person` is on duty as
    sites      TEXT,
    starts     TEXT   NOT NULL,
    ends       TEXT   NOT NULL,
    note       TEXT   NOT NULL,
    added_by   TEXT   NOT NULL,  -- the dashboard user's name
    added_at   BIGINT NOT NULL,
    removed_by TEXT,
    removed_at BIGINT
);
CREATE INDEX schedule_overrides_in_force ON schedule_overrides (removed_at, id);

-- Bumped by every addition and removal, in the same transaction: an instance
-- compares it with the one its schedules were built at to know they are stale.
INSERT INTO counters (name, value) VALUES ('overrides', 0);
