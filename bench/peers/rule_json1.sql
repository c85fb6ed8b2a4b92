-- Peer: the EC2 instance-role console-login rule with SQLite's JSON1 only,
-- over an uncompressed copy of the tree (the sqlite3 shell cannot read gzip).
--
--   sqlite3 :memory: -cmd ".parameter set :dir 'PLAIN_DIR'" \
--                    -cmd ".parameter set :since ''" < bench/peers/rule_json1.sql
--
-- fsdir() walks the tree, readfile() loads each file, json_each() splits
-- "Records", and ->> reads the fields.  Same logic as ec2_console_login() on
-- raw records; :since, when not empty, also requires eventTime >= :since.
SELECT count(*)
  FROM fsdir(:dir) AS f,
       json_each(readfile(f.name), '$.Records') AS r
 WHERE f.name LIKE '%.json'
   AND r.value ->> '$.eventSource' = 'signin.amazonaws.com'
   AND r.value ->> '$.eventName' IN ('ConsoleLogin', 'GetSigninToken')
   AND r.value ->> '$.userIdentity.type' = 'AssumedRole'
   AND json_type(r.value, '$.userIdentity.principalId') = 'text'
   AND instr(r.value ->> '$.userIdentity.principalId', ':i-') > 0
   -- outcome: for ConsoleLogin the (lower-cased) response string decides;
   -- otherwise a non-null, non-empty errorCode or errorMessage is a failure.
   AND CASE
         WHEN r.value ->> '$.eventName' = 'ConsoleLogin'
              AND json_type(r.value, '$.responseElements.ConsoleLogin') = 'text'
           THEN lower(r.value ->> '$.responseElements.ConsoleLogin')
         WHEN coalesce(r.value ->> '$.errorCode', '') <> ''
              OR coalesce(r.value ->> '$.errorMessage', '') <> ''
           THEN 'failure'
         ELSE 'success'
       END = 'success'
   AND (:since = '' OR r.value ->> '$.eventTime' >= :since);
