-- `handoff report summary` counts and times its groups from the rollup instead
-- of folding the whole event log (store/summary.rs). These columns hold what a
-- summary adds up beyond the board's columns, and `counted` repeats, in one
-- short text (`stats::Counted`), every figure of the row a summary counts, so
-- that a summary reads the selected rows in one value rather than one at a time.
-- Rows written before this migration keep the defaults until a refresh rewrites
-- them, which the next one does: the rollup's rules moved to version
-- `handoff_stats/2` with these columns.
ALTER TABLE handoff_stats ADD COLUMN declines BIGINT NOT NULL DEFAULT 0;
ALTER TABLE handoff_stats ADD COLUMN escalations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE handoff_stats ADD COLUMN followed_up BIGINT NOT NULL DEFAULT 0;
ALTER TABLE handoff_stats ADD COLUMN accepted_via TEXT;
ALTER TABLE handoff_stats ADD COLUMN counted TEXT NOT NULL DEFAULT '';
