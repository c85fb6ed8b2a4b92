-- The rule as a JSON1 expression over a table of raw records (ev.raw),
-- the same logic as ec2_console_login(raw): the peer of
-- bench/peers/table_ours.sql.  Run against dist/bench/rows-1m.db.
SELECT count(*) FROM ev
 WHERE raw ->> '$.eventSource' = 'signin.amazonaws.com'
   AND raw ->> '$.eventName' IN ('ConsoleLogin', 'GetSigninToken')
   AND raw ->> '$.userIdentity.type' = 'AssumedRole'
   AND json_type(raw, '$.userIdentity.principalId') = 'text'
   AND instr(raw ->> '$.userIdentity.principalId', ':i-') > 0
   AND CASE
         WHEN raw ->> '$.eventName' = 'ConsoleLogin'
              AND json_type(raw, '$.responseElements.ConsoleLogin') = 'text'
           THEN lower(raw ->> '$.responseElements.ConsoleLogin')
         WHEN coalesce(raw ->> '$.errorCode', '') <> ''
              OR coalesce(raw ->> '$.errorMessage', '') <> ''
           THEN 'failure'
         ELSE 'success'
       END = 'success';
