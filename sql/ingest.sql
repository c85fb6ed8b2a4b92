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
-- (p,)), then con.executescript(open("sql/ingest.sql").read()).)
--
-- Progress on stderr while records are copied (files, records, MB/s, ETA),
-- for long ingests in the shell; off unless asked for.  The value is the
-- least number of seconds between two lines:
--   CREATE TEMP TABLE ingest_options AS SELECT 1 AS progress;
--
-- What it does, in one transaction:
--   1. lists every file below each path (cloudtrail_ls: stat only);
--   2. hashes the files not yet ingested, and re-hashes ingested files whose
--      size or mtime changed; a changed hash goes to cloudtrail_ingest_changes
--      and the new content is NOT read;
--   3. copies the new files' records into cloudtrail_events (a record whose
--      eventID is already stored is not stored again);
--   4. records each new file in cloudtrail_ingested_files only after checking
--      that every one of its records is in cloudtrail_events; a file that
--      fails the check is left out, counted in files_unverified, and read
--      again by the next run;
--   5. prints one summary row.
-- Each step is restartable, so an interrupted run leaves a consistent
-- database even without the transaction, and re-running completes it.

BEGIN IMMEDIATE;
CREATE TEMP TABLE IF NOT EXISTS ingest_options (progress REAL);

DROP TABLE IF EXISTS temp.ct_listing;
CREATE TEMP TABLE ct_listing AS
SELECT DISTINCT l.file, l.size, l.mtime, l.error,
       f.sha256 AS ingested_sha256, f.size AS ingested_size, f.mtime AS ingested_mtime
  FROM temp.ingest_paths AS p, cloudtrail_ls(p.path) AS l
  LEFT JOIN cloudtrail_ingested_files AS f ON f.file = l.file;

DROP TABLE IF EXISTS temp.ct_new;
CREATE TEMP TABLE ct_new AS
SELECT file, size, mtime, cloudtrail_sha256(file) AS sha256
  FROM ct_listing
 WHERE error IS NULL AND ingested_sha256 IS NULL;

DROP TABLE IF EXISTS temp.ct_recheck;
CREATE TEMP TABLE ct_recheck AS
SELECT file, size, mtime, ingested_sha256, cloudtrail_sha256(file) AS sha256
  FROM ct_listing
 WHERE error IS NULL AND ingested_sha256 IS NOT NULL
   AND (size IS NOT ingested_size OR mtime IS NOT ingested_mtime);

INSERT OR IGNORE INTO cloudtrail_ingest_changes
SELECT file, ingested_sha256, sha256, size, mtime, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
  FROM ct_recheck
 WHERE sha256 <> ingested_sha256;

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
  FROM (SELECT file, size, row_number() OVER (ORDER BY file) AS file_no FROM ct_new) AS n,
       cloudtrail(n.file, 'errors=skip') AS c
 WHERE cloudtrail_progress(coalesce((SELECT max(progress) FROM temp.ingest_options), 0),
                           n.file_no, (SELECT count(*) FROM ct_new), n.size,
                           (SELECT sum(size) FROM ct_new), c.record_index);

-- Record a new file only when each of its records is stored, from this file
-- or (same eventID) from another.
INSERT OR REPLACE INTO cloudtrail_ingested_files
      (file, size, mtime, sha256, format, records, stored, duplicates, error, ingested_at)
SELECT file, size, mtime, sha256, format, records, stored, records - stored, error,
       strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
  FROM (SELECT n.file, n.size, n.mtime, n.sha256, f.format, f.records, f.error,
               (SELECT count(*) FROM cloudtrail_events AS e WHERE e.file = n.file) AS stored
          FROM ct_new AS n, cloudtrail_files(n.file) AS f
         WHERE NOT EXISTS (
         SELECT 1 FROM cloudtrail(n.file, 'errors=skip') AS c
          WHERE NOT EXISTS (SELECT 1 FROM cloudtrail_events AS e
                             WHERE e.file = c.file AND e.record_index = c.record_index)
            AND (c.event_id IS NULL
                 OR NOT EXISTS (SELECT 1 FROM cloudtrail_events AS e
                                 WHERE e.event_id = c.event_id))));

-- Entries that cannot be read as files (walk errors) are recorded too, so
-- they are accounted for; never over a file that was ingested before.
INSERT OR REPLACE INTO cloudtrail_ingested_files
      (file, size, mtime, sha256, format, records, stored, duplicates, error, ingested_at)
SELECT file, size, mtime, NULL, NULL, 0, 0, 0, error, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
  FROM ct_listing
 WHERE error IS NOT NULL AND ingested_sha256 IS NULL;

-- v: the new files this run recorded (with the hash it read).
SELECT (SELECT count(*) FROM ct_listing) AS files_found,
       (SELECT count(*) FROM ct_listing
         WHERE ingested_sha256 IS NOT NULL) AS files_already_ingested,
       v.files AS files_ingested,
       (SELECT count(*) FROM ct_new) - v.files AS files_unverified,
       (SELECT count(*) FROM ct_recheck WHERE sha256 <> ingested_sha256) AS files_changed,
       (SELECT count(*) FROM ct_listing WHERE error IS NOT NULL) AS entries_unreadable,
       v.records AS records_read,
       v.stored AS records_stored,
       v.duplicates AS duplicates
  FROM (SELECT count(*) AS files, coalesce(sum(f.records), 0) AS records,
               coalesce(sum(f.stored), 0) AS stored,
               coalesce(sum(f.duplicates), 0) AS duplicates
          FROM ct_new AS n JOIN cloudtrail_ingested_files AS f
            ON f.file = n.file AND f.sha256 = n.sha256) AS v;

COMMIT;
DROP TABLE temp.ingest_paths;
DROP TABLE temp.ingest_options;
