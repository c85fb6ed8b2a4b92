-- Bad input: strict mode fails naming the file and position; skip mode
-- goes on and cloudtrail_files accounts for everything.
.mode list
SELECT count(*) FROM cloudtrail('fixtures/bad/not-json.txt');
SELECT count(*) FROM cloudtrail('fixtures/bad/truncated.json.gz');
SELECT count(*) FROM cloudtrail('fixtures/bad/bad-crc.json.gz');
SELECT count(*) FROM cloudtrail('fixtures/bad/trailing-garbage.json.gz');
SELECT count(*) FROM cloudtrail('fixtures/bad/header-only.json.gz');
SELECT count(*) FROM cloudtrail('fixtures/bad/empty.json.gz');
SELECT count(*) FROM cloudtrail('fixtures/bad/mid-record.json');
SELECT count(*) FROM cloudtrail('fixtures/bad/not-object.json');
SELECT count(*) FROM cloudtrail('fixtures/bad/bad-syntax.jsonl');
SELECT count(*) FROM cloudtrail('fixtures/bad/control-char.jsonl');
SELECT count(*) FROM cloudtrail('fixtures/bad/deep.json');
SELECT count(*) FROM cloudtrail('fixtures/bad/lookup-bad-event.json');
SELECT count(*) FROM cloudtrail('fixtures/bad/lookup-no-event.json');
SELECT '-- regression: the CloudTrailEvent error named a position read from an unset variable';
SELECT count(*) FROM cloudtrail('fixtures/bad/lookup-extra-text.json');
SELECT count(*) FROM cloudtrail('fixtures/bad/lookup-bad-value.json');
SELECT count(*) FROM cloudtrail('fixtures/bad/wrapper-unclosed.json');
SELECT count(*) FROM cloudtrail('fixtures/bad/big-record.jsonl', 'max_record_size=1K');
SELECT '-- regression: a gzip header CRC was checked by zlib (threads=0) but skipped by libdeflate';
SELECT count(*) FROM cloudtrail('fixtures/bad/gzip-header-crc.json.gz');
SELECT count(*) FROM cloudtrail('fixtures/bad/gzip-header-crc.json.gz', 'threads=0');
SELECT '-- records before the damage were already returned (strict)';
SELECT event_id FROM cloudtrail('fixtures/bad/mid-record.json');
SELECT '-- skip: every good record of the folder, then the accounting';
SELECT file, count(*) FROM cloudtrail('fixtures/bad', 'errors=skip') GROUP BY file ORDER BY file;
.headers on
SELECT file, format, compression, compressed_bytes, bytes, records, error
  FROM cloudtrail_files('fixtures/bad');
.headers off
SELECT '-- rows returned with errors=skip equal the records cloudtrail_files counts';
SELECT (SELECT count(*) FROM cloudtrail('fixtures/bad', 'errors=skip'))
     = (SELECT sum(records) FROM cloudtrail_files('fixtures/bad'));
SELECT (SELECT count(*) FROM cloudtrail('fixtures', 'errors=skip'))
     = (SELECT sum(records) FROM cloudtrail_files('fixtures'));
SELECT '-- a whole Elasticsearch search response: its hits may be records, so an error, not "not CloudTrail"';
SELECT count(*) FROM cloudtrail('fixtures/bad/es-search-response.json', 'not_cloudtrail=ignore');
