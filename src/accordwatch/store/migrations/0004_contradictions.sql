-- accordwatch store, migration 4: values derived from an event's other values, stored where
-- they contradict what UCDP wrote (which is kept as written).
--   priogrid_gid_computed: the PRIO-GRID cell of latitude/longitude, where it is not
--                          priogrid_gid
--   year_computed:         the year of date_start, where it is not year
-- A store created by this version has the columns already (migration 1 makes every event
-- column); an older store gets them here, filled for the UCDP events it holds, so that
-- loading the same file again still changes nothing.  The cell is the formula of
-- accordwatch.geo.priogrid (geo/_grid.py: priogrid_sql), written out.
ALTER TABLE events ADD COLUMN IF NOT EXISTS priogrid_gid_computed BIGINT;
ALTER TABLE events ADD COLUMN IF NOT EXISTS year_computed BIGINT;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS priogrid_gid_computed BIGINT;
ALTER TABLE events_history ADD COLUMN IF NOT EXISTS year_computed BIGINT;

CREATE TEMP MACRO _aw_cell(latitude, longitude) AS
    CASE WHEN latitude BETWEEN -90.0 AND 90.0 AND longitude BETWEEN -180.0 AND 180.0
    THEN least(greatest(CAST(floor((latitude + 90.0) / 0.5) AS BIGINT), 0), 359) * 720
         + least(greatest(CAST(floor((longitude + 180.0) / 0.5) AS BIGINT), 0), 719) + 1 END;

UPDATE events SET priogrid_gid_computed = _aw_cell(latitude, longitude)
WHERE source IN ('ucdp-ged', 'ucdp-candidate')
  AND priogrid_gid <> _aw_cell(latitude, longitude);
UPDATE events SET year_computed = year(date_start)
WHERE source IN ('ucdp-ged', 'ucdp-candidate') AND year <> year(date_start);
UPDATE events_history SET priogrid_gid_computed = _aw_cell(latitude, longitude)
WHERE source IN ('ucdp-ged', 'ucdp-candidate')
  AND priogrid_gid <> _aw_cell(latitude, longitude);
UPDATE events_history SET year_computed = year(date_start)
WHERE source IN ('ucdp-ged', 'ucdp-candidate') AND year <> year(date_start);

DROP MACRO _aw_cell;
