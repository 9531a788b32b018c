-- The dispatcher's durable state (SQLite dialect; migrations/postgres holds the same
-- schema for PostgreSQL). Instants are BIGINT milliseconds since the Unix epoch, JSON
-- is TEXT: the same queries then run on both through sqlx's `any` driver.

-- One row per hand-off. `data` is the whole `Handoff` as JSON; the other columns are
-- copies of its fields for queries and indexes. `version` is the optimistic
-- concurrency check: every update names the version it read.
CREATE TABLE handoffs (
    id                  INTEGER PRIMARY KEY NOT NULL, -- the number people type; not generated
    site                TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    officer             TEXT    NOT NULL,
    agency              TEXT    NOT NULL,
    state               TEXT    NOT NULL,             -- State::name()
    assignee            TEXT,
    data                TEXT    NOT NULL,
    version             BIGINT  NOT NULL,
    requested_at        BIGINT  NOT NULL,
    closed_at           BIGINT,
    intake_due_at       BIGINT,
    intake_completed_at BIGINT
);
CREATE INDEX handoffs_by_state ON handoffs (state);
CREATE INDEX handoffs_by_assignee ON handoffs (assignee);
CREATE INDEX handoffs_by_intake_due ON handoffs (intake_due_at);

-- The event log: append-only, in commit order.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    handoff_id BIGINT  NOT NULL REFERENCES handoffs (id),
    kind       TEXT    NOT NULL,                      -- EventKind::name()
    actor      TEXT    NOT NULL,                      -- Actor as JSON
    at         BIGINT  NOT NULL,
    details    TEXT    NOT NULL                       -- EventKind as JSON
);
CREATE INDEX events_by_handoff ON events (handoff_id, seq);
CREATE INDEX events_by_at ON events (at);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

-- Pending timers: at most one of each name per hand-off.
CREATE TABLE timers (
    handoff_id BIGINT NOT NULL REFERENCES handoffs (id),
    name       TEXT   NOT NULL,                       -- Timer::name()
    due_at     BIGINT NOT NULL,
    PRIMARY KEY (handoff_id, name)
);
CREATE INDEX timers_by_due ON timers (due_at);

-- Messages decided but not yet delivered (and, afterwards, what became of them).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT    NOT NULL UNIQUE,
    handoff_id      BIGINT  REFERENCES handoffs (id),  -- none for replies such as HELP
    recipient       TEXT    NOT NULL,                 -- Recipient as JSON
    message         TEXT    NOT NULL,                 -- Message as JSON
    status          TEXT    NOT NULL,                 -- OutboxStatus::name()
    attempts        BIGINT  NOT NULL,
    next_attempt_at BIGINT  NOT NULL,
    provider_id     TEXT,
    last_error      TEXT,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_by_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_provider_id ON outbox (provider_id);

-- What routing needs to know about a person beyond the schedule and the hand-offs.
CREATE TABLE person_load (
    person          TEXT   PRIMARY KEY NOT NULL,
    last_offered_at BIGINT,
    caseload        BIGINT NOT NULL DEFAULT 0         -- open cases recorded by staff
);

-- Numbers that opted out of SMS (carrier STOP): nothing more is sent to them by SMS
-- until they opt back in (START).
CREATE TABLE sms_opt_outs (
    phone TEXT   PRIMARY KEY NOT NULL,
    at    BIGINT NOT NULL
);

-- Provider ids of inbound messages already handled: providers retry webhooks, and a
-- retried request must not act twice.
CREATE TABLE inbound_seen (
    provider_id TEXT   PRIMARY KEY NOT NULL,
    at          BIGINT NOT NULL
);

-- When an unregistered number was last told it is not registered: at most once a
-- day, so two bots cannot ping-pong.
CREATE TABLE refusals (
    phone   TEXT   PRIMARY KEY NOT NULL,
    last_at BIGINT NOT NULL
);
