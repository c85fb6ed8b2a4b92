-- make demo: run the rule over the bundled sample logs (fixtures/demo).
-- By hand:  sqlite3 -cmd '.load ./dist/cloudtrail' -cmd '.mode box' < sql/demo.sql
-- Installed (make install): run it from $(PREFIX)/share/sqlite-cloudtrail,
-- which holds sql/ and fixtures/demo as here:
--   cd /usr/local/share/sqlite-cloudtrail
--   sqlite3 -cmd '.load /usr/local/lib/sqlite3/cloudtrail' -cmd '.mode box' < sql/demo.sql

CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('fixtures/demo');
.read sql/ec2_console_login.sql

.print 'Evidence: files read, by format (digests give no rows)'
SELECT format, count(*) AS files, sum(records) AS records, count(error) AS errors,
       min(first_event_time) AS first_event, max(last_event_time) AS last_event
  FROM cloudtrail_files('fixtures/demo')
 GROUP BY format ORDER BY format;

.print 'Alerts: AWS EC2 Instance Console Login via Assumed Role'
SELECT event_time, account_id, instance_id, role_name, event_name, source_ip,
       mfa_used, severity, risk_score
  FROM ec2_console_login_alerts ORDER BY event_time;

.print "What the session did from the alert's address (ec2_console_login_activity)"
SELECT event_time, seconds_from_alert AS "+s", event_source, event_name, outcome, error_code
  FROM ec2_console_login_activity
 WHERE same_source_ip AND alert_event_id =
       (SELECT event_id FROM ec2_console_login_alerts WHERE event_name = 'ConsoleLogin')
 ORDER BY event_time;

.print "Other identities seen from the alerts' source addresses"
SELECT source_ip, identity_type, identity_arn, events, first_seen, last_seen, event_names
  FROM ec2_console_login_source_ips;

.print 'ATT&CK mapping'
SELECT tactic_id, tactic_name, technique_id, technique_name, subtechnique_id, subtechnique_name
  FROM mitre_tags('ec2_console_login');
