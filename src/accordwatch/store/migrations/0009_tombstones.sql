-- accordwatch store, migration 9: what a living source (ACLED) records of an event beyond
-- GED's fields, events the source deleted (tombstones), and where each sync of a source's
-- API stopped.
-- A store created by this version has the event columns already (migration 1 makes every
-- event column); an older store gets them here, empty for the events it holds.
ALTER TABLE events ADD COLUMN IF NOT EXISTS adm_3 VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS disorder_type VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS source_event_type VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS sub_event_type VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS inter1 VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS inter2 VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS civilian_targeting VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS source_scale VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS tags VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS notes VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS source_timestamp TIMESTAMP;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS adm_3 VARCHAR;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS disorder_type VARCHAR;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS source_event_type VARCHAR;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS sub_event_type VARCHAR;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS inter1 VARCHAR;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS inter2 VARCHAR;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS civilian_targeting VARCHAR;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS source_scale VARCHAR;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS tags VARCHAR;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS notes VARCHAR;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS source_timestamp TIMESTAMP;

-- An event its source deleted (ACLED's deleted endpoint): the event left the events table
-- (so every query, count and series leaves it out), its last version went to events_history
-- with the deleting run, and this row says when and by which run.  A later version from the
-- source (newer than the deletion) restores the event: restored_by_run is then set.
CREATE TABLE IF NOT EXISTS tombstones (
    source           VARCHAR NOT NULL,
    source_event_id  VARCHAR NOT NULL,
    deleted_at       TIMESTAMP,            -- when the source deleted it (UTC), if it says
    deleted_by_run   BIGINT NOT NULL,
    recorded_at      TIMESTAMP NOT NULL,
    restored_by_run  BIGINT
);

-- Where the last sync of one query of a source's API stopped: the newest event timestamp
-- and deletion timestamp seen (seconds since 1970, UTC), so the next sync asks only for
-- what changed since.
CREATE TABLE IF NOT EXISTS source_sync (
    source                  VARCHAR NOT NULL,
    query                   VARCHAR NOT NULL,
    last_timestamp          BIGINT,
    last_deleted_timestamp  BIGINT,
    last_run_id             BIGINT,
    synced_at               TIMESTAMP,
    PRIMARY KEY (source, query)
);

-- How many events a run recorded as deleted at their source.
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS deleted BIGINT;
