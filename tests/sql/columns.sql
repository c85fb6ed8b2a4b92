-- Column values: every column of a realistic record, unescaping, NULLs,
-- non-string values, duplicate keys, outcome rules, and raw fidelity.
.mode line
SELECT * FROM cloudtrail('fixtures/formats/records-pretty.json') WHERE record_index = 1;
.mode quote
SELECT '-- unescaped: \u003a is a colon, \" and \/ decoded';
SELECT principal_id, user_agent FROM cloudtrail('fixtures/formats/records-pretty.json')
 WHERE record_index = 1;
SELECT '-- duplicate keys: the first wins, as in json_extract()';
SELECT event_name, raw->>'$.eventName', identity_type, principal_id
  FROM cloudtrail('fixtures/formats/escapes.jsonl') WHERE record_index = 0;
SELECT '-- escaped key names, lone surrogate -> U+FFFD, NUL kept, non-strings as JSON text';
SELECT event_name, hex(user_agent), recipient_account_id, typeof(recipient_account_id),
       read_only, error_code, aws_region
  FROM cloudtrail('fixtures/formats/escapes.jsonl') WHERE record_index = 1;
SELECT '-- outcome: empty/null errors are absent; ConsoleLogin uses responseElements';
SELECT record_index, event_name, error_code, outcome
  FROM cloudtrail('fixtures/formats/escapes.jsonl') WHERE record_index >= 2;
SELECT record_index, event_name, error_code, error_message, outcome
  FROM cloudtrail('fixtures/formats/records-line.json.gz');
SELECT '-- read_only: JSON booleans and the strings "true"/"false"';
SELECT read_only, typeof(read_only) FROM cloudtrail('fixtures/formats/array.json');
SELECT '-- raw is the record as in the file: json(raw) equals the original';
SELECT count(*), sum(json(raw) = json(json_extract(CAST(readfile(file) AS TEXT),
                                       '$.Records[' || record_index || ']')))
  FROM cloudtrail('fixtures/formats/records-pretty.json');
SELECT count(*), sum(instr(CAST(readfile(file) AS TEXT), raw) > 0)
  FROM cloudtrail('fixtures/formats/lines-crlf.jsonl');
SELECT count(*), sum(instr(CAST(readfile(file) AS TEXT), raw) > 0)
  FROM cloudtrail('fixtures/formats/escapes.jsonl');
