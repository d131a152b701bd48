-- accordwatch store, migration 3: the review queue for events extracted from text.
-- Candidates wait here until a person accepts (→ events, source 'text:<doc_id>'),
-- edits or rejects them (kept with the reason). Every decision is logged.
CREATE TABLE review_documents (
    doc_id        VARCHAR PRIMARY KEY,     -- doc-<12 hex of the text's SHA-256>
    title         VARCHAR,
    url           VARCHAR,
    published     DATE,
    lang          VARCHAR,
    path          VARCHAR,
    sha256        VARCHAR,
    added_at      TIMESTAMP NOT NULL
);

CREATE TABLE review_candidates (
    candidate_id  BIGINT PRIMARY KEY,
    doc_id        VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,        -- pending | accepted | rejected | duplicate
    event_date    VARCHAR,                 -- YYYY-MM-DD | YYYY-MM | YYYY
    date_precision VARCHAR,                -- day | month | year
    place         VARCHAR,
    admin1        VARCHAR,
    latitude      DOUBLE,
    longitude     DOUBLE,
    location_precision VARCHAR,            -- town | site | area | admin1
    actors        VARCHAR,                 -- '; '-joined actor names
    actor_ids     VARCHAR,                 -- '; '-joined registry ids
    event_type    VARCHAR NOT NULL,
    fatalities    BIGINT,
    evidence      VARCHAR NOT NULL,
    evidence_start BIGINT,
    evidence_end  BIGINT,
    confidence    DOUBLE,
    duplicate_of  VARCHAR,                 -- '<source>|<source_event_id>' of a stored event
    duplicate_note VARCHAR,
    reason        VARCHAR,                 -- why it was rejected
    event_source  VARCHAR,                 -- the stored event once accepted
    event_id      VARCHAR,
    created_at    TIMESTAMP NOT NULL,
    decided_at    TIMESTAMP
);

CREATE TABLE review_log (
    candidate_id  BIGINT NOT NULL,
    logged_at     TIMESTAMP NOT NULL,
    action        VARCHAR NOT NULL,        -- queued | edited | accepted | rejected | duplicate
    detail        VARCHAR
);
