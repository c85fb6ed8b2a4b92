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
