-- A messy evidence folder, as responders keep them: logs beside keys.json
-- (list-public-keys), a README, a LICENSE, notes, the Finder's .DS_Store, an
-- Elastic test's expected output, an EventBridge event of another service,
-- lookup-events saved by PowerShell (UTF-16), a cut download, another case
-- database, and this connection's own case database in WAL mode.  Nothing
-- that is not a record becomes a row; every file is accounted for.
.mode list
.shell rm -rf dist/scratch/messy && cp -R fixtures/messy dist/scratch/messy
.shell sqlite3 dist/scratch/messy/old-case.db "CREATE TABLE t(a); INSERT INTO t VALUES (1)"
.open dist/scratch/messy/case.db
.load @EXT@
PRAGMA journal_mode=wal;
CREATE TABLE notes(t TEXT);
INSERT INTO notes VALUES ('opened while the evidence is read');
SELECT '-- every file, what it is, and why it gives no rows';
SELECT substr(file, 20), format, compression, records, error, note
  FROM cloudtrail_files('dist/scratch/messy');
SELECT '-- regression: keys.json, the expected output, the EventBridge event became rows of NULLs';
SELECT count(*) FROM cloudtrail('dist/scratch/messy', 'errors=skip, quiet=1') WHERE event_name IS NULL;
SELECT '-- skip: the full log and the cut one''s first records; each skip printed on stderr';
SELECT count(*), count(DISTINCT file) FROM cloudtrail('dist/scratch/messy', 'errors=skip');
SELECT (SELECT count(*) FROM cloudtrail('dist/scratch/messy', 'errors=skip, quiet=1'))
     = (SELECT sum(records) FROM cloudtrail_files('dist/scratch/messy'));
SELECT '-- strict: the damaged files stop the scan, saying how to get past them';
SELECT count(*) FROM cloudtrail('dist/scratch/messy');
.shell rm dist/scratch/messy/lookup-powershell.json dist/scratch/messy/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/*0817Z*
SELECT '-- regression: README.md, LICENSE.source, .DS_Store, *.txt and the case database stopped a strict scan';
SELECT count(*) FROM cloudtrail('dist/scratch/messy');
SELECT count(*) FROM cloudtrail('dist/scratch/messy', 'not_cloudtrail=error');
SELECT '-- named as PATH, a file that is not CloudTrail is an error';
SELECT count(*) FROM cloudtrail('dist/scratch/messy/keys.json');
SELECT count(*) FROM cloudtrail('dist/scratch/messy/README.md');
SELECT count(*) FROM cloudtrail('dist/scratch/messy/case.db');
SELECT count(*) FROM cloudtrail('dist/scratch/messy/case.db-wal');
SELECT count(*) FROM cloudtrail('dist/scratch/messy/old-case.db');
SELECT count(*) FROM cloudtrail('dist/scratch/messy/keys.json', 'not_cloudtrail=ignore');
SELECT '-- and as a log, it is damaged whatever not_cloudtrail says';
.shell cp dist/scratch/messy/README.md dist/scratch/messy/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T0900Z_README00000000.json
SELECT count(*) FROM cloudtrail('dist/scratch/messy', 'not_cloudtrail=ignore');
SELECT file, format, error FROM cloudtrail_files('dist/scratch/messy') WHERE error IS NOT NULL;
SELECT '-- edges: what only the first value decides, and names that only look like logs';
SELECT substr(file, 16), format, records, error, note
  FROM cloudtrail_files('fixtures/edges', 'max_record_size=64');
SELECT count(*) FROM cloudtrail('fixtures/edges/proj');
SELECT '-- an IN list with a NULL still has every other bound checked';
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time IN (SELECT '2024-05-01T05:00:00Z' UNION ALL SELECT NULL UNION ALL SELECT 'bogus');
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time IN (SELECT '2024-05-01T05:00:00Z' UNION ALL SELECT NULL);
SELECT '-- cloudtrail_time() refuses an instant outside the four-digit years';
SELECT cloudtrail_time('0000-01-01T00:00+01:00');
SELECT cloudtrail_time('9999-12-31T23:30-01:00');
SELECT '-- cloudtrail_validate does not open this connection''s database either';
SELECT substr(file, 20), status, detail FROM cloudtrail_validate('dist/scratch/messy') WHERE file LIKE '%case.db%' ORDER BY 1;
