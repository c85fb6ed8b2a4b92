-- make demo: what the bundled sample logs (fixtures/demo) contain.
-- Run by hand with:  sqlite3 -cmd '.load ./dist/cloudtrail' < sql/demo.sql

-- Coverage: every file the walk found, by format (digests give no rows).
SELECT format, compression, count(*) AS files, sum(records) AS records,
       count(error) AS errors
  FROM cloudtrail_files('fixtures/demo')
 GROUP BY format, compression ORDER BY format;

-- One row per event source (Insights records have none: shown by type).
SELECT coalesce(event_source, '(' || event_type || ')') AS event_source,
       count(*) AS events,
       sum(outcome = 'failure') AS failures,
       min(event_time) AS first_seen, max(event_time) AS last_seen
  FROM cloudtrail('fixtures/demo')
 GROUP BY 1
 ORDER BY events DESC, 1;
