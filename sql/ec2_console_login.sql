-- ec2_console_login.sql — saved views for Elastic's rule "AWS EC2 Instance
-- Console Login via Assumed Role" (version 1, rule_id d1e5e410-…).
--
-- Prerequisite: the extension is loaded, and a relation named
-- cloudtrail_events has the columns of the cloudtrail table, for example
--
--     CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('evidence/AWSLogs');
--
-- or an ingested table with the same columns.  Then:  .read sql/ec2_console_login.sql
--
-- The views use only the extension's innocuous functions (ec2_console_login,
-- cloudtrail_value, cloudtrail_rules) and SQLite's date functions — not the
-- JSON operators, which SQLite 3.40 does not mark innocuous — so they also
-- work with PRAGMA trusted_schema=OFF over an ingested table.  Re-reading
-- this file replaces the views.

DROP VIEW IF EXISTS ec2_console_login_source_ips;
DROP VIEW IF EXISTS ec2_console_login_activity;
DROP VIEW IF EXISTS ec2_console_login_alerts;

-- One row per event the rule matches, with the rule's identity from the
-- catalog so alerts from several rules can be stacked with UNION ALL.
CREATE VIEW ec2_console_login_alerts AS
SELECT e.event_time,
       coalesce(e.account_id, e.recipient_account_id) AS account_id,
       e.aws_region,
       -- An instance role's session name is the instance id: AROA…:i-0123…
       substr(e.principal_id, instr(e.principal_id, ':i-') + 1) AS instance_id,
       e.session_issuer_name AS role_name,
       e.session_issuer_arn AS role_arn,
       e.principal_id,
       e.identity_arn,
       e.source_ip,
       e.user_agent,
       e.event_name,
       -- ConsoleLogin only: "Yes"/"No" in CloudTrail, a boolean in ECS.
       coalesce(cloudtrail_value(e.raw, 'additionalEventData.MFAUsed'),
                CASE cloudtrail_value(e.raw,
                       'aws.cloudtrail.console_login.additional_eventdata.mfa_used')
                  WHEN 'true' THEN 'Yes' WHEN 'false' THEN 'No' END) AS mfa_used,
       e.event_id,
       e.file,
       e.record_index,
       r.rule_id,
       r.name AS rule_name,
       r.severity,
       r.risk_score
  FROM cloudtrail_events AS e
  JOIN cloudtrail_rules() AS r ON r.rule = 'ec2_console_login'
 WHERE ec2_console_login(e.raw) = 1;

-- What the stolen credentials did: for each alert, every event of the same
-- role session (same principal id) from one hour before to 24 hours after
-- it — the instance's own traffic and the intruder's alike; same_source_ip
-- tells them apart at a glance.  alert_event_id joins back to the alert.
CREATE VIEW ec2_console_login_activity AS
SELECT a.event_id AS alert_event_id,
       a.event_time AS alert_time,
       a.instance_id,
       CAST(round((julianday(e.event_time) - julianday(a.event_time)) * 86400)
            AS INTEGER) AS seconds_from_alert,
       e.event_time,
       e.event_source,
       e.event_name,
       e.outcome,
       e.error_code,
       e.source_ip,
       e.source_ip IS a.source_ip AS same_source_ip,
       e.user_agent,
       e.event_id,
       e.file,
       e.record_index
  FROM ec2_console_login_alerts AS a
  JOIN cloudtrail_events AS e
    ON e.principal_id = a.principal_id
   AND julianday(e.event_time) BETWEEN julianday(a.event_time) - 1.0/24
                                   AND julianday(a.event_time) + 1.0;

-- Who else acted from the addresses the alerts came from: identities other
-- than the alerting session (including events with no principal id at all,
-- such as anonymous requests), one row per address and identity.
CREATE VIEW ec2_console_login_source_ips AS
SELECT e.source_ip,
       e.identity_type,
       e.principal_id,
       e.identity_arn,
       count(*) AS events,
       min(e.event_time) AS first_seen,
       max(e.event_time) AS last_seen,
       group_concat(DISTINCT e.event_name) AS event_names
  FROM cloudtrail_events AS e
 WHERE e.source_ip IN (SELECT source_ip FROM ec2_console_login_alerts)
   AND (e.principal_id IS NULL
        OR e.principal_id NOT IN (SELECT principal_id FROM ec2_console_login_alerts
                                   WHERE principal_id IS NOT NULL))
 GROUP BY e.source_ip, e.identity_type, e.principal_id, e.identity_arn;
