-- Every supported export format yields its records, in file order.
.mode list
.headers on
SELECT file, format, compression, records, error FROM cloudtrail_files('fixtures/formats');
.headers off
SELECT '-- S3 delivery, pretty-printed';
SELECT record_index, event_name, principal_id FROM cloudtrail('fixtures/formats/records-pretty.json');
SELECT '-- S3 delivery, one line, gzip';
SELECT record_index, event_name, error_code, outcome FROM cloudtrail('fixtures/formats/records-line.json.gz');
SELECT '-- several delivery objects, one per line';
SELECT record_index, event_name FROM cloudtrail('fixtures/formats/records-per-line.jsonl');
SELECT '-- JSON Lines in two gzip members split inside a record';
SELECT record_index, event_time, event_name FROM cloudtrail('fixtures/formats/multi-member.jsonl.gz');
SELECT '-- CRLF JSON Lines with blank lines';
SELECT record_index, event_name, error_code IS NULL FROM cloudtrail('fixtures/formats/lines-crlf.jsonl');
SELECT '-- bare array';
SELECT record_index, event_name, read_only FROM cloudtrail('fixtures/formats/array.json');
SELECT '-- lookup-events: raw is the decoded CloudTrailEvent';
SELECT record_index, event_name, user_agent, json_valid(raw), raw->>'$.eventID' = event_id
  FROM cloudtrail('fixtures/formats/lookup-events.json');
SELECT '-- EventBridge envelopes: raw is the detail';
SELECT record_index, event_name, raw->>'$.eventVersion', raw->>'$.account' IS NULL,
       instr(CAST(readfile(file) AS TEXT), raw) > 0
  FROM cloudtrail('fixtures/formats/eventbridge.jsonl');
SELECT record_index, event_name FROM cloudtrail('fixtures/formats/eventbridge-single.json');
SELECT '-- a UTF-8 BOM before a single record';
SELECT record_index, event_name FROM cloudtrail('fixtures/formats/bom-object.json');
SELECT '-- an empty file has no records and no error';
SELECT count(*) FROM cloudtrail('fixtures/formats/empty.json');
SELECT '-- regression: a second "Records" key holding records was passed over (first key wins), or';
SELECT '-- the object became one invented row: now it is refused as ambiguous';
SELECT record_index, event_name FROM cloudtrail('fixtures/bad/duplicate-records-key.json');
SELECT format, records, error FROM cloudtrail_files('fixtures/bad/duplicate-records-key.json');
