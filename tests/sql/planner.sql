-- The planner passes PATH and OPTIONS to the table as arguments.
.mode list
EXPLAIN QUERY PLAN SELECT * FROM cloudtrail('fixtures/formats');
EXPLAIN QUERY PLAN SELECT * FROM cloudtrail('fixtures/formats', 'errors=skip');
EXPLAIN QUERY PLAN SELECT * FROM cloudtrail_files('fixtures');
SELECT '-- a PATH from a join column works (correlated)';
SELECT p, count(*) FROM (SELECT 'fixtures/formats/array.json' AS p
                         UNION ALL SELECT 'fixtures/formats/lines-crlf.jsonl') AS x,
       cloudtrail(x.p) GROUP BY p ORDER BY p;
