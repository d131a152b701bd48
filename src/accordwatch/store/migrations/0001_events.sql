-- accordwatch store, migration 1: events, their history, ingest runs, actors, places,
-- and reference tables seeded from the bundled default.
CREATE TABLE schema_migrations (
    version       BIGINT PRIMARY KEY,
    name          VARCHAR,
    applied_at    TIMESTAMP
);

CREATE TABLE meta (
    key           VARCHAR PRIMARY KEY,
    value         VARCHAR
);

CREATE TABLE ingest_runs (
    run_id        BIGINT PRIMARY KEY,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    kind          VARCHAR NOT NULL,        -- ingest-ucdp, ingest-acled, seed, review, ...
    source        VARCHAR,
    file          VARCHAR,
    file_sha256   VARCHAR,
    rows_read     BIGINT,
    inserted      BIGINT,
    updated       BIGINT,
    unchanged     BIGINT,
    rejected      BIGINT,
    quarantine_file VARCHAR,
    tool_version  VARCHAR
);

-- (source, source_event_id) identifies an event. It is kept unique by the ingest
-- (duplicates are refused before writing, new rows are an anti-join on the key),
-- not by a PRIMARY KEY: maintaining that index costs more than the rest of a load.
CREATE TABLE events (
    {event_columns}
);

-- Every earlier version of an event that a later load changed, with the run that replaced it.
CREATE TABLE events_history (
    {event_columns},
    replaced_by_run BIGINT NOT NULL,
    replaced_at   TIMESTAMP NOT NULL
);

CREATE TABLE actors (
    actor_id      VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    ucdp_ids      BIGINT[],
    kind          VARCHAR,
    country       VARCHAR,
    valid_from    VARCHAR,
    valid_to      VARCHAR,
    predecessors  VARCHAR[],
    successors    VARCHAR[],
    source        VARCHAR
);

CREATE TABLE actor_aliases (
    alias         VARCHAR NOT NULL,
    alias_norm    VARCHAR NOT NULL,
    actor_id      VARCHAR NOT NULL,
    lang          VARCHAR,
    ambiguous     BOOLEAN
);

CREATE TABLE places (
    place_id      VARCHAR PRIMARY KEY,     -- geonames:<id> or a curated slug
    name          VARCHAR NOT NULL,
    asciiname     VARCHAR,
    latitude      DOUBLE,
    longitude     DOUBLE,
    feature_class VARCHAR,
    feature_code  VARCHAR,
    country       VARCHAR,
    admin1        VARCHAR,
    population    BIGINT,
    note          VARCHAR
);

-- Monthly state-based deaths per country (VIEWS country-month layout).
CREATE TABLE country_month (
    country_id    BIGINT NOT NULL,
    month_id      BIGINT NOT NULL,
    country       VARCHAR,
    gwcode        BIGINT,
    isoab         VARCHAR,
    year          BIGINT,
    month         BIGINT,
    ged_sb        DOUBLE,
    PRIMARY KEY (country_id, month_id)
);

-- UCDP/PRIO Armed Conflict Dataset rows (conflict-years), as in the CSV.
CREATE TABLE ucdp_conflicts (
    conflict_id          BIGINT,
    location             VARCHAR,
    side_a               VARCHAR,
    side_a_id            VARCHAR,
    side_a_2nd           VARCHAR,
    side_b               VARCHAR,
    side_b_id            VARCHAR,
    side_b_2nd           VARCHAR,
    incompatibility      BIGINT,
    territory_name       VARCHAR,
    year                 BIGINT,
    intensity_level      BIGINT,
    cumulative_intensity BIGINT,
    type_of_conflict     BIGINT,
    start_date           VARCHAR,
    start_prec           BIGINT,
    start_date2          VARCHAR,
    start_prec2          BIGINT,
    ep_end               BIGINT,
    ep_end_date          VARCHAR,
    ep_end_prec          BIGINT,
    gwno_a               VARCHAR,
    gwno_a_2nd           VARCHAR,
    gwno_b               VARCHAR,
    gwno_b_2nd           VARCHAR,
    gwno_loc             VARCHAR,
    region               VARCHAR,
    version              VARCHAR
);

-- UCDP Dyadic Dataset rows (dyad-years), as in the CSV.
CREATE TABLE ucdp_dyads (
    dyad_id              BIGINT,
    conflict_id          BIGINT,
    location             VARCHAR,
    side_a               VARCHAR,
    side_a_id            VARCHAR,
    side_a_2nd           VARCHAR,
    side_b               VARCHAR,
    side_b_id            VARCHAR,
    side_b_2nd           VARCHAR,
    incompatibility      BIGINT,
    territory_name       VARCHAR,
    year                 BIGINT,
    intensity_level      BIGINT,
    type_of_conflict     BIGINT,
    start_date           VARCHAR,
    start_prec           BIGINT,
    start_date2          VARCHAR,
    start_prec2          BIGINT,
    gwno_a               VARCHAR,
    gwno_a_2nd           VARCHAR,
    gwno_b               VARCHAR,
    gwno_b_2nd           VARCHAR,
    gwno_loc             VARCHAR,
    region               VARCHAR,
    version              VARCHAR
);
