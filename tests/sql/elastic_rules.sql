-- elastic_rules(PATH): every Kibana JSON form of a rule, every file that is
-- not one, every reason (docs/elastic_rules.md).  Until the KQL and EQL
-- parsers are merged, every kuery/eql rule is supported=0 with the
-- placeholder's "cloudtrail: kql|eql: not implemented yet at offset 0".
.mode list
SELECT '-- the columns';
SELECT name, type, hidden FROM pragma_table_xinfo('elastic_rules');
SELECT '-- a directory: one row per rule and per file or line that is none, in walk order';
SELECT file, line, rule_id, version, type, language, supported, why_unsupported
  FROM elastic_rules('fixtures/rules');
SELECT '-- nothing skipped: 51 rows = 36 rule objects + 15 that are none (README.md, key.pem, 2 TOML, empty, not-a-rule, two-values, the export summary, the array''s string, the last lines of cut.ndjson and invalid.ndjson, 4 lines of unsupported.ndjson); 20 files, as cloudtrail_ls lists';
SELECT count(*), count(rule_id), count(DISTINCT file) FROM elastic_rules('fixtures/rules');
SELECT (SELECT count(*) FROM cloudtrail_ls('fixtures/rules'))
     = (SELECT count(DISTINCT file) FROM elastic_rules('fixtures/rules'));
SELECT '-- the package form of each runnable type, every column';
.mode line
SELECT * FROM elastic_rules('fixtures/rules/0c5a1b20-1111-4a6e-9a01-000000000001_3.json');
SELECT * FROM elastic_rules('fixtures/rules/0c5a1b20-2222-4a6e-9a01-000000000002_1.json');
SELECT * FROM elastic_rules('fixtures/rules/0c5a1b20-3333-4a6e-9a01-000000000003_2.json');
SELECT * FROM elastic_rules('fixtures/rules/0c5a1b20-4444-4a6e-9a01-000000000004_5.json');
.mode list
SELECT '-- a bare rule object (Kibana API), query "": defaults for the rest';
.mode line
SELECT rule_id, version, language, query, index_patterns, interval, interval_ms,
       from_time, lookback_ms, max_signals, tags, threat
  FROM elastic_rules('fixtures/rules/kibana-api-rule.json');
.mode list
SELECT '-- defaults: interval 5m, from now-6m, max_signals 100, language kuery (eql for eql)';
SELECT line, interval, interval_ms, from_time, lookback_ms, max_signals, language, history_window_start, history_ms
  FROM elastic_rules('fixtures/rules/export.ndjson');
SELECT '-- a glob';
SELECT file, count(*) FROM elastic_rules('fixtures/rules/*.ndjson') GROUP BY file;
SELECT '-- detection-rules TOML: listed with the command that converts it, never opened';
SELECT file, supported, why_unsupported FROM elastic_rules('fixtures/rules/**/*.toml');
SELECT '-- ... and converted: tools/elastic-rules-ndjson (package form, one per line)';
.shell env -u LD_PRELOAD /usr/bin/python3 tools/elastic-rules-ndjson fixtures/rules > dist/scratch/toml-rules.ndjson
.mode line
SELECT * FROM elastic_rules('dist/scratch/toml-rules.ndjson');
.mode list
SELECT '-- a subfolder: CRLF line ends, a line of spaces, byte order marks, a dot file, NDJSON in a .json file, a key';
SELECT file, line, rule_id, why_unsupported FROM elastic_rules('fixtures/rules/edge');
SELECT '-- whole-file JSON cut short, and with a syntax error: the offset';
.shell head -c 100 fixtures/rules/0c5a1b20-1111-4a6e-9a01-000000000001_3.json > dist/scratch/cut-package.json
.shell sed 1,3s/:/,/ fixtures/rules/kibana-api-rule.json > dist/scratch/invalid-package.json
SELECT file, line, rule_id, why_unsupported FROM elastic_rules('dist/scratch/*-package.json');
SELECT '-- walk entries that are no files, and CloudTrail records, are rows with the reason';
SELECT file, line, why_unsupported FROM elastic_rules('dist/scratch/special');
SELECT '-- a file larger than SQLITE_LIMIT_LENGTH is listed, not read';
.limit length 200
SELECT file, why_unsupported FROM elastic_rules('fixtures/rules/0c5a1b20-1111-4a6e-9a01-000000000001_3.json');
.limit length 1000000000
SELECT '-- the connection''s own database file is listed, never opened';
.shell rm -rf dist/scratch/owndb && mkdir -p dist/scratch/owndb && cp fixtures/rules/array.json dist/scratch/owndb/
.open dist/scratch/owndb/case.db
.load @EXT@
CREATE TABLE t(x);
SELECT file, count(*), group_concat(why_unsupported, ' / ') FROM elastic_rules('dist/scratch/owndb') GROUP BY file;
.open :memory:
.load @EXT@
SELECT '-- PATH from another table; the path column reads back';
SELECT t.p, r.rule_id, r.path FROM (SELECT 'fixtures/rules/array.json' AS p) t, elastic_rules(t.p) r;
SELECT rule_id FROM elastic_rules WHERE path = 'fixtures/rules/kibana-api-rule.json';
SELECT '-- errors name the PATH';
SELECT count(*) FROM elastic_rules('fixtures/no-such-rules');
SELECT count(*) FROM elastic_rules('fixtures/rules/*.nothing');
SELECT count(*) FROM elastic_rules(NULL);
SELECT count(*) FROM elastic_rules;
SELECT '-- not registered without the filesystem';
.open :memory:
.load @EXT@ sqlite3_cloudtrail_nofs_init
SELECT count(*) FROM elastic_rules('fixtures/rules');
