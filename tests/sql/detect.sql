-- cloudtrail_detect(EVENTS, RULES [, OPTIONS]): the alerts Elastic's
-- scheduler would make, rule kind by rule kind (rules in fixtures/detect/).
-- Events are inline JSON in TEMP tables (raw, file, record_index), so no
-- fixture walk sees them.  Every rule there runs every 5m over [T-6m, T].
.mode list
.headers off
-- s: one row per event; mk(scn) below turns a scenario's rows into records
CREATE TEMP TABLE s(scn TEXT, id TEXT, t TEXT, action TEXT, src TEXT, usr TEXT, ip TEXT);
CREATE TEMP VIEW rec AS
  SELECT scn, id, rowid AS n,
         json_patch(json_object('eventVersion','1.08','eventTime',t,
                                'eventSource',src||'.amazonaws.com','eventName',action,
                                'awsRegion','us-east-1','eventID',id,
                                'recipientAccountId','111122223333',
                                'userIdentity',json_patch(json_object('type','IAMUser','accountId','111122223333'),
                                                          json_object('userName',usr))),
                    json_object('sourceIPAddress',ip)) AS raw
    FROM s;

SELECT '-- query and single-event eql: one alert per matching event, scan order; the esql rule none';
INSERT INTO s VALUES
  ('single','q1','2024-05-01T12:00:00Z','CreateUser','iam','alice','198.51.100.1'),
  ('single','q2','2024-05-01T12:00:05Z','CreateAccessKey','iam','alice','198.51.100.1'),
  ('single','q3','2024-05-01T11:00:00Z','CreateUser','iam','bob','198.51.100.2'),
  ('single','q4','2024-05-01T12:00:09Z','DeleteUser','iam','alice','198.51.100.1'),
  ('single','q5','2024-05-01T12:00:10Z','CreateAccessKey','iam','bob','198.51.100.2'),
  ('single','q6','not a time','CreateUser','iam','carol','198.51.100.3');
CREATE TEMP TABLE ev_single AS SELECT raw, 'inline-single' AS file, n AS record_index FROM rec WHERE scn='single' ORDER BY n;
SELECT rowid, rule_name, rule_type, severity, risk_score, event_time, event_id, file, record_index,
       run_end IS NULL, group_key IS NULL, new_terms IS NULL, sequence IS NULL, threat
  FROM cloudtrail_detect('ev_single', 'fixtures/detect/single.ndjson');
SELECT count(*) FROM cloudtrail_detect('ev_single', 'fixtures/detect/single.ndjson') WHERE rule_type = 'esql';

SELECT '-- threshold: user.name >= 3 in a run; the alerted events are not counted again';
-- run 12:05 [11:59,12:05]: alice a1 a2 a3 = 3 -> alert (a1); bob b1 b2 = 2 -> none
-- run 12:10 [12:04,12:10]: alice a3 (already counted) a4 a5 = 2 -> none; bob b2 -> none
-- run 12:15 [12:09,12:15]: alice a6 a7 a8 = 3 -> alert (a6)
-- an event with no user.name is in no group; one whose time cannot be read
-- (b3) is in no run: bob stays at 2
INSERT INTO s VALUES
  ('thr','a1','2024-05-02T12:01:00Z','GetSecretValue','secretsmanager','alice','198.51.100.1'),
  ('thr','a2','2024-05-02T12:02:00Z','GetSecretValue','secretsmanager','alice','198.51.100.1'),
  ('thr','a3','2024-05-02T12:04:30Z','GetSecretValue','secretsmanager','alice','198.51.100.1'),
  ('thr','b1','2024-05-02T12:02:30Z','GetSecretValue','secretsmanager','bob','198.51.100.2'),
  ('thr','b2','2024-05-02T12:04:00Z','GetSecretValue','secretsmanager','bob','198.51.100.2'),
  ('thr','b3','2024-05-02 noon','GetSecretValue','secretsmanager','bob','198.51.100.2'),
  ('thr','n1','2024-05-02T12:03:00Z','GetSecretValue','secretsmanager',NULL,'198.51.100.3'),
  ('thr','n2','2024-05-02T12:03:01Z','GetSecretValue','secretsmanager',NULL,'198.51.100.3'),
  ('thr','n3','2024-05-02T12:03:02Z','GetSecretValue','secretsmanager',NULL,'198.51.100.3'),
  ('thr','a4','2024-05-02T12:06:00Z','GetSecretValue','secretsmanager','alice','198.51.100.1'),
  ('thr','a5','2024-05-02T12:07:00Z','GetSecretValue','secretsmanager','alice','198.51.100.1'),
  ('thr','a6','2024-05-02T12:10:30Z','GetSecretValue','secretsmanager','alice','198.51.100.1'),
  ('thr','a7','2024-05-02T12:11:00Z','GetSecretValue','secretsmanager','alice','198.51.100.1'),
  ('thr','a8','2024-05-02T12:12:00Z','GetSecretValue','secretsmanager','alice','198.51.100.1');
-- cardinality: source.ip >= 3 events of >= 2 distinct user.name
-- .1: alice bob alice -> alert; .2: alice x3 -> cardinality 1, none;
-- .3: no user.name, alice, carol -> 3 events (the one without the field
-- counts, as in the bucket's doc_count: regression, it was left out), 2 names -> alert on the first
INSERT INTO s VALUES
  ('thr','c1','2024-05-02T13:01:00Z','ListBuckets','s3','alice','198.51.100.1'),
  ('thr','c2','2024-05-02T13:02:00Z','ListBuckets','s3','bob','198.51.100.1'),
  ('thr','c3','2024-05-02T13:03:00Z','ListBuckets','s3','alice','198.51.100.1'),
  ('thr','c4','2024-05-02T13:01:00Z','ListBuckets','s3','alice','198.51.100.2'),
  ('thr','c5','2024-05-02T13:02:00Z','ListBuckets','s3','alice','198.51.100.2'),
  ('thr','c6','2024-05-02T13:03:00Z','ListBuckets','s3','alice','198.51.100.2'),
  ('thr','c7','2024-05-02T13:00:30Z','ListBuckets','s3',NULL,'198.51.100.3'),
  ('thr','c8','2024-05-02T13:01:30Z','ListBuckets','s3','alice','198.51.100.3'),
  ('thr','c9','2024-05-02T13:02:30Z','ListBuckets','s3','carol','198.51.100.3');
-- max_signals 2: alice 3, bob 2, carol 1 in one run -> alice and bob
INSERT INTO s VALUES
  ('thr','m1','2024-05-02T14:01:00Z','DescribeInstances','ec2','carol','198.51.100.9'),
  ('thr','m2','2024-05-02T14:01:10Z','DescribeInstances','ec2','bob','198.51.100.9'),
  ('thr','m3','2024-05-02T14:01:20Z','DescribeInstances','ec2','alice','198.51.100.9'),
  ('thr','m4','2024-05-02T14:01:30Z','DescribeInstances','ec2','bob','198.51.100.9'),
  ('thr','m5','2024-05-02T14:01:40Z','DescribeInstances','ec2','alice','198.51.100.9'),
  ('thr','m6','2024-05-02T14:01:50Z','DescribeInstances','ec2','alice','198.51.100.9');
CREATE TEMP TABLE ev_thr AS SELECT raw, 'inline-thr' AS file, n AS record_index FROM rec WHERE scn='thr' ORDER BY n;
SELECT substr(rule_id, -2), event_id, event_time, run_end, group_key, group_count, cardinality
  FROM cloudtrail_detect('ev_thr', 'fixtures/detect/threshold.ndjson') ORDER BY rule_id, run_end, group_key;

SELECT '-- new_terms: user.name, history now-2d, from now-6m';
-- alice: first seen 05-10 12:01 (and 12:03, same run: one alert)
-- bob: seen 05-09 12:00 (new then), again 05-10 12:02: inside the history, none
-- carol: seen 05-07 12:00 (new then), again 05-10 12:02: before the history start, new again
-- dave 05-10 12:04:30 is in runs 12:05 and 12:10: one alert
-- an event without user.name has no term
INSERT INTO s VALUES
  ('nt','t1','2024-05-10T12:01:00Z','UpdateAccessKey','iam','alice','198.51.100.1'),
  ('nt','t2','2024-05-10T12:03:00Z','UpdateAccessKey','iam','alice','198.51.100.1'),
  ('nt','t3','2024-05-09T12:00:00Z','UpdateAccessKey','iam','bob','198.51.100.2'),
  ('nt','t4','2024-05-10T12:02:00Z','UpdateAccessKey','iam','bob','198.51.100.2'),
  ('nt','t5','2024-05-07T12:00:00Z','UpdateAccessKey','iam','carol','198.51.100.3'),
  ('nt','t6','2024-05-10T12:02:00Z','UpdateAccessKey','iam','carol','198.51.100.3'),
  ('nt','t7','2024-05-10T12:04:30Z','UpdateAccessKey','iam','dave','198.51.100.4'),
  ('nt','t8','2024-05-10T12:02:00Z','UpdateAccessKey','iam',NULL,'198.51.100.5');
-- user.name and source.ip: alice from .1 and from .2 are two new pairs; alice
-- from .1 again at 12:08 was seen at 12:01 (history of run 12:10 ends 12:04);
-- no source.ip: no term
INSERT INTO s VALUES
  ('nt','p1','2024-05-10T12:01:00Z','UpdateLoginProfile','iam','alice','198.51.100.1'),
  ('nt','p2','2024-05-10T12:02:00Z','UpdateLoginProfile','iam','alice','198.51.100.2'),
  ('nt','p3','2024-05-10T12:08:00Z','UpdateLoginProfile','iam','alice','198.51.100.1'),
  ('nt','p4','2024-05-10T12:08:30Z','UpdateLoginProfile','iam','bob',NULL);
CREATE TEMP TABLE ev_nt AS SELECT raw, 'inline-nt' AS file, n AS record_index FROM rec WHERE scn='nt' ORDER BY n;
SELECT substr(rule_id, -2), event_id, event_time, run_end, new_terms, group_key IS NULL
  FROM cloudtrail_detect('ev_nt', 'fixtures/detect/new_terms.ndjson') ORDER BY rule_id, event_time, event_id;

SELECT '-- sequence by user.name with maxspan=10m [CreateUser] [AttachUserPolicy] until [DeleteUser]; runs=2';
-- alice complete; bob broken by maxspan (11m); carol broken by until;
-- dave and erin: one step each, different keys
-- runs=2: alice Get Get Delete within 5m -> alert of 3 events; bob Get Delete -> none
INSERT INTO s VALUES
  ('seq','s1','2024-05-11T14:00:00Z','CreateUser','iam','alice','198.51.100.1'),
  ('seq','s2','2024-05-11T14:05:00Z','AttachUserPolicy','iam','alice','198.51.100.1'),
  ('seq','s3','2024-05-11T14:00:00Z','CreateUser','iam','bob','198.51.100.2'),
  ('seq','s4','2024-05-11T14:11:00Z','AttachUserPolicy','iam','bob','198.51.100.2'),
  ('seq','s5','2024-05-11T14:00:00Z','CreateUser','iam','carol','198.51.100.3'),
  ('seq','s6','2024-05-11T14:02:00Z','DeleteUser','iam','carol','198.51.100.3'),
  ('seq','s7','2024-05-11T14:03:00Z','AttachUserPolicy','iam','carol','198.51.100.3'),
  ('seq','s8','2024-05-11T14:01:00Z','CreateUser','iam','dave','198.51.100.4'),
  ('seq','s9','2024-05-11T14:02:00Z','AttachUserPolicy','iam','erin','198.51.100.5'),
  ('seq','r1','2024-05-11T15:00:00Z','GetObject','s3','alice','198.51.100.1'),
  ('seq','r2','2024-05-11T15:01:00Z','GetObject','s3','alice','198.51.100.1'),
  ('seq','r3','2024-05-11T15:02:00Z','DeleteObject','s3','alice','198.51.100.1'),
  ('seq','r4','2024-05-11T15:00:00Z','GetObject','s3','bob','198.51.100.2'),
  ('seq','r5','2024-05-11T15:01:00Z','DeleteObject','s3','bob','198.51.100.2');
CREATE TEMP TABLE ev_seq AS SELECT raw, 'inline-seq' AS file, n AS record_index FROM rec WHERE scn='seq' ORDER BY n;
SELECT substr(rule_id, -2), event_id, event_time, run_end IS NULL, sequence
  FROM cloudtrail_detect('ev_seq', 'fixtures/detect/sequence.ndjson') ORDER BY rule_id, event_time;

SELECT '-- the same alerts from a raw record, a lookup-events item and an EventBridge envelope';
CREATE TEMP TABLE ev_wrap AS
  SELECT raw, 'inline-raw' AS file, 0 AS record_index FROM rec WHERE id='q1'
  UNION ALL SELECT json_object('EventId','q1','EventName','CreateUser','CloudTrailEvent',raw), 'inline-lookup', 0 FROM rec WHERE id='q1'
  UNION ALL SELECT json_object('version','0','id','5f1b2c3d-0000-4000-8000-000000000001','detail-type','AWS API Call via CloudTrail',
                               'source','aws.iam','account','111122223333','time','2024-05-01T12:00:00Z',
                               'region','us-east-1','resources',json('[]'),'detail',json(raw)), 'inline-bridge', 0 FROM rec WHERE id='q1';
SELECT file, rule_type, event_time, event_id FROM cloudtrail_detect('ev_wrap', 'fixtures/detect/single.ndjson') ORDER BY file;

SELECT '-- a duplicate key: Elasticsearch refuses the record, only the pipeline-failure document remains';
CREATE TEMP TABLE ev_dup(raw, file, record_index);
INSERT INTO ev_dup SELECT replace(raw, '"eventName":"CreateUser"', '"eventName":"CreateUser","eventName":"CreateUser"'), 'inline-dup', 0 FROM rec WHERE id='q1';
INSERT INTO ev_dup SELECT replace(raw, '"type":"IAMUser"', '"type":"IAMUser","type":"Root"'), 'inline-dup', 1 FROM rec WHERE id='q3';
INSERT INTO ev_dup SELECT raw, 'inline-dup', 2 FROM rec WHERE id='q3';
SELECT record_index, cloudtrail_ecs(raw, 'event.kind') FROM ev_dup ORDER BY record_index;
SELECT instr(raw, '"eventName":"CreateUser","eventName"') > 0 FROM ev_dup WHERE record_index=0;
SELECT file, record_index, event_id, event_time FROM cloudtrail_detect('ev_dup', 'fixtures/detect/single.ndjson');

SELECT '-- the schedule clock: event time or the delivery stamp in the file name (fixtures/demo)';
SELECT 'event', event_time, run_end, group_key, group_count, substr(file, -35)
  FROM cloudtrail_detect('fixtures/demo', 'fixtures/detect/demo_clock.ndjson') ORDER BY run_end, group_key;
SELECT 'delivery', event_time, run_end, group_key, group_count, substr(file, -35)
  FROM cloudtrail_detect('fixtures/demo', 'fixtures/detect/demo_clock.ndjson', 'time=delivery') ORDER BY run_end, group_key;
SELECT 'explicit event', count(*) FROM cloudtrail_detect('fixtures/demo', 'fixtures/detect/demo_clock.ndjson', 'time=event');

SELECT '-- EVENTS as a PATH (options reach the reader) and as a table';
SELECT rule_name, event_id, event_time, json_array_length(sequence), substr(file, -35) FROM cloudtrail_detect('fixtures/demo', 'fixtures/detect/sequence.ndjson', 'errors=skip');
SELECT rule_type, count(*) FROM cloudtrail_detect('ev_single', 'fixtures/detect/single.ndjson') GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM cloudtrail_detect('temp.ev_single', 'fixtures/detect/single.ndjson');
SELECT events, rules FROM cloudtrail_detect('ev_single', 'fixtures/detect/single.ndjson') LIMIT 1;
SELECT DISTINCT options FROM cloudtrail_detect('ev_single', 'fixtures/detect/single.ndjson', 'time=delivery');
SELECT '-- a TEMP table by its unqualified name (regression: it was looked up in main only, then read as a PATH)';
CREATE TABLE main.ev_single(raw, file, record_index);
SELECT count(*) FROM cloudtrail_detect('ev_single', 'fixtures/detect/single.ndjson');
SELECT count(*) FROM cloudtrail_detect('main.ev_single', 'fixtures/detect/single.ndjson');
DROP TABLE main.ev_single;

SELECT '-- the prefilters lose no alert: per rule, the alerts over a PATH (the reader''s members: a';
SELECT '-- needle looked for only in the member holding its field) and over a table of the same';
SELECT '-- records (the text) equal a kql_match()/eql_match() scan; 12 rules, so the text dispatch runs';
CREATE TEMP TABLE ev_demo AS SELECT raw, file, record_index FROM cloudtrail('fixtures/demo');
SELECT r.rule_id, r.query,
       (SELECT count(*) FROM cloudtrail_detect('fixtures/demo', 'fixtures/detect/needles.ndjson') AS a
         WHERE a.rule_id = r.rule_id),
       (SELECT count(*) FROM cloudtrail_detect('ev_demo', 'fixtures/detect/needles.ndjson') AS a
         WHERE a.rule_id = r.rule_id),
       (SELECT count(*) FROM ev_demo AS e
         WHERE CASE r.language WHEN 'kuery' THEN kql_match(r.query, e.raw)
                               ELSE eql_match(r.query, e.raw) END)
  FROM elastic_rules('fixtures/detect/needles.ndjson') AS r ORDER BY r.rule_id;

SELECT '-- errors';
SELECT * FROM cloudtrail_detect('ev_single');
SELECT * FROM cloudtrail_detect(NULL, 'fixtures/detect/single.ndjson');
SELECT * FROM cloudtrail_detect('ev_single', NULL);
SELECT * FROM cloudtrail_detect('ev_single', 'fixtures/detect/single.ndjson', 'time=wall');
SELECT * FROM cloudtrail_detect('ev_single', 'fixtures/detect/single.ndjson', 'errors=skip');
SELECT * FROM cloudtrail_detect('fixtures/detect/no-such-dir', 'fixtures/detect/single.ndjson');
SELECT * FROM cloudtrail_detect('ev_single', 'fixtures/detect/no-such-rules.ndjson');
