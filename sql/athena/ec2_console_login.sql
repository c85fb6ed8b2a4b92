-- sql/athena/ec2_console_login.sql — Elastic's rule "AWS EC2 Instance Console
-- Login via Assumed Role" (version 1) as an Amazon Athena (Trino/Presto SQL)
-- view, for organisation trails too large for one machine.  docs/scale-out.md
-- explains how it corresponds to the SQLite views.
--
-- Prerequisite: the CloudTrail table that the Athena user guide documents in
-- "Create the table for CloudTrail logs in Athena using partition projection"
-- (CloudTrail SerDe; partitions `region` and `timestamp` = 'yyyy/MM/dd'
-- projected from AWSLogs/<account>/CloudTrail/<region>/<yyyy/MM/dd>/).  The
-- guide names it cloudtrail_logs_pp; if yours has another name, change the
-- FROM clause below.  Then run this statement in the same database.
--
-- Not executed by `make test` (no Athena or Trino here): the statement uses
-- only columns of that documented table and Trino functions (strpos, substr,
-- json_extract_scalar, lower, coalesce).
--
-- Filter on the partition columns to limit what Athena scans (and bills):
--   SELECT * FROM ec2_console_login_alerts
--    WHERE "timestamp" >= '2026/11/20' AND region IN ('us-east-1', 'eu-west-1');

CREATE OR REPLACE VIEW ec2_console_login_alerts AS
SELECT eventtime AS event_time,
       coalesce(useridentity.accountid, recipientaccountid) AS account_id,
       awsregion AS aws_region,
       -- An instance role's session name is the instance id: AROA…:i-0123…
       substr(useridentity.principalid,
              strpos(useridentity.principalid, ':i-') + 1) AS instance_id,
       useridentity.sessioncontext.sessionissuer.username AS role_name,
       useridentity.sessioncontext.sessionissuer.arn AS role_arn,
       useridentity.principalid AS principal_id,
       useridentity.arn AS identity_arn,
       sourceipaddress AS source_ip,
       useragent AS user_agent,
       eventname AS event_name,
       -- additionaleventdata and responseelements are JSON text in this table.
       json_extract_scalar(additionaleventdata, '$.MFAUsed') AS mfa_used,
       eventid AS event_id,
       'd1e5e410-3e34-412e-9b1f-dd500b3b55cd' AS rule_id,
       'AWS EC2 Instance Console Login via Assumed Role' AS rule_name,
       'high' AS severity,
       73 AS risk_score,
       region,
       "timestamp"
  FROM cloudtrail_logs_pp
 WHERE eventsource = 'signin.amazonaws.com'
   AND eventname IN ('ConsoleLogin', 'GetSigninToken')
   AND useridentity.type = 'AssumedRole'
   AND strpos(useridentity.principalid, ':i-') > 0
   -- event.outcome as Elastic's ingest pipeline sets it: a ConsoleLogin's
   -- response decides; otherwise any non-empty error is a failure.
   AND (CASE WHEN eventname = 'ConsoleLogin'
                  AND json_extract_scalar(responseelements, '$.ConsoleLogin') IS NOT NULL
             THEN lower(json_extract_scalar(responseelements, '$.ConsoleLogin'))
             WHEN coalesce(errorcode, '') <> '' OR coalesce(errormessage, '') <> ''
             THEN 'failure'
             ELSE 'success' END) = 'success';
