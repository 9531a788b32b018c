-- Fencing for leases: `epoch` grows by one every time a lease changes hands (or
-- its holder takes it back after it ran out), so a holder that stalled past its
-- lease can be told apart from the one holding it now. `until_at` is from now on
-- the database's own clock (epoch milliseconds), never a process's.
ALTER TABLE leases ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;

-- The lease epoch under which a sender claimed a pending text before handing it
-- to the provider; a text is only marked sent, retried or failed by the holder
-- whose claim it carries, while that holder still holds the lease.
ALTER TABLE outbox ADD COLUMN claim_epoch BIGINT;
