-- Nothing lost, nothing invented: records numbered 0..2999 written in every
-- format (S3 delivery compact and pretty, JSON Lines with CRLF, arrays,
-- lookup-events, EventBridge, ECS nested/dotted/hits, delivery objects per
-- line), plain, gzip and two-member gzip (tests/gen_hostile.py), plus four
-- damaged files holding records 100000..100049.
.mode list
CREATE TEMP TABLE got AS
  SELECT CAST(substr(event_id, 5) AS INTEGER) AS seq, file, record_index
    FROM cloudtrail('dist/hostile/seq', 'errors=skip');
SELECT '-- every good record exactly once';
SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM got WHERE seq < 100000;
SELECT count(*) FROM got WHERE seq IS NULL;
SELECT '-- the same with a 16-byte window and without threads';
SELECT count(*) FROM (
  SELECT CAST(substr(event_id, 5) AS INTEGER), file, record_index
    FROM cloudtrail('dist/hostile/seq', 'errors=skip, buffer_size=16, threads=0')
  EXCEPT SELECT seq, file, record_index FROM got);
SELECT '-- damaged files: rows returned plus what cloudtrail_files reports account for each file';
SELECT f.file, f.records, (SELECT count(*) FROM got g WHERE g.file = f.file), f.error IS NOT NULL
  FROM cloudtrail_files('dist/hostile/seq') AS f WHERE f.error IS NOT NULL OR f.file LIKE '%/x%';
SELECT (SELECT sum(records) FROM cloudtrail_files('dist/hostile/seq')) = (SELECT count(*) FROM got),
       (SELECT count(*) FROM cloudtrail_files('dist/hostile/seq')) = 34;
SELECT '-- strict mode stops at the first damaged file, naming it';
SELECT count(*) FROM cloudtrail('dist/hostile/seq');
