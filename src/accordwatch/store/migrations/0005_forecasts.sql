-- accordwatch store, migration 5: stored forecasts, so that a forecast of data that have not
-- changed, by a model whose settings have not changed, is read instead of fitted again.
-- One row per fit in forecasts; its quantiles per unit and month in forecast_values
-- (keyed by forecast_id, unit_id, step).  A new fit of the same data_hash, model_key and
-- months replaces the one stored.
CREATE TABLE forecasts (
    forecast_id   BIGINT PRIMARY KEY,
    model         VARCHAR NOT NULL,        -- model name: qgbm, conflictology, ...
    model_key     VARCHAR NOT NULL,        -- <name>-<digest of class, settings and code>
    settings      VARCHAR NOT NULL,        -- the model's settings, JSON
    data_hash     VARCHAR NOT NULL,        -- file:<sha256>:<level> or series:<level>:<sha256>
    data_source   VARCHAR,                 -- the file, or store:<level>
    origin        BIGINT NOT NULL,         -- VIEWS month id of the last month the model saw
    months        BIGINT NOT NULL,         -- months forecast after the origin
    units         BIGINT NOT NULL,
    fit_seconds   DOUBLE,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE forecast_values (
    forecast_id   BIGINT NOT NULL,
    unit_id       BIGINT NOT NULL,
    unit          VARCHAR NOT NULL,
    step          BIGINT NOT NULL,         -- months after the origin (1 = the next month)
    month_id      BIGINT NOT NULL,
    mean          DOUBLE,
    median        DOUBLE,
    lo_50         DOUBLE,                  -- central 50 % interval
    hi_50         DOUBLE,
    lo_90         DOUBLE,                  -- central 90 % interval
    hi_90         DOUBLE,
    p_ge_25       DOUBLE,                  -- P(deaths >= 25)
    p_ge_100      DOUBLE                   -- P(deaths >= 100)
);
