-- accordwatch store, migration 7: stored forecasts keep P(deaths >= 1) too (the map-ready
-- output shows the median, P(>= 1) and P(>= 25) per unit).  Forecasts stored before this
-- migration have it NULL and are fitted again when asked for.
ALTER TABLE forecast_values ADD COLUMN p_ge_1 DOUBLE;
