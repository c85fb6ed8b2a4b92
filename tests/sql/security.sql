-- The file-reading tables are not innocuous: with trusted_schema=OFF a view
-- or trigger stored in a database cannot make them read files.  The pure
-- function stays usable there.
.mode list
.shell rm -f dist/scratch/hostile.db
.open dist/scratch/hostile.db
.load @EXT@
CREATE VIEW innocent AS SELECT raw FROM cloudtrail('/etc/passwd');
CREATE VIEW innocent_files AS SELECT file, error FROM cloudtrail_files('/etc');
CREATE VIEW version AS SELECT cloudtrail_version() AS v;
CREATE TABLE ingested(raw TEXT);
INSERT INTO ingested SELECT raw FROM cloudtrail('fixtures/formats/records-pretty.json');
CREATE INDEX alert_idx ON ingested(ec2_console_login(raw));
CREATE VIEW alerts AS SELECT count(*) AS n FROM ingested
  WHERE ec2_console_login(raw) = 1 AND cloudtrail_value(raw, 'eventSource') = 'signin.amazonaws.com';
CREATE TABLE log(x);
CREATE TRIGGER grab AFTER INSERT ON log BEGIN
  INSERT INTO log SELECT raw FROM cloudtrail('/etc/hostname');
END;
.open dist/scratch/hostile.db
.load @EXT@
PRAGMA trusted_schema=OFF;
SELECT count(*) FROM innocent;
SELECT count(*) FROM innocent_files;
INSERT INTO log VALUES (1);
SELECT count(*) FROM log;
SELECT v = cloudtrail_version() FROM version;
SELECT '-- the pure functions keep working in a stored view and an expression index';
SELECT n FROM alerts;
INSERT INTO ingested SELECT raw FROM ingested;
SELECT count(*) FROM ingested INDEXED BY alert_idx WHERE ec2_console_login(raw) = 1;
PRAGMA integrity_check;
SELECT '-- typed by the user, the same query is allowed (and /etc/passwd is not JSON)';
SELECT count(*) FROM cloudtrail('/etc/passwd');
