-- The saved views of sql/ec2_console_login.sql over the demo evidence: the
-- planted alerts and their activity, persistence across reopen, and
-- trusted_schema=OFF over an ingested table.
.mode list
.headers on
.shell rm -f dist/scratch/views.db dist/scratch/ingested.db
.open dist/scratch/views.db
.load @EXT@
CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('fixtures/demo');
.read sql/ec2_console_login.sql
SELECT event_time, account_id, aws_region, instance_id, role_name, role_arn, principal_id,
       identity_arn, source_ip, event_name, mfa_used, event_id, record_index,
       rule_id, rule_name, severity, risk_score
  FROM ec2_console_login_alerts ORDER BY event_time;
.headers off
SELECT '-- activity: rows per alert, and those from the alert''s address';
SELECT alert_event_id, count(*), sum(same_source_ip), min(seconds_from_alert), max(seconds_from_alert)
  FROM ec2_console_login_activity GROUP BY 1 ORDER BY 1;
SELECT '-- the intruder''s actions after the ConsoleLogin alert';
SELECT seconds_from_alert, event_name, outcome, coalesce(error_code, '-')
  FROM ec2_console_login_activity
 WHERE same_source_ip AND seconds_from_alert > 0
   AND alert_event_id = 'c8f9e9d6-d773-46b5-87a1-047164571779'
 ORDER BY event_time;
SELECT '-- every activity row is the alert principal''s, within -1h..+24h';
SELECT count(*) FROM ec2_console_login_activity AS v
  JOIN ec2_console_login_alerts AS a ON a.event_id = v.alert_event_id
  JOIN cloudtrail_events AS e ON e.event_id = v.event_id
 WHERE e.principal_id IS NOT a.principal_id
    OR v.seconds_from_alert NOT BETWEEN -3600 AND 86400;
SELECT '-- other identities from the alerts'' addresses';
SELECT * FROM ec2_console_login_source_ips;
SELECT '-- reopened: the saved views return the same rows';
.open dist/scratch/views.db
.load @EXT@
SELECT event_time, event_name, event_id FROM ec2_console_login_alerts ORDER BY event_time;
SELECT count(*) FROM ec2_console_login_activity;
SELECT '-- with trusted_schema=OFF the file-reading table is refused inside the view';
PRAGMA trusted_schema=OFF;
SELECT count(*) FROM ec2_console_login_alerts;
SELECT '-- an ingested table: the views work with trusted_schema=OFF';
.open dist/scratch/ingested.db
.load @EXT@
CREATE TABLE cloudtrail_events AS SELECT * FROM cloudtrail('fixtures/demo');
.read sql/ec2_console_login.sql
.open dist/scratch/ingested.db
.load @EXT@
PRAGMA trusted_schema=OFF;
SELECT event_time, event_name, event_id FROM ec2_console_login_alerts ORDER BY event_time;
SELECT count(*), sum(same_source_ip) FROM ec2_console_login_activity;
SELECT count(*) FROM ec2_console_login_source_ips;
SELECT '-- Elastic documents go through the same views';
.open :memory:
.load @EXT@
CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('fixtures/formats', errors=skip);
.read sql/ec2_console_login.sql
SELECT file, record_index, event_name, instance_id, role_name, mfa_used
  FROM ec2_console_login_alerts ORDER BY file, record_index;
SELECT '-- mitre_tags() joins the alerts on rule';
SELECT a.event_name, m.tactic_id, m.technique_id, m.subtechnique_id
  FROM (SELECT DISTINCT event_name FROM ec2_console_login_alerts) AS a
  JOIN cloudtrail_rules() AS r ON r.rule = 'ec2_console_login'
  JOIN mitre_tags() AS m ON m.rule = r.rule
 ORDER BY 1, 2, 3;
