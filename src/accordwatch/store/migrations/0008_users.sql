-- accordwatch store, migration 8: accounts of the web app and the audit log.
-- users: who may log in, with which role; the password as an argon2 hash (never the text).
-- api_tokens and sessions keep only the SHA-256 hash of the random token or session id the
-- client holds.  login_attempts feeds the login rate limit (kept across restarts).
-- audit_log is append-only: every change made through the web app or the users commands,
-- who made it, when, and the thing before and after (JSON).  No code updates or deletes it.
-- All times are UTC.
CREATE TABLE users (
    user_id          BIGINT PRIMARY KEY,
    name             VARCHAR NOT NULL UNIQUE,  -- lower case
    role             VARCHAR NOT NULL,         -- viewer | analyst | admin
    password_hash    VARCHAR NOT NULL,         -- argon2 (PHC string)
    disabled         BOOLEAN NOT NULL DEFAULT false,
    created          TIMESTAMP NOT NULL,
    password_changed TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    token_id         BIGINT PRIMARY KEY,
    user_id          BIGINT NOT NULL,
    name             VARCHAR NOT NULL,         -- a label to recognise it by
    token_hash       VARCHAR NOT NULL UNIQUE,  -- SHA-256 of the token, hex
    created          TIMESTAMP NOT NULL,
    last_used        TIMESTAMP,
    revoked          TIMESTAMP
);

CREATE TABLE sessions (
    session_hash     VARCHAR PRIMARY KEY,      -- SHA-256 of the cookie's session id, hex
    user_id          BIGINT NOT NULL,
    created          TIMESTAMP NOT NULL,
    expires          TIMESTAMP NOT NULL,
    last_seen        TIMESTAMP NOT NULL,
    user_agent       VARCHAR
);

CREATE TABLE login_attempts (
    name             VARCHAR NOT NULL,         -- as typed (lower case)
    ip               VARCHAR NOT NULL,         -- the client's address ('' when unknown)
    attempted_at     TIMESTAMP NOT NULL,
    ok               BOOLEAN NOT NULL
);

CREATE TABLE audit_log (
    entry_id         BIGINT PRIMARY KEY,       -- 1, 2, … in the order of the changes
    logged_at        TIMESTAMP NOT NULL,
    user_name        VARCHAR NOT NULL,         -- a user, 'cli:<os user>', 'anonymous' …
    action           VARCHAR NOT NULL,         -- e.g. user.add, review.accept, login
    target           VARCHAR NOT NULL,         -- e.g. user:alice, candidate:12
    before_json      VARCHAR,                  -- the thing before the change (JSON)
    after_json       VARCHAR,                  -- and after it (JSON)
    ip               VARCHAR
);
