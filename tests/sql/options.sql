-- Options: syntax in both forms, validation, and that the read window size
-- never changes results (buffer_size=16 forces a refill every few bytes).
.mode list
SELECT count(*) FROM cloudtrail('fixtures/formats', 'errors=strict');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'errors = skip');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'errors=lenient');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'colour=blue');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'errors');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'max_record_size=12');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'buffer_size=lots');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'max_record_size=2G');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'threads=4');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'prune=yes');
SELECT '-- results are identical whatever the window size';
CREATE TEMP TABLE base AS SELECT file, record_index, raw, event_time, principal_id, outcome
  FROM cloudtrail('fixtures', 'errors=skip, quiet=1');
CREATE TEMP TABLE tiny AS SELECT file, record_index, raw, event_time, principal_id, outcome
  FROM cloudtrail('fixtures', 'errors=skip, quiet=1, buffer_size=16');
SELECT count(*) > 0, count(*) = (SELECT count(*) FROM tiny) FROM base;
SELECT count(*) FROM (SELECT * FROM base EXCEPT SELECT * FROM tiny);
SELECT '-- and whether gzip is inflated on a second thread';
CREATE TEMP TABLE serial AS SELECT file, record_index, raw, event_time, principal_id, outcome
  FROM cloudtrail('fixtures', 'errors=skip, quiet=1, threads=0');
SELECT count(*) = (SELECT count(*) FROM base) FROM serial;
SELECT count(*) FROM (SELECT * FROM base EXCEPT SELECT * FROM serial);
SELECT '-- the error accounting too';
SELECT count(*) FROM (
  SELECT file, format, records, error FROM cloudtrail_files('fixtures')
  EXCEPT SELECT file, format, records, error FROM cloudtrail_files('fixtures', 'buffer_size=16'));
SELECT count(*) FROM (
  SELECT file, format, records, error FROM cloudtrail_files('fixtures')
  EXCEPT SELECT file, format, records, error FROM cloudtrail_files('fixtures', 'threads=0'));
SELECT '-- hidden columns';
SELECT DISTINCT path, options FROM cloudtrail('fixtures/formats/array.json', 'errors=skip');
SELECT '-- regression: sizes that overflowed 64 bits wrapped to "at least 64 bytes" (UBSan: signed overflow)';
SELECT count(*) FROM cloudtrail('fixtures/formats', 'max_record_size=9999999999G');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'max_record_size=999999999999G');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'buffer_size=99999999999999999999999999');
SELECT count(*) FROM cloudtrail('fixtures/formats', 'max_record_size=1024G');
SELECT '-- not_cloudtrail and quiet';
SELECT count(*) FROM cloudtrail('fixtures/validate/keys-wrong.json', 'not_cloudtrail=ignore');
SELECT count(*) FROM cloudtrail('fixtures/validate', 'not_cloudtrail=error');
SELECT count(*) FROM cloudtrail('fixtures/validate', 'not_cloudtrail=maybe');
SELECT count(*) FROM cloudtrail('fixtures/validate', 'quiet=yes');
