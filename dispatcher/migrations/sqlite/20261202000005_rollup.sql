-- The rollup behind the dashboard: one row per hand-off with its metrics as plain
-- columns (`stats::RollupRow`, computed in Rust by `stats::metrics` from the
-- hand-off's events), so that a year of a million hand-offs is counted and
-- grouped by the database instead of read and folded from the event log. Derived
-- from the log and rebuilt from it at will: nothing here is a record of its own.
CREATE TABLE handoff_stats (
    id                  INTEGER PRIMARY KEY NOT NULL, -- the hand-off number
    site                TEXT    NOT NULL,
    agency              TEXT    NOT NULL,
    officer             TEXT    NOT NULL,
    kind                TEXT    NOT NULL,             -- as in handoffs.kind
    accepted_by         TEXT,                         -- the first to accept
    requested_at        BIGINT  NOT NULL,             -- epoch milliseconds
    week_start          BIGINT  NOT NULL,             -- local Monday, days since 1970-01-01
    hour_of_week        BIGINT  NOT NULL,             -- local, Monday 00:00 = 0 .. 167
    outcome             TEXT    NOT NULL,             -- Outcome::name()
    not_diverted        TEXT,                         -- NotDivertedCode::name()
    after_hours         BIGINT  NOT NULL,             -- 0 or 1
    accepted            BIGINT  NOT NULL,             -- 0 or 1
    time_to_accept_s    BIGINT,                       -- whole seconds, truncated
    time_to_arrival_s   BIGINT,
    accept_to_arrival_s BIGINT,
    eta_error_s         BIGINT,                       -- arrival - promised; < 0: early
    request_to_close_s  BIGINT,
    given_back          BIGINT  NOT NULL,
    eta_missed          BIGINT  NOT NULL,
    followup            TEXT,                         -- FollowUpReason::name()
    events              BIGINT  NOT NULL              -- events folded into the row
);

-- The board's queries (store/board.rs) filter on requested_at and on any of site,
-- agency, accepted_by and kind. Over a short range they look rows up by
-- requested_at. Over most of the table each walks the index below that leads
-- with what it groups by and holds every column it reads: groups come in order
-- and the table is never touched. Partial where the query counts only some rows.
CREATE INDEX handoff_stats_by_requested_at ON handoff_stats (requested_at);
CREATE INDEX handoff_stats_buckets ON handoff_stats
    (site, hour_of_week, outcome, not_diverted, accepted, after_hours,
     requested_at, agency, accepted_by, kind);
CREATE INDEX handoff_stats_cohorts ON handoff_stats
    (week_start, agency, accepted_by, outcome, accepted, requested_at, site, kind);
CREATE INDEX handoff_stats_accepts ON handoff_stats
    (accepted_by, agency, time_to_accept_s, requested_at, site, kind)
    WHERE time_to_accept_s IS NOT NULL;
CREATE INDEX handoff_stats_arrivals ON handoff_stats
    (accepted_by, agency, time_to_arrival_s, requested_at, site, kind)
    WHERE time_to_arrival_s IS NOT NULL;
CREATE INDEX handoff_stats_eta_errors ON handoff_stats
    (eta_error_s, requested_at, site, agency, accepted_by, kind)
    WHERE eta_error_s IS NOT NULL;
CREATE INDEX handoff_stats_officer_times ON handoff_stats
    (request_to_close_s, requested_at, site, agency, accepted_by, kind)
    WHERE outcome = 'completed';
CREATE INDEX handoff_stats_officers ON handoff_stats
    (officer, requested_at, site, agency, accepted_by, kind);

-- How far into the event log each rollup has read. `name` carries the version of
-- the rules the rows were computed by: a new version starts again from the start
-- of the log and rewrites every row. The key is (through_tx, through_seq): on
-- SQLite the events are read in `seq` order and `through_tx` stays 0; see the
-- PostgreSQL migration for why it needs the transaction id too.
CREATE TABLE stats_rollup (
    name        TEXT   PRIMARY KEY NOT NULL,
    through_tx  BIGINT NOT NULL,
    through_seq BIGINT NOT NULL
);
