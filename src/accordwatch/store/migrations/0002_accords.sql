-- accordwatch store, migration 2: peace agreements, their provisions, implementation
-- assessments (append-only history), process milestones and monitoring reference figures.

-- One row per agreement (UCDP Peace Agreement Dataset rows, or user-defined agreements).
CREATE TABLE accord_agreements (
    agreement_id     BIGINT PRIMARY KEY,      -- UCDP paid
    name             VARCHAR NOT NULL,
    signed           DATE,                    -- UCDP pa_date
    year             BIGINT,
    gwno             VARCHAR,                 -- location, Gleditsch-Ward code(s) as in UCDP ("432", "471, 475")
    countries        VARCHAR,                 -- country names for gwno, "; "-separated
    region           BIGINT,
    conflict_ids     BIGINT[],
    dyad_ids         BIGINT[],
    incompatibility  VARCHAR,
    pa_type          BIGINT,
    ended            BOOLEAN,
    process_id       BIGINT,
    comment          VARCHAR,
    signatories_text VARCHAR,                 -- UCDP pa_sign
    signatories_comment VARCHAR,              -- UCDP c_sign
    third_parties_text VARCHAR,               -- UCDP pa_3rd
    third_parties_comment VARCHAR,            -- UCDP c_3rd
    fulltext_url     VARCHAR,
    source           VARCHAR NOT NULL
);

-- Parties to each agreement: UCDP actor ids/names and named third parties.
CREATE TABLE accord_parties (
    agreement_id     BIGINT NOT NULL,
    seq              BIGINT NOT NULL,
    name             VARCHAR NOT NULL,
    ucdp_actor_id    BIGINT,
    role             VARCHAR NOT NULL,        -- warring | signatory | third-party
    actor_id         VARCHAR,                 -- accordwatch registry id when known
    PRIMARY KEY (agreement_id, seq)
);

-- UCDP provision flags (long form): one row per agreement and coded provision.
CREATE TABLE accord_flags (
    agreement_id     BIGINT NOT NULL,
    flag             VARCHAR NOT NULL,        -- UCDP column name (cease, ddr, intarmy, ...)
    label            VARCHAR NOT NULL,
    theme            VARCHAR,
    value            BIGINT NOT NULL,
    PRIMARY KEY (agreement_id, flag)
);

-- Provision tree: title > chapter > article > commitment.
CREATE TABLE accord_provisions (
    provision_id     VARCHAR PRIMARY KEY,
    agreement_id     BIGINT NOT NULL,
    parent_id        VARCHAR,
    level            VARCHAR NOT NULL,        -- title | chapter | article | commitment
    seq              BIGINT NOT NULL,         -- order within the agreement
    number           VARCHAR,
    title            VARCHAR NOT NULL,
    theme            VARCHAR,
    parties          VARCHAR,                 -- responsible parties, "; "-separated
    places           VARCHAR,                 -- places it concerns, "; "-separated
    deadline         DATE,
    deadline_text    VARCHAR,
    ucdp_flags       VARCHAR,                 -- UCDP provision flags it corresponds to, "; "-separated
    source           VARCHAR,
    note             VARCHAR,
    origin           VARCHAR NOT NULL,        -- bundled | file name it was loaded from
    loaded_at        TIMESTAMP NOT NULL
);

-- Implementation assessments: append-only, never updated or deleted.
CREATE TABLE accord_assessments (
    assessment_id    BIGINT PRIMARY KEY,
    provision_id     VARCHAR NOT NULL,
    date             DATE NOT NULL,
    score            VARCHAR NOT NULL,        -- 0 | 1 | 2 | 3 | reversed | suspended
    assessor         VARCHAR NOT NULL,
    evidence         VARCHAR NOT NULL,
    source_url       VARCHAR,
    recorded_at      TIMESTAMP NOT NULL,
    origin           VARCHAR NOT NULL,        -- cli | api | file name
    fingerprint      VARCHAR NOT NULL         -- sha256 of the content, for duplicate detection
);

-- Dated milestones of a peace process.
CREATE TABLE accord_milestones (
    agreement_id     BIGINT NOT NULL,
    date             DATE NOT NULL,           -- first day of the period when precision is month/year
    precision        VARCHAR NOT NULL,        -- day | month | year
    actors           VARCHAR,
    kind             VARCHAR NOT NULL,
    description      VARCHAR NOT NULL,
    source           VARCHAR NOT NULL
);

-- Published reference figures and monitoring arrangements (PAM score, Independent Observer counts ...).
CREATE TABLE accord_references (
    agreement_id     BIGINT NOT NULL,
    key              VARCHAR NOT NULL,
    as_of            DATE,
    published        DATE,
    value            DOUBLE,
    unit             VARCHAR,
    description      VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    source_url       VARCHAR,
    PRIMARY KEY (agreement_id, key)
);
