-- Constraints pushed into the cloudtrail table and file pruning by the
-- delivery time in S3 file names: what is pushed (EXPLAIN QUERY PLAN), and
-- that pushed, pruned, unpruned and unpushed queries return the same rows.
.mode list
EXPLAIN QUERY PLAN SELECT count(*) FROM cloudtrail('fixtures/demo')
 WHERE event_time >= '2026-11-20T09:30:00Z' AND event_name IN ('ConsoleLogin', 'GetSigninToken')
   AND event_source = 'signin.amazonaws.com';
EXPLAIN QUERY PLAN SELECT count(*) FROM cloudtrail('fixtures/demo')
 WHERE event_time BETWEEN '2026-11-20T09:00' AND '2026-11-20T09:15';
SELECT '-- not pushed: other columns, LIKE, another collation';
EXPLAIN QUERY PLAN SELECT count(*) FROM cloudtrail('fixtures/demo')
 WHERE event_name = 'consolelogin' COLLATE NOCASE AND principal_id = 'x' AND event_source LIKE 'signin%';
SELECT '-- every lower bound from 07:30 to 10:30 in 5-minute steps: pushed+pruned = unpruned = unpushed';
WITH RECURSIVE b(t) AS (SELECT julianday('2026-11-20 07:30') UNION ALL
                        SELECT t + 5.0/1440 FROM b WHERE t < julianday('2026-11-20 10:30')),
     bound(z) AS (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', t) FROM b)
SELECT count(*), sum(
  (SELECT group_concat(event_id) FROM (SELECT event_id FROM cloudtrail('fixtures/demo')
     WHERE event_time >= z ORDER BY event_id))
  IS (SELECT group_concat(event_id) FROM (SELECT event_id FROM cloudtrail('fixtures/demo', 'prune=0')
     WHERE event_time >= z ORDER BY event_id))
  AND (SELECT group_concat(event_id) FROM (SELECT event_id FROM cloudtrail('fixtures/demo')
     WHERE event_time >= z ORDER BY event_id))
  IS (SELECT group_concat(event_id) FROM (SELECT event_id FROM cloudtrail('fixtures/demo')
     WHERE +event_time >= z ORDER BY event_id)))
  FROM bound;
SELECT '-- the late-delivered events are found with pruning on';
SELECT event_time, event_name, substr(file, -39, 14) FROM cloudtrail('fixtures/demo')
 WHERE event_time >= '2026-11-20T07:58:00Z' AND event_time < '2026-11-20T08:00:00Z' ORDER BY event_time;
SELECT '-- upper bounds, BETWEEN, equality and IN agree with the unpushed forms';
SELECT (SELECT count(*) FROM cloudtrail('fixtures/demo') WHERE event_time < '2026-11-20T08:30')
     = (SELECT count(*) FROM cloudtrail('fixtures/demo') WHERE +event_time < '2026-11-20T08:30'),
       (SELECT count(*) FROM cloudtrail('fixtures/demo') WHERE event_time BETWEEN '2026-11-20T09' AND '2026-11-20T09:15')
     = (SELECT count(*) FROM cloudtrail('fixtures/demo') WHERE +event_time BETWEEN '2026-11-20T09' AND '2026-11-20T09:15'),
       (SELECT count(*) FROM cloudtrail('fixtures/demo') WHERE event_name IN ('ConsoleLogin', 'GetSigninToken'))
     = (SELECT count(*) FROM cloudtrail('fixtures/demo') WHERE +event_name IN ('ConsoleLogin', 'GetSigninToken')),
       (SELECT count(*) FROM cloudtrail('fixtures/demo') WHERE event_source = 'signin.amazonaws.com')
     = (SELECT count(*) FROM cloudtrail('fixtures/demo') WHERE +event_source = 'signin.amazonaws.com'),
       (SELECT count(*) FROM cloudtrail('fixtures/formats', 'errors=skip') WHERE event_time >= '2026-11-20T10:00')
     = (SELECT count(*) FROM cloudtrail('fixtures/formats', 'errors=skip') WHERE +event_time >= '2026-11-20T10:00');
SELECT '-- non-text values are not used for skipping (SQLite''s own rules apply)';
SELECT (SELECT count(*) FROM cloudtrail('fixtures/formats/escapes.jsonl') WHERE event_name >= 5)
     = (SELECT count(*) FROM cloudtrail('fixtures/formats/escapes.jsonl') WHERE +event_name >= 5);
SELECT '-- the rule with a time window: the planted alerts';
SELECT event_time, event_name FROM cloudtrail('fixtures/demo')
 WHERE event_time >= '2026-11-20T09:00:00Z' AND ec2_console_login(raw) ORDER BY event_time;
SELECT '-- pruning trusts the delivery time in file names (fixtures/prune)';
SELECT count(*) FROM cloudtrail('fixtures/prune') WHERE event_time >= '2026-11-20T10:00';
SELECT count(*) FROM cloudtrail('fixtures/prune', 'prune=0') WHERE event_time >= '2026-11-20T10:00';
SELECT count(*) FROM cloudtrail('fixtures/prune') WHERE event_time >= '2026-11-20T08:10';
SELECT count(*) FROM cloudtrail('fixtures/prune', 'prune=1');
SELECT count(*) FROM cloudtrail('fixtures/prune') WHERE event_time <= '2026-11-21';
SELECT '-- over 100,000 records a skipping scan hands SQLite a row now and then (to see interrupts); SQLite drops it';
SELECT count(*) FROM cloudtrail('dist/hostile/many') WHERE event_name = 'NoSuchEvent';
SELECT count(*) FROM cloudtrail('dist/hostile/many') WHERE event_time >= '2026-11-20T10:59:00Z';
SELECT count(*) FROM cloudtrail('dist/hostile/many') WHERE +event_time >= '2026-11-20T10:59:00Z';
