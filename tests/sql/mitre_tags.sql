-- mitre_tags(X) for every rule: a built-in rule by name or rule_id, a rule
-- this connection loaded (elastic_rules(), cloudtrail_detect()) by rule_id,
-- and a Kibana threat array given as JSON text.
.mode list
SELECT '-- the seed rule by its Elastic rule_id gives the rows of its name';
SELECT count(*), min(rule) FROM mitre_tags((SELECT rule_id FROM cloudtrail_rules()));
SELECT (SELECT group_concat(tactic_id||'/'||ifnull(subtechnique_id,''), ' ')
          FROM mitre_tags((SELECT rule_id FROM cloudtrail_rules())))
     = (SELECT group_concat(tactic_id||'/'||ifnull(subtechnique_id,''), ' ')
          FROM mitre_tags('ec2_console_login'));
SELECT '-- a file rule before it is loaded: no rows; after elastic_rules(): its mapping';
SELECT count(*) FROM mitre_tags('0c5a1b20-1111-4a6e-9a01-000000000001');
SELECT count(*) FROM elastic_rules('fixtures/rules');
SELECT rule, tactic_id, tactic_name, technique_id, technique_reference, quote(subtechnique_id)
  FROM mitre_tags('0c5a1b20-1111-4a6e-9a01-000000000001');
SELECT '-- no argument: the built-in rule, then every loaded rule with a threat';
SELECT rule, count(*) FROM mitre_tags() GROUP BY rule ORDER BY min(rowid);
SELECT '-- a loaded rule without threat, an unknown id, NULL: no rows';
SELECT count(*) FROM mitre_tags((SELECT rule_id FROM elastic_rules('fixtures/rules')
                                  WHERE threat IS NULL AND rule_id IS NOT NULL LIMIT 1));
SELECT count(*) FROM mitre_tags('nope'), mitre_tags(NULL);
SELECT '-- the alert queue joined to ATT&CK, in a fresh connection (cloudtrail_detect loads the rules)';
.open :memory:
.load @EXT@
SELECT a.rule_id, count(*), group_concat(DISTINCT m.tactic_id)
  FROM cloudtrail_detect('fixtures/demo', 'fixtures/detect/single.ndjson') AS a,
       mitre_tags(a.rule_id) AS m
 GROUP BY 1 ORDER BY 1;
SELECT '-- ... and, in a later connection that loaded nothing, by the stored alert''s threat column';
.shell rm -f dist/scratch/queue.db
.open dist/scratch/queue.db
.load @EXT@
CREATE TABLE alerts AS
  SELECT rule_id, threat FROM cloudtrail_detect('fixtures/demo', 'fixtures/detect/single.ndjson');
.open dist/scratch/queue.db
.load @EXT@
SELECT count(*) FROM mitre_tags('d0000001-0000-4000-8000-000000000001');
SELECT a.rule_id, count(*), group_concat(DISTINCT m.tactic_id)
  FROM alerts AS a, mitre_tags(a.threat) AS m GROUP BY 1 ORDER BY 1;
SELECT '-- threat JSON: one row per subtechnique, per technique without any, per bare tactic';
.headers on
SELECT * FROM mitre_tags('[{"framework":"MITRE ATT&CK",
  "tactic":{"id":"TA0004","name":"Privilege Escalation","reference":"https://attack.mitre.org/tactics/TA0004/"},
  "technique":[{"id":"T1098","name":"Account Manipulation","reference":"https://attack.mitre.org/techniques/T1098/",
                "subtechnique":[{"id":"T1098.001","name":"Additional Cloud Credentials","reference":"https://attack.mitre.org/techniques/T1098/001/"},
                                {"id":"T1098.003","name":"Additional Cloud Roles"}]},
               {"id":"T1078","name":"Valid Accounts"}]},
 {"framework":"MITRE ATT&CK","tactic":{"id":"TA0003","name":"Persist\u0065nce"}}]');
.headers off
SELECT '-- an empty array: no rows; leading whitespace is allowed';
SELECT count(*) FROM mitre_tags('[]'), mitre_tags('  [ ]');
SELECT '-- threat JSON that is not Kibana''s threat array: an error naming the offset';
SELECT * FROM mitre_tags('[{"tactic":');
SELECT * FROM mitre_tags('[1]');
SELECT * FROM mitre_tags('[{"framework":"MITRE ATT&CK"}]');
SELECT * FROM mitre_tags('[{"tactic":{"id":7}}]');
SELECT * FROM mitre_tags('[{"tactic":"TA0001"}]');
SELECT * FROM mitre_tags('[{"tactic":{"id":"TA0001"},"technique":{"id":"T1078"}}]');
SELECT * FROM mitre_tags('[{"tactic":{"id":"TA0001"},"technique":["T1078"]}]');
SELECT * FROM mitre_tags('[{"tactic":{"id":"TA0001"},"technique":[{"id":"T1078","subtechnique":[1]}]}]');
SELECT * FROM mitre_tags('[] []');
SELECT '-- innocuous: a stored view joining it works under trusted_schema=OFF';
.shell rm -f dist/scratch/mitre.db
.open dist/scratch/mitre.db
.load @EXT@
CREATE TABLE alerts(rule_id TEXT, threat TEXT);
INSERT INTO alerts VALUES ('x', '[{"tactic":{"id":"TA0040","name":"Impact"}}]');
CREATE VIEW alert_tactics AS SELECT a.rule_id, m.tactic_id, m.tactic_reference
  FROM alerts AS a, mitre_tags(a.threat) AS m;
.open dist/scratch/mitre.db
.load @EXT@
PRAGMA trusted_schema=OFF;
SELECT * FROM alert_tactics;
