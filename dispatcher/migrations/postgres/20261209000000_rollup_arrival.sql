-- How each hand-off's person was reached: `field` (a case manager's ARRIVED),
-- `dropoff` (checked in at a diversion center after the officer's DROPOFF), or
-- NULL (not reached). The board counts drop-offs apart from field meets with it.
-- Rows written before this migration stay NULL until a refresh rewrites them,
-- which the next one does: the rollup's rules moved to version `handoff_stats/3`.
ALTER TABLE handoff_stats ADD COLUMN arrival TEXT;
