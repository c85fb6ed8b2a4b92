-- integrity.sql — validate CloudTrail log files against their digest files,
-- offline, and keep the result in the case database.  See docs/integrity.md.
--
--   sqlite3 case.db
--   .load ./dist/cloudtrail
--   CREATE TEMP TABLE validate_paths AS SELECT 'evidence/AWSLogs' AS path;
--   CREATE TEMP TABLE validate_options AS            -- optional
--     SELECT 'public_keys=keys.json signatures=signatures.txt' AS options;
--   .read sql/integrity.sql
--
-- What it does, in one transaction:
--   1. creates cloudtrail_integrity if it does not exist: the rows of
--      cloudtrail_validate() with the path they came from (root) and when
--      (validated_at, UTC);
--   2. replaces the rows of each path in validate_paths with a fresh run;
--   3. (re)creates the views integrity_summary (one row per account and
--      region: counts by status, the first and last validated hour) and
--      integrity_problems (every row whose status is not valid);
--   4. prints integrity_summary.
-- The views read only cloudtrail_integrity, so they work in any later
-- session, with or without the extension, under trusted_schema=OFF.

BEGIN IMMEDIATE;
CREATE TEMP TABLE IF NOT EXISTS validate_options (options TEXT);

CREATE TABLE IF NOT EXISTS cloudtrail_integrity (
  root                 TEXT NOT NULL,  -- the PATH given to cloudtrail_validate
  validated_at         TEXT NOT NULL,  -- YYYY-MM-DDTHH:MM:SSZ
  kind                 TEXT NOT NULL,  -- log or digest
  file                 TEXT,
  s3_object            TEXT,
  account              TEXT,
  region               TEXT,
  status               TEXT NOT NULL,
  digest_file          TEXT,
  expected_sha256      TEXT,
  actual_sha256        TEXT,
  signature_status     TEXT,
  period_start         TEXT,
  period_end           TEXT,
  previous_digest      TEXT,
  previous_digest_hash TEXT,
  chain                TEXT,
  detail               TEXT
);
CREATE INDEX IF NOT EXISTS cloudtrail_integrity_file ON cloudtrail_integrity(file);

DELETE FROM cloudtrail_integrity WHERE root IN (SELECT path FROM temp.validate_paths);
INSERT INTO cloudtrail_integrity
SELECT p.path, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
       v.kind, v.file, v.s3_object, v.account, v.region, v.status,
       v.digest_file, v.expected_sha256, v.actual_sha256, v.signature_status,
       v.period_start, v.period_end, v.previous_digest, v.previous_digest_hash,
       v.chain, v.detail
  FROM temp.validate_paths AS p,
       cloudtrail_validate(p.path, (SELECT coalesce(group_concat(options, ' '), '')
                                      FROM temp.validate_options)) AS v;

-- A validated hour is a digest period whose digest is valid (signature
-- verified, chain intact).  More than one chain start per account and
-- region means validation or logging was restarted, or several trails.
DROP VIEW IF EXISTS integrity_summary;
CREATE VIEW integrity_summary AS
SELECT account, region,
       sum(kind = 'digest')                          AS digests,
       sum(kind = 'digest' AND status = 'valid')     AS digests_valid,
       sum(kind = 'log')                             AS log_files,
       sum(kind = 'log' AND status = 'valid')        AS logs_valid,
       sum(kind = 'log' AND status = 'valid' AND signature_status = 'valid')
                                                     AS logs_valid_signed,
       sum(status = 'modified')                      AS modified,
       sum(status = 'missing')                       AS missing,
       sum(status = 'not_in_digest')                 AS not_in_digest,
       sum(status = 'no_digest')                     AS no_digest,
       sum(status = 'unreadable')                    AS unreadable,
       sum(kind = 'digest' AND signature_status = 'invalid')    AS invalid_signatures,
       sum(kind = 'digest' AND signature_status = 'unverified') AS unverified_signatures,
       sum(kind = 'digest' AND chain = 'gap')        AS chain_gaps,
       sum(kind = 'digest' AND chain = 'broken')     AS chain_broken,
       sum(kind = 'digest' AND chain = 'start')      AS chain_starts,
       min(CASE WHEN kind = 'digest' AND status = 'valid' THEN period_start END)
                                                     AS first_validated,
       max(CASE WHEN kind = 'digest' AND status = 'valid' THEN period_end END)
                                                     AS last_validated
  FROM cloudtrail_integrity
 GROUP BY account, region;

DROP VIEW IF EXISTS integrity_problems;
CREATE VIEW integrity_problems AS
SELECT kind, status, account, region, coalesce(file, s3_object) AS name,
       period_start, period_end, signature_status, chain, detail,
       file, s3_object, digest_file, expected_sha256, actual_sha256, root
  FROM cloudtrail_integrity
 WHERE status <> 'valid';
COMMIT;

SELECT * FROM integrity_summary ORDER BY account, region;
