-- CREATE VIRTUAL TABLE keeps a table over the evidence in a case database;
-- saved views work after the database is reopened.
.mode list
.shell rm -f dist/scratch/case.db
.open dist/scratch/case.db
.load @EXT@
CREATE VIRTUAL TABLE trail USING cloudtrail('fixtures/formats', errors=skip);
CREATE VIRTUAL TABLE bad USING cloudtrail(path='fixtures/bad', errors=skip, quiet=1, max_record_size='1K');
CREATE VIRTUAL TABLE bare USING cloudtrail(fixtures/tree/exports);
CREATE VIRTUAL TABLE files USING cloudtrail_files('fixtures/tree');
CREATE VIEW signins AS SELECT event_time, event_name, principal_id FROM trail
  WHERE event_source = 'signin.amazonaws.com' ORDER BY event_time, event_name;
SELECT count(*) FROM trail;
SELECT count(*) FROM bad;
SELECT count(*) FROM bare;
SELECT count(*), sum(records) FROM files;
.open dist/scratch/case.db
.load @EXT@
SELECT '-- reopened';
SELECT * FROM signins;
SELECT count(*) FROM trail;
SELECT '-- the table-valued form overrides the stored PATH';
SELECT count(*) FROM trail('fixtures/formats/array.json');
SELECT '-- argument errors';
CREATE VIRTUAL TABLE t2 USING cloudtrail('a', 'b');
CREATE VIRTUAL TABLE t3 USING cloudtrail('fixtures', speed=fast);
CREATE VIRTUAL TABLE t4 USING cloudtrail(errors=skip);
SELECT count(*) FROM t4;
SELECT '-- regression: an OPTIONS string in quotes after the PATH ("more than one PATH given")';
CREATE VIRTUAL TABLE t5 USING cloudtrail('fixtures/bad', 'errors=skip, threads=0, quiet=1', max_record_size='1K');
SELECT count(*) FROM t5;
SELECT count(*) FROM t5('fixtures/bad', 'errors=strict');
CREATE VIRTUAL TABLE t6 USING cloudtrail('fixtures/formats', 'colour=blue');
SELECT '-- regression: path= twice ("unknown option ''path''")';
CREATE VIRTUAL TABLE t7 USING cloudtrail(path='fixtures/formats', path='fixtures/bad');
CREATE VIRTUAL TABLE t8 USING cloudtrail('fixtures/formats', path='fixtures/bad');
