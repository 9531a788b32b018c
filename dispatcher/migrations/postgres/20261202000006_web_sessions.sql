-- The web dashboard's logins. A session is a random token in the browser's cookie;
-- only its SHA-256 is kept here, so a copy of the database opens no session. Rows
-- past `expires_at` are dead and are deleted as new sessions are made; logging out
-- deletes the row, so a copied cookie dies with it.
CREATE TABLE web_sessions (
    token_hash TEXT   PRIMARY KEY NOT NULL,
    user_name  TEXT   NOT NULL,
    csrf       TEXT   NOT NULL,  -- the token every form of this session must carry
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
CREATE INDEX web_sessions_by_user ON web_sessions (user_name);

-- Random keys made once and shared by every instance on this database: the key
-- that signs session cookies and the one calendar feed tokens are derived from.
-- The first instance to need one writes it; the others read that one.
CREATE TABLE web_keys (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- A hand-off's timeline on the dashboard lists the messages sent about it.
CREATE INDEX outbox_by_handoff ON outbox (handoff_id, id);
