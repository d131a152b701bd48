-- accordwatch store, migration 6: the digest marks.  Each recorded digest is one row of
-- digest_marks: when it was made, where its window started, the last ingest run and the last
-- assessment it covered (the next digest starts after them), how many changes it listed,
-- where it went (files, addresses) and what it said.  digest_items holds what the store
-- records no time for, as the digest saw it: the alerts of the data's latest month, the
-- milestones, and every agreement not in force — the next digest lists what is not there.
CREATE TABLE digest_marks (
    digest_id          BIGINT PRIMARY KEY,     -- 1, 2, … in the order they were made
    created_at         TIMESTAMP NOT NULL,     -- when it was made (UTC)
    window_start       VARCHAR NOT NULL,       -- where its window started, in words
    last_run_id        BIGINT NOT NULL,        -- the latest ingest run it covered
    last_assessment_id BIGINT NOT NULL,        -- the latest assessment it covered
    changes            BIGINT NOT NULL,        -- how many changes it listed
    counts             VARCHAR NOT NULL,       -- changes by section, JSON
    sent_to            VARCHAR,                -- '; '-joined e-mail addresses, when mailed
    outputs            VARCHAR,                -- '; '-joined files it was written to
    title              VARCHAR NOT NULL,
    body_markdown      VARCHAR NOT NULL,
    body_html          VARCHAR NOT NULL        -- the Atom feed repeats it as the entry content
);

CREATE TABLE digest_items (
    digest_id     BIGINT NOT NULL,
    kind          VARCHAR NOT NULL,            -- alert | milestone | status
    item_key      VARCHAR NOT NULL,            -- what identifies it (see accordwatch._app.digest)
    detail        VARCHAR,                     -- e.g. the status of an agreement not in force
    PRIMARY KEY (digest_id, kind, item_key)
);
