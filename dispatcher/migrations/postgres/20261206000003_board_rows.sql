-- The dashboard's board is counted in memory from `handoff_stats` (store/board.rs),
-- which each instance reads on from where it last read, in order of revision:
-- every batch the rollup writes stamps its rows with the next number of
-- `stats_revision`, taken first in its transaction (the row's lock orders the
-- batches). Rows written before this migration have revision 0 and are read first.
ALTER TABLE handoff_stats ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
CREATE INDEX handoff_stats_by_revision ON handoff_stats (revision, id);

CREATE TABLE stats_revision (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO stats_revision (id, revision) VALUES (1, 0);

-- The board no longer groups in SQL: the indexes its queries walked go.
DROP INDEX handoff_stats_by_requested_at;
DROP INDEX handoff_stats_buckets;
DROP INDEX handoff_stats_cohorts;
DROP INDEX handoff_stats_accepts;
DROP INDEX handoff_stats_arrivals;
DROP INDEX handoff_stats_eta_errors;
DROP INDEX handoff_stats_officer_times;
DROP INDEX handoff_stats_officers;
