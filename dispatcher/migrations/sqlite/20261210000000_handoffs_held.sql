-- What routing reads before every decision (`Store::load`): the hand-offs people
-- hold, open or owing an intake, and those on the way to a diversion center.
-- Without this index SQLite answered that query by reading every hand-off's row
-- (it will not range-scan `handoffs_by_assignee` for `IS NOT NULL`), so each
-- decision cost time in proportion to all hand-offs ever stored: with 100,000
-- open, an escalation timer fired ~15 s late. The index holds only the rows the
-- query's own condition admits (the same text, so both databases match it to the
-- query), a few per case manager or center.
CREATE INDEX handoffs_held ON handoffs (id)
    WHERE (assignee IS NOT NULL AND (closed_at IS NULL
    OR (intake_due_at IS NOT NULL AND intake_completed_at IS NULL)))
    OR state = 'dropping_off';
