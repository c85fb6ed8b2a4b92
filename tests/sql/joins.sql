-- The worked example of docs/views.md: alerts joined to outside evidence
-- (an EC2 inventory by instance_id, an IP list by source_ip) and mitre_tags() on rule.
CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('fixtures/demo');
.read sql/ec2_console_login.sql
-- Outside evidence: an EC2 inventory export and a threat-intel IP list.
CREATE TABLE ec2_inventory(instance_id TEXT PRIMARY KEY, name TEXT, owner TEXT, imds TEXT);
INSERT INTO ec2_inventory VALUES
  ('i-0a1b2c3d4e5f60718', 'web-prod-1', 'team-web', 'IMDSv1 allowed'),
  ('i-0d5e6f708192a3b4c', 'etl-dev-1',  'team-data', 'IMDSv2 required');
CREATE TABLE ip_intel(ip TEXT PRIMARY KEY, label TEXT, first_reported TEXT);
INSERT INTO ip_intel VALUES ('203.0.113.77', 'VPS provider, seen in phishing kit hosting', '2026-10-02');
.mode box
SELECT a.event_time, a.event_name, a.instance_id, i.name, i.owner, i.imds,
       a.source_ip, t.label AS intel
  FROM ec2_console_login_alerts AS a
  LEFT JOIN ec2_inventory AS i USING (instance_id)
  LEFT JOIN ip_intel AS t ON t.ip = a.source_ip
 ORDER BY a.event_time;
SELECT DISTINCT a.event_name, m.tactic_name, m.technique_id, m.subtechnique_id, m.subtechnique_name
  FROM ec2_console_login_alerts AS a
  JOIN cloudtrail_rules() AS r ON r.rule_id = a.rule_id
  JOIN mitre_tags() AS m ON m.rule = r.rule
 ORDER BY a.event_name, m.tactic_name DESC, m.technique_id;
.mode list
SELECT '-- regression: the result depended on the join order (an argument compared after the scan was dropped)';
CREATE TEMP TABLE args(p TEXT, o TEXT, r TEXT);
INSERT INTO args VALUES ('fixtures/demo', 'errors=skip', 'ec2_console_login');
SELECT count(*) FROM args CROSS JOIN cloudtrail('fixtures/demo') AS c WHERE c.options = args.o;
SELECT count(*) FROM cloudtrail('fixtures/demo') AS c, args WHERE c.options = args.o;
SELECT count(*) FROM cloudtrail('fixtures/demo') AS c CROSS JOIN args WHERE c.options = args.o;
SELECT count(*) FROM cloudtrail_files('fixtures/demo') AS c CROSS JOIN args WHERE c.options = args.o;
SELECT count(*) FROM cloudtrail_events CROSS JOIN args WHERE cloudtrail_events.path = args.p;
SELECT count(*) FROM cloudtrail_ls('fixtures/demo') AS l CROSS JOIN args WHERE l.path = args.p;
SELECT count(*) FROM cloudtrail_validate('fixtures/demo') AS v CROSS JOIN args WHERE v.options = args.o;
SELECT count(*) FROM cloudtrail_validate('fixtures/demo') AS v CROSS JOIN args WHERE v.path = args.p;
SELECT count(*) FROM mitre_tags() AS m CROSS JOIN args WHERE m.rule_name = args.r;
SELECT count(*) FROM args CROSS JOIN mitre_tags() AS m WHERE m.rule_name = args.r;
SELECT '-- an argument that was given reads back';
SELECT DISTINCT path, options FROM cloudtrail('fixtures/formats/array.json', 'errors=skip');
SELECT DISTINCT path FROM cloudtrail_ls('fixtures/formats/array.json');
SELECT DISTINCT rule_name FROM mitre_tags('ec2_console_login');
