-- An officer's open hand-offs are read on every text they send (STATUS, CANCEL,
-- relays, a request sent twice): find them without scanning every open one.
CREATE INDEX handoffs_by_officer ON handoffs (officer, closed_at);
