-- Whom each open hand-off has an unanswered offer out to, so that a staff
-- member's text (`Store::open_handoffs_of_staff`, read for every one they send)
-- finds the hand-offs it may be about by index instead of decoding every open
-- hand-off's `data`: with 100,000 open, that was a full scan per reply.
--
-- Which offers are unanswered is `Handoff::pending()`, in Rust, and stays there:
-- this table is a copy, rewritten from it in the same transaction as every write
-- of the hand-off's row (store/pending.rs). It holds open hand-offs only; a
-- hand-off that closes loses its rows.
CREATE TABLE pending_offers (
    handoff BIGINT NOT NULL REFERENCES handoffs (id),
    person  TEXT   NOT NULL,
    PRIMARY KEY (handoff, person)
);
CREATE INDEX pending_offers_by_person ON pending_offers (person, handoff);

-- The other half of that query: the open hand-offs a person has accepted, found
-- without walking every hand-off they ever had (`handoffs_by_assignee` holds
-- closed ones too, and grows with the years). The condition is the query's own
-- text, so both databases match it.
CREATE INDEX handoffs_open_by_assignee ON handoffs (assignee) WHERE closed_at IS NULL;

-- The hand-offs open before this migration have no rows yet, and SQL cannot
-- compute them (the rule is in Rust): the store fills them when it first starts
-- after this migration, before it is used, a page of hand-offs per transaction
-- (instances starting at once take turns on the row below: `FOR UPDATE`),
-- moving `through` (the last number done) up to `legacy_through` (the highest
-- number open now). Hand-offs written afterwards keep their own rows.
CREATE TABLE pending_offers_backfill (
    id             BIGINT  PRIMARY KEY CHECK (id = 1),
    through        BIGINT  NOT NULL,
    legacy_through BIGINT  NOT NULL
);
INSERT INTO pending_offers_backfill (id, through, legacy_through)
SELECT 1, 0, COALESCE(MAX(id), 0) FROM handoffs WHERE closed_at IS NULL;
