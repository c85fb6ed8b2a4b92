-- Time filters compare instants, in any ISO 8601 or SQLite form, on the
-- cloudtrail table and on an ingested table alike (docs/time.md).
.mode list
SELECT '-- cloudtrail_time(): the instant as UTC text';
SELECT cloudtrail_time('2023-07-10T18:00:00+02:00'), cloudtrail_time('2023-07-10 16:00:00'),
       cloudtrail_time('20230710T1600Z'), cloudtrail_time('2023-07-10T16:00:00.250Z'),
       cloudtrail_time('2023-07'), cloudtrail_time(NULL) IS NULL;
SELECT cloudtrail_time('2024-04-31T10:00');
SELECT cloudtrail_time('2023-7-10');
SELECT cloudtrail_time(1689004800);
SELECT '-- regression: the datetime() form returned every row (space < T)';
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time >= '2024-05-01 05:00:00';
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time >= '2024-05-01T05:00:00Z';
SELECT '-- regression: an offset returned none';
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time >= '2024-05-01T07:00:00+02:00';
SELECT '-- regression: milliseconds compared wrongly against a bound without';
SELECT event_time FROM cloudtrail('fixtures/time/other-forms.jsonl')
 WHERE event_time = '2024-05-01T05:00:00Z' ORDER BY record_index;
SELECT event_time FROM cloudtrail('fixtures/time/other-forms.jsonl')
 WHERE event_time > '2024-05-01T05:00:00Z' AND event_time < '2024-05-01T05:00:01' ORDER BY record_index;
SELECT '-- regression: pruning dropped matching rows (day 31 of April accepted and moved to May)';
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time >= '2024-04-31T10:00';
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time >= 'yesterday';
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time >= unixepoch('2024-05-01');
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time IN ('2024-05-01T05:00:00Z', 'soon');
SELECT '-- NULL bounds match nothing, as in SQL';
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time >= NULL;
SELECT '-- order, min and max are by instant; texts that are not times come first';
SELECT event_time FROM cloudtrail('fixtures/time/other-forms.jsonl') ORDER BY event_time;
SELECT min(event_time), max(event_time) FROM cloudtrail('fixtures/time/other-forms.jsonl');
SELECT first_event_time, last_event_time FROM cloudtrail_files('fixtures/time/other-forms.jsonl');
SELECT '-- COLLATE BINARY asks for text order; it is pushed as such';
EXPLAIN QUERY PLAN SELECT count(*) FROM cloudtrail('fixtures/time')
 WHERE event_time COLLATE BINARY >= '2024-05-01 05:00:00';
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time COLLATE BINARY >= '2024-05-01 05:00:00';
EXPLAIN QUERY PLAN SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time >= '2024-05-01';
SELECT '-- the ingested table: the same answers, from its index';
.read sql/schema.sql
INSERT INTO cloudtrail_events SELECT * FROM cloudtrail('fixtures/time');
SELECT count(*) FROM cloudtrail_events WHERE event_time >= '2024-05-01 05:00:00';
SELECT count(*) FROM cloudtrail_events WHERE event_time >= '2024-05-01T07:00:00+02:00';
SELECT count(*) FROM cloudtrail_events WHERE event_time BETWEEN '2024-05-01' AND '2024-05-01T05:00:00.250Z';
EXPLAIN QUERY PLAN SELECT count(*) FROM cloudtrail_events WHERE event_time >= '2024-05-01 05:00:00';
SELECT '-- a join with outside evidence in another form (event_time on the left)';
CREATE TEMP TABLE vpn(login TEXT, logout TEXT);
INSERT INTO vpn VALUES ('2024-05-01 06:59:00+02:00', '2024-05-01 07:01:00+02:00');
SELECT count(*) FROM cloudtrail_events AS e, vpn WHERE e.event_time BETWEEN vpn.login AND vpn.logout;
SELECT count(*) FROM cloudtrail_events AS e, vpn
 WHERE vpn.logout >= e.event_time COLLATE cloudtrail_time AND e.event_time >= vpn.login;
SELECT '-- comparisons SQLite keeps to itself order a non-time before every time';
SELECT count(*) FROM cloudtrail('fixtures/time') WHERE event_time >= 'yesterday' OR event_name = 'x';
