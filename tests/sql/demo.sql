-- The bundled sample evidence (fixtures/demo, see fixtures/demo.md).
.mode list
SELECT count(*) FROM cloudtrail('fixtures/demo');
SELECT format, count(*), sum(records), count(error) FROM cloudtrail_files('fixtures/demo')
 GROUP BY format ORDER BY format;
SELECT '-- the rule, written over the columns, finds exactly the planted alerts';
SELECT event_time, event_name, principal_id, source_ip, event_id
  FROM cloudtrail('fixtures/demo')
 WHERE event_source = 'signin.amazonaws.com'
   AND event_name IN ('ConsoleLogin', 'GetSigninToken')
   AND outcome = 'success'
   AND identity_type = 'AssumedRole'
   AND instr(principal_id, ':i-') > 0
 ORDER BY event_time;
SELECT '-- the decoys that a grep of raw would catch are told apart';
SELECT event_name, event_source, outcome FROM cloudtrail('fixtures/demo')
 WHERE raw LIKE '%ConsoleLogin%' AND instr(principal_id, ':i-') > 0
 ORDER BY event_time;
SELECT '-- late-delivered records: event time over an hour before the file''s time stamp';
WITH t AS (SELECT event_time, event_name, substr(file, -39, 14) AS stamp  -- YYYYMMDDTHHMMZ
             FROM cloudtrail('fixtures/demo'))
SELECT stamp, event_time, event_name FROM t
 WHERE (julianday(substr(stamp, 1, 4) || '-' || substr(stamp, 5, 2) || '-' || substr(stamp, 7, 2)
                  || ' ' || substr(stamp, 10, 2) || ':' || substr(stamp, 12, 2))
        - julianday(event_time)) * 24 > 1
 ORDER BY event_time;
