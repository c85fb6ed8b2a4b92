-- ingest.sql — add CloudTrail files to an evidence database made by
-- sql/schema.sql, reading only files it has not ingested before.
-- See docs/ingest.md.
--
--   sqlite3 case.db
--   .load ./dist/cloudtrail
--   CREATE TEMP TABLE ingest_paths AS SELECT 'evidence/AWSLogs' AS path;
--   .read sql/ingest.sql
--
-- (from Python: con.execute("CREATE TEMP TABLE ingest_paths AS SELECT ? AS path",
-- (p,)), then con.executescript(open("sql/ingest.sql").read()); the summary
-- is in cloudtrail_ingest_summary.)
--
-- Progress on stderr while records are copied (files, records, MB/s, ETA),
-- for long ingests in the shell; off unless asked for.  The value is the
-- least number of seconds between two lines:
--   CREATE TEMP TABLE ingest_options AS SELECT 1 AS progress;
--
-- What it does, in one transaction:
--   1. lists every file below each path (cloudtrail_ls: stat only), by its
--      canonical location, leaving out this connection's own database files;
--   2. hashes the files not yet ingested, and re-hashes ingested files whose
--      size, times or inode changed.  A changed hash is recorded in
--      cloudtrail_ingest_changes; the new content is NOT read, unless the
--      file was read with an error before and the rows stored from it are
--      the new content's first records (a repaired download): then it is
--      read again, whole;
--   3. copies the records of the files to read into cloudtrail_events (a
--      record whose eventID is already stored is not stored again);
--   4. checks every record of those files: stored from this file, stored
--      before from another file with the same bytes (a duplicate), or an
--      eventID stored with other bytes (kept in cloudtrail_event_conflicts);
--   5. records each file in cloudtrail_ingested_files only once all its
--      records are accounted for; a file that fails the check is left out,
--      counted in files_unverified, and read again by the next run;
--   6. records the run and its summary (cloudtrail_ingest_runs,
--      cloudtrail_ingest_summary) and prints the summary, one item a line.
-- Each step is restartable, so an interrupted run leaves a consistent
-- database even without the transaction, and re-running completes it.

BEGIN IMMEDIATE;
CREATE TEMP TABLE IF NOT EXISTS ingest_options (progress REAL);

-- 0. The database must have this version's tables (sql/schema.sql): an
-- earlier layout keyed files by the path typed.  Nothing below runs on one:
-- every step starts from ct_listing, which is empty unless ct_layout has a
-- row.
DROP TABLE IF EXISTS temp.ct_layout;
CREATE TEMP TABLE ct_layout AS
SELECT 1 AS ok
 WHERE EXISTS (SELECT 1 FROM pragma_table_info('cloudtrail_ingested_files') WHERE name = 'inode')
   AND EXISTS (SELECT 1 FROM pragma_table_info('cloudtrail_event_conflicts'));
CREATE TEMP TRIGGER IF NOT EXISTS ct_layout_refused BEFORE INSERT ON ct_layout
BEGIN
  SELECT raise(ABORT, 'cloudtrail: this database lacks the tables of sql/schema.sql as this version writes them: read sql/schema.sql first (a case database made by an earlier version, which knew files by the path typed and compared event_time as text, cannot be ingested into: make a new one)');
END;
INSERT INTO ct_layout SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM ct_layout);
DROP TRIGGER temp.ct_layout_refused;

DROP TABLE IF EXISTS temp.ct_run;
CREATE TEMP TABLE ct_run AS
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now') AS started_at,
       (SELECT json_group_array(path) FROM temp.ingest_paths) AS paths;

-- 1. One row per file, by canonical location.
DROP TABLE IF EXISTS temp.ct_walked;
CREATE TEMP TABLE ct_walked AS
SELECT l.*
  FROM temp.ct_layout, temp.ingest_paths AS p, cloudtrail_ls(p.path) AS l;

DROP TABLE IF EXISTS temp.ct_listing;
CREATE TEMP TABLE ct_listing AS
SELECT coalesce(w.canonical, w.file) AS file, min(w.file) AS walked_as,
       w.size, w.mtime, w.mtime_ns, w.ctime_ns, w.inode, w.error,
       f.sha256 AS ingested_sha256, f.error AS ingested_error,
       (f.file IS NOT NULL) AS bIngested,
       (f.size IS NOT w.size OR f.mtime_ns IS NOT w.mtime_ns
        OR f.ctime_ns IS NOT w.ctime_ns OR f.inode IS NOT w.inode) AS bStatChanged
  FROM ct_walked AS w
  LEFT JOIN cloudtrail_ingested_files AS f ON f.file = coalesce(w.canonical, w.file)
 WHERE w.note IS NULL
 GROUP BY coalesce(w.canonical, w.file);

-- 2. Hash what is new or changed.
DROP TABLE IF EXISTS temp.ct_new;
CREATE TEMP TABLE ct_new AS
SELECT file, walked_as, size, mtime, mtime_ns, ctime_ns, inode, cloudtrail_sha256(file) AS sha256
  FROM ct_listing
 WHERE error IS NULL AND ingested_sha256 IS NULL;

DROP TABLE IF EXISTS temp.ct_recheck;
CREATE TEMP TABLE ct_recheck AS
SELECT file, walked_as, size, mtime, mtime_ns, ctime_ns, inode, ingested_sha256,
       ingested_error, cloudtrail_sha256(file) AS sha256
  FROM ct_listing
 WHERE error IS NULL AND ingested_sha256 IS NOT NULL AND bStatChanged;

-- A file read with an error whose bytes changed: read it again if what was
-- stored from it is, record by record, the start of the new content.
DROP TABLE IF EXISTS temp.ct_retry_rows;
CREATE TEMP TABLE ct_retry_rows AS
SELECT r.file, c.record_index, c.raw
  FROM ct_recheck AS r, cloudtrail(r.file, 'errors=skip, quiet=1, not_cloudtrail=ignore') AS c
 WHERE r.ingested_error IS NOT NULL AND r.sha256 <> r.ingested_sha256;
DROP TABLE IF EXISTS temp.ct_retry;
CREATE TEMP TABLE ct_retry AS
SELECT r.*
  FROM ct_recheck AS r
 WHERE r.ingested_error IS NOT NULL AND r.sha256 <> r.ingested_sha256
   AND NOT EXISTS (SELECT 1 FROM cloudtrail_events AS e
                    WHERE e.file = r.file
                      AND NOT EXISTS (SELECT 1 FROM ct_retry_rows AS n
                                       WHERE n.file = e.file AND n.record_index = e.record_index
                                         AND n.raw = e.raw));

INSERT OR IGNORE INTO cloudtrail_ingest_changes
      (file, ingested_sha256, current_sha256, current_size, current_mtime, action,
       previous_error, seen_at)
SELECT file, ingested_sha256, sha256, size, mtime,
       CASE WHEN file IN (SELECT file FROM ct_retry) THEN 'read again' ELSE 'not merged' END,
       ingested_error, (SELECT started_at FROM ct_run)
  FROM ct_recheck
 WHERE sha256 <> ingested_sha256;

-- The same bytes after all (the file was touched, copied or moved within
-- its folder): remember the new stat, so it is not hashed again.
UPDATE cloudtrail_ingested_files
   SET (size, mtime, mtime_ns, ctime_ns, inode) =
       (SELECT size, mtime, mtime_ns, ctime_ns, inode FROM ct_recheck AS r
         WHERE r.file = cloudtrail_ingested_files.file)
 WHERE file IN (SELECT file FROM ct_recheck WHERE sha256 = ingested_sha256);

-- 3. Copy.  ct_read: the files whose records are read this run.
DROP TABLE IF EXISTS temp.ct_read;
CREATE TEMP TABLE ct_read AS
SELECT file, walked_as, size, mtime, mtime_ns, ctime_ns, inode, sha256, 0 AS bRetry FROM ct_new
UNION ALL
SELECT file, walked_as, size, mtime, mtime_ns, ctime_ns, inode, sha256, 1 FROM ct_retry;

INSERT OR IGNORE INTO cloudtrail_events
      (event_time, event_source, event_name, aws_region, source_ip, user_agent,
       identity_type, principal_id, identity_arn, account_id, access_key_id,
       session_issuer_arn, session_issuer_name, error_code, error_message, outcome,
       event_id, request_id, event_type, read_only, recipient_account_id, raw,
       file, record_index)
SELECT c.event_time, c.event_source, c.event_name, c.aws_region, c.source_ip, c.user_agent,
       c.identity_type, c.principal_id, c.identity_arn, c.account_id, c.access_key_id,
       c.session_issuer_arn, c.session_issuer_name, c.error_code, c.error_message, c.outcome,
       c.event_id, c.request_id, c.event_type, c.read_only, c.recipient_account_id, c.raw,
       c.file, c.record_index
  FROM (SELECT file, size, row_number() OVER (ORDER BY file) AS file_no FROM ct_read) AS n,
       cloudtrail(n.file, 'errors=skip, quiet=1, not_cloudtrail=ignore') AS c
 WHERE cloudtrail_progress(coalesce((SELECT max(progress) FROM temp.ingest_options), 0),
                           n.file_no, (SELECT count(*) FROM ct_read), n.size,
                           (SELECT sum(size) FROM ct_read), c.record_index);
DROP TABLE IF EXISTS temp.ct_copied;
CREATE TEMP TABLE ct_copied AS SELECT changes() AS n;   -- rows the copy added

-- 4. Account for every record.  status: 'stored' here, 'duplicate' (the
-- same bytes stored from elsewhere), 'conflict' (its eventID stored with
-- other bytes), or 'missing'.  raw is kept only for conflicts.
DROP TABLE IF EXISTS temp.ct_check;
CREATE TEMP TABLE ct_check AS
SELECT file, record_index, event_id, status, CASE WHEN status = 'conflict' THEN raw END AS raw,
       (SELECT e.file FROM cloudtrail_events AS e WHERE e.event_id = x.event_id) AS stored_file,
       (SELECT e.record_index FROM cloudtrail_events AS e WHERE e.event_id = x.event_id)
         AS stored_record_index
  FROM (SELECT c.file, c.record_index, c.event_id, c.raw,
               CASE WHEN EXISTS (SELECT 1 FROM cloudtrail_events AS e
                                  WHERE e.file = c.file AND e.record_index = c.record_index
                                    AND e.raw = c.raw) THEN 'stored'
                    WHEN EXISTS (SELECT 1 FROM cloudtrail_events AS e
                                  WHERE e.event_id = c.event_id AND e.raw = c.raw) THEN 'duplicate'
                    WHEN EXISTS (SELECT 1 FROM cloudtrail_events AS e
                                  WHERE e.event_id = c.event_id) THEN 'conflict'
                    ELSE 'missing' END AS status
          FROM ct_read AS n, cloudtrail(n.file, 'errors=skip, quiet=1, not_cloudtrail=ignore') AS c)
       AS x;

INSERT OR IGNORE INTO cloudtrail_event_conflicts
      (file, record_index, event_id, raw, stored_file, stored_record_index, seen_at)
SELECT file, record_index, event_id, raw, stored_file, stored_record_index,
       (SELECT started_at FROM ct_run)
  FROM ct_check WHERE status = 'conflict';

-- 5. Record a file once each of its records is accounted for.
INSERT OR REPLACE INTO cloudtrail_ingested_files
      (file, walked_as, size, mtime, mtime_ns, ctime_ns, inode, sha256, format, records,
       stored, duplicates, conflicts, error, note, ingested_at)
SELECT n.file, n.walked_as, n.size, n.mtime, n.mtime_ns, n.ctime_ns, n.inode, n.sha256,
       f.format, f.records,
       (SELECT count(*) FROM cloudtrail_events AS e WHERE e.file = n.file),
       (SELECT count(*) FROM ct_check AS k WHERE k.file = n.file AND k.status = 'duplicate'),
       (SELECT count(*) FROM cloudtrail_event_conflicts AS k WHERE k.file = n.file),
       f.error, f.note, (SELECT started_at FROM ct_run)
  FROM ct_read AS n, cloudtrail_files(n.file, 'not_cloudtrail=ignore') AS f
 WHERE NOT EXISTS (SELECT 1 FROM ct_check AS k WHERE k.file = n.file AND k.status = 'missing');

-- Entries that cannot be read as files (walk errors) are recorded too, so
-- they are accounted for; never over a file that was ingested before.
INSERT OR REPLACE INTO cloudtrail_ingested_files
      (file, walked_as, size, mtime, sha256, format, records, stored, duplicates, conflicts,
       error, ingested_at)
SELECT file, walked_as, size, mtime, NULL, NULL, 0, 0, 0, 0, error, (SELECT started_at FROM ct_run)
  FROM ct_listing
 WHERE error IS NOT NULL AND ingested_sha256 IS NULL;

-- 6. The run and its summary.  v: what this run recorded (with the hash it read).
INSERT INTO cloudtrail_ingest_runs (paths, started_at, finished_at)
SELECT paths, started_at, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM ct_run, temp.ct_layout;

DROP TABLE IF EXISTS temp.ct_done;
CREATE TEMP TABLE ct_done AS
SELECT n.bRetry, f.*
  FROM ct_read AS n JOIN cloudtrail_ingested_files AS f ON f.file = n.file AND f.sha256 = n.sha256;

INSERT INTO cloudtrail_ingest_summary (run, item, value)
SELECT (SELECT max(run) FROM cloudtrail_ingest_runs), item, value FROM (
  SELECT 'files_found' AS item, (SELECT count(*) FROM ct_listing) AS value
  UNION ALL SELECT 'files_already_ingested', (SELECT count(*) FROM ct_listing WHERE bIngested)
  UNION ALL SELECT 'files_ingested', (SELECT count(*) FROM ct_done WHERE NOT bRetry)
  UNION ALL SELECT 'files_read_again', (SELECT count(*) FROM ct_done WHERE bRetry)
  UNION ALL SELECT 'files_unverified', (SELECT count(*) FROM ct_read) - (SELECT count(*) FROM ct_done)
  UNION ALL SELECT 'files_changed', (SELECT count(*) FROM ct_recheck
                                      WHERE sha256 <> ingested_sha256
                                        AND file NOT IN (SELECT file FROM ct_retry))
  UNION ALL SELECT 'files_with_errors', (SELECT count(*) FROM ct_listing AS l
                                          JOIN cloudtrail_ingested_files AS f USING (file)
                                         WHERE l.error IS NULL AND f.error IS NOT NULL)
  UNION ALL SELECT 'files_not_cloudtrail', (SELECT count(*) FROM ct_listing AS l
                                             JOIN cloudtrail_ingested_files AS f USING (file)
                                            WHERE f.note IS NOT NULL)
  UNION ALL SELECT 'entries_unreadable', (SELECT count(*) FROM ct_listing WHERE error IS NOT NULL)
  UNION ALL SELECT 'own_database_files', (SELECT count(*) FROM ct_walked WHERE note IS NOT NULL)
  UNION ALL SELECT 'records_read', (SELECT coalesce(sum(records), 0) FROM ct_done)
  UNION ALL SELECT 'records_stored', (SELECT n FROM ct_copied)
  UNION ALL SELECT 'duplicates', (SELECT coalesce(sum(duplicates), 0) FROM ct_done)
  UNION ALL SELECT 'conflicts', (SELECT coalesce(sum(conflicts), 0) FROM ct_done))
 WHERE EXISTS (SELECT 1 FROM temp.ct_layout);

SELECT item, value FROM cloudtrail_ingest_summary
 WHERE run = (SELECT max(run) FROM cloudtrail_ingest_runs) AND EXISTS (SELECT 1 FROM temp.ct_layout)
 ORDER BY rowid;

COMMIT;
DROP TABLE temp.ingest_paths;
DROP TABLE temp.ingest_options;
