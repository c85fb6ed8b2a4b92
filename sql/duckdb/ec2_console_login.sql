-- sql/duckdb/ec2_console_login.sql — Elastic's rule "AWS EC2 Instance Console
-- Login via Assumed Role" (version 1) in DuckDB, over the S3 delivery files
-- themselves, for trails too large for one SQLite file.  See docs/scale-out.md.
--
-- Set the files to read, then run this script (DuckDB 1.1 or later, for
-- variables; s3:// paths need the httpfs extension and credentials):
--
--   SET VARIABLE cloudtrail_glob =
--     's3://my-trail-bucket/AWSLogs/*/CloudTrail/*/2026/11/*/*.json.gz';
--   .read sql/duckdb/ec2_console_login.sql
--
-- The glob picks the layer: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
-- (organisation trails add an o-… level after AWSLogs).  Name only the
-- CloudTrail/ folders: digest files (CloudTrail-Digest/) hold no Records.
-- Fixing the dates in the glob is DuckDB's form of partition pruning.
--
-- The views have the names and columns of sql/ec2_console_login.sql, so a
-- query written against one runs on the other.  Differences: docs/scale-out.md.

-- One row per record, traceable to its file and 0-based position in it.
-- Records is read as a list of JSON values: letting DuckDB infer a STRUCT
-- fails on real trails, whose records differ in shape.
CREATE OR REPLACE VIEW cloudtrail_records AS
SELECT filename AS file,
       unnest(Records) AS raw,
       unnest(range(len(Records))) AS record_index
  FROM read_json(getvariable('cloudtrail_glob'),
                 columns = {Records: 'JSON[]'}, format = 'unstructured',
                 filename = true);

-- The columns of the extension's cloudtrail table (raw records only).
CREATE OR REPLACE VIEW cloudtrail_events AS
SELECT json_extract_string(raw, '$.eventTime')              AS event_time,
       json_extract_string(raw, '$.eventSource')            AS event_source,
       json_extract_string(raw, '$.eventName')              AS event_name,
       json_extract_string(raw, '$.awsRegion')              AS aws_region,
       json_extract_string(raw, '$.sourceIPAddress')        AS source_ip,
       json_extract_string(raw, '$.userAgent')              AS user_agent,
       json_extract_string(raw, '$.userIdentity.type')      AS identity_type,
       -- A principalId that is not a string never matches the rule.
       CASE WHEN json_type(raw, '$.userIdentity.principalId') = 'VARCHAR'
            THEN json_extract_string(raw, '$.userIdentity.principalId') END
                                                            AS principal_id,
       json_extract_string(raw, '$.userIdentity.arn')       AS identity_arn,
       json_extract_string(raw, '$.userIdentity.accountId') AS account_id,
       json_extract_string(raw, '$.userIdentity.accessKeyId') AS access_key_id,
       json_extract_string(raw, '$.userIdentity.sessionContext.sessionIssuer.arn')
                                                            AS session_issuer_arn,
       json_extract_string(raw, '$.userIdentity.sessionContext.sessionIssuer.userName')
                                                            AS session_issuer_name,
       json_extract_string(raw, '$.errorCode')              AS error_code,
       json_extract_string(raw, '$.errorMessage')           AS error_message,
       -- As Elastic's ingest pipeline sets event.outcome: a ConsoleLogin's
       -- string response decides; otherwise any non-empty error is a failure.
       CASE WHEN json_extract_string(raw, '$.eventName') = 'ConsoleLogin'
                 AND json_type(raw, '$.responseElements.ConsoleLogin') = 'VARCHAR'
            THEN lower(json_extract_string(raw, '$.responseElements.ConsoleLogin'))
            WHEN coalesce(json_extract_string(raw, '$.errorCode'), '') <> ''
              OR coalesce(json_extract_string(raw, '$.errorMessage'), '') <> ''
            THEN 'failure'
            ELSE 'success' END                              AS outcome,
       json_extract_string(raw, '$.eventID')                AS event_id,
       json_extract_string(raw, '$.requestID')              AS request_id,
       json_extract_string(raw, '$.eventType')              AS event_type,
       CAST(json_extract(raw, '$.readOnly') AS BOOLEAN)::INTEGER AS read_only,
       json_extract_string(raw, '$.recipientAccountId')     AS recipient_account_id,
       CAST(raw AS VARCHAR)                                 AS raw,
       file,
       record_index
  FROM cloudtrail_records;

-- The rule, clause by clause (docs/rules.md), and the alert columns of the
-- SQLite view; rule metadata is written in because DuckDB has no catalog.
CREATE OR REPLACE VIEW ec2_console_login_alerts AS
SELECT event_time,
       coalesce(account_id, recipient_account_id) AS account_id,
       aws_region,
       substr(principal_id, instr(principal_id, ':i-') + 1) AS instance_id,
       session_issuer_name AS role_name,
       session_issuer_arn AS role_arn,
       principal_id,
       identity_arn,
       source_ip,
       user_agent,
       event_name,
       json_extract_string(raw, '$.additionalEventData.MFAUsed') AS mfa_used,
       event_id,
       file,
       record_index,
       'd1e5e410-3e34-412e-9b1f-dd500b3b55cd' AS rule_id,
       'AWS EC2 Instance Console Login via Assumed Role' AS rule_name,
       'high' AS severity,
       73 AS risk_score
  FROM cloudtrail_events
 WHERE event_source = 'signin.amazonaws.com'
   AND event_name IN ('ConsoleLogin', 'GetSigninToken')
   AND outcome = 'success'
   AND identity_type = 'AssumedRole'
   AND contains(principal_id, ':i-');
