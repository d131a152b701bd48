-- accordwatch store, migration 10: incidents (one incident, several sources) and claims.
--
-- incidents: records of different sources (UCDP GED, ACLED, accepted news events) that report
-- the same incident.  Each member is one stored event (ev_source, ev_id); a record belongs to
-- at most one incident.  Exactly one member of an incident is counted (incident_members.counted):
-- the one the source precedence picks, or the one an analyst chose (incidents.counted_*).
-- Stats, briefings and the forecasts' store series leave out the members that are not counted.
-- incident_unlinks: pairs an analyst separated; the linker never joins them again.
-- incident_log: every change (by the linker or an analyst), who, when and why.  Append-only.
-- claims: what a party says happened (deaths, a capture, a responsibility), attributed to its
-- claimant and source, linked to an event when known; never added to any event's deaths.
-- review_candidates.claim_json: a claim extracted from text waits in the review queue as a
-- candidate with event_type 'claim' and its fields here (JSON); claim_id once accepted.
CREATE TABLE incidents (
    incident_id      BIGINT PRIMARY KEY,
    counted_source   VARCHAR,                 -- an analyst's choice of the counted member
    counted_event_id VARCHAR,                 --   (NULL: the source precedence decides)
    counted_by       VARCHAR,
    counted_reason   VARCHAR,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

CREATE TABLE incident_members (
    ev_source        VARCHAR NOT NULL,        -- the event's source and source_event_id
    ev_id            VARCHAR NOT NULL,
    incident_id      BIGINT NOT NULL,
    counted          BOOLEAN NOT NULL,        -- its figure is the incident's figure
    how              VARCHAR NOT NULL,        -- auto (the linker) | manual (an analyst)
    matched_source   VARCHAR,                 -- the member it was matched with (NULL: the first)
    matched_id       VARCHAR,
    explanation      VARCHAR,                 -- JSON: rules met, days, km, actors, types, score
    linked_by        VARCHAR NOT NULL,        -- 'linker' or the analyst
    linked_at        TIMESTAMP NOT NULL,
    reason           VARCHAR,
    PRIMARY KEY (ev_source, ev_id)
);

CREATE TABLE incident_unlinks (
    a_source         VARCHAR NOT NULL,
    a_id             VARCHAR NOT NULL,
    b_source         VARCHAR NOT NULL,
    b_id             VARCHAR NOT NULL,
    unlinked_by      VARCHAR NOT NULL,
    unlinked_at      TIMESTAMP NOT NULL,
    reason           VARCHAR NOT NULL
);

CREATE TABLE incident_log (
    entry_id         BIGINT PRIMARY KEY,
    logged_at        TIMESTAMP NOT NULL,
    who              VARCHAR NOT NULL,        -- 'linker', 'cli:<os user>', a web user …
    action           VARCHAR NOT NULL,        -- auto-link | auto-unlink | link | unlink | count
    incident_id      BIGINT,
    ev_source        VARCHAR,
    ev_id            VARCHAR,
    other_source     VARCHAR,
    other_id         VARCHAR,
    reason           VARCHAR,
    detail           VARCHAR                  -- JSON
);

CREATE TABLE claims (
    claim_id         BIGINT PRIMARY KEY,
    claimant         VARCHAR NOT NULL,        -- who claims, as written
    claimant_id      VARCHAR,                 -- its actor registry id, when resolved
    kind             VARCHAR NOT NULL,        -- deaths | capture | responsibility | other
    deaths           BIGINT,                  -- the number claimed (kind deaths)
    target           VARCHAR,                 -- whom or what the claim is about
    claim_date       VARCHAR,                 -- YYYY-MM-DD | YYYY-MM | YYYY: what it is about
    date_precision   VARCHAR,
    place            VARCHAR,
    admin1           VARCHAR,
    latitude         DOUBLE,
    longitude        DOUBLE,
    claimed_on       DATE,                    -- when the claim was made (published)
    evidence         VARCHAR NOT NULL,        -- the sentence (or statement) claiming it
    source           VARCHAR NOT NULL,        -- where the claim was read (outlet, document)
    source_url       VARCHAR,
    doc_id           VARCHAR,
    ev_source        VARCHAR,                 -- the event the claim is about, when known
    ev_id            VARCHAR,
    candidate_id     BIGINT,                  -- the review candidate it came from
    recorded_by      VARCHAR NOT NULL,
    recorded_at      TIMESTAMP NOT NULL,
    note             VARCHAR
);

ALTER TABLE review_candidates ADD COLUMN claim_json VARCHAR;
ALTER TABLE review_candidates ADD COLUMN claim_id BIGINT;
