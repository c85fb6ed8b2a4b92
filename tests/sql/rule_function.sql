-- ec2_console_login(json): every EQL clause with a positive and a negative
-- case, for raw records (mapped to ECS by Elastic's pipeline), Elastic
-- documents (nested, dotted, mixed, arrays, hits) and EventBridge envelopes.
-- Each row prints: case | result | expected.
.mode list
CREATE TEMP TABLE base(raw);
INSERT INTO base VALUES ('{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEWEBROLE01:i-0a1b2c3d4e5f60718","arn":"arn:aws:sts::111122223333:assumed-role/demo-web-role/i-0a1b2c3d4e5f60718"},"eventTime":"2026-11-20T09:13:05Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"},"eventType":"AwsConsoleSignIn"}');
CREATE TEMP TABLE ecs(doc);
INSERT INTO ecs VALUES ('{"@timestamp":"2026-11-20T09:13:05Z","event":{"dataset":"aws.cloudtrail","provider":"signin.amazonaws.com","action":"ConsoleLogin","outcome":"success"},"aws":{"cloudtrail":{"user_identity":{"type":"AssumedRole"}}},"user":{"id":"AROAEXAMPLEWEBROLE01:i-0a1b2c3d4e5f60718"}}');
CREATE TEMP TABLE cases(name, json, expected);
INSERT INTO cases SELECT 'raw: positive ConsoleLogin', raw, 1 FROM base;
INSERT INTO cases SELECT 'raw: positive GetSigninToken', json_remove(json_set(raw, '$.eventName', 'GetSigninToken'), '$.responseElements'), 1 FROM base;
INSERT INTO cases SELECT 'provider: case variant', json_set(raw, '$.eventSource', 'Signin.amazonaws.com'), 0 FROM base;
INSERT INTO cases SELECT 'provider: other service', json_set(raw, '$.eventSource', 'sts.amazonaws.com'), 0 FROM base;
INSERT INTO cases SELECT 'provider: missing', json_remove(raw, '$.eventSource'), 0 FROM base;
INSERT INTO cases SELECT 'provider: escaped \u002e', replace(raw, '"signin.amazonaws.com"', '"signin\u002eamazonaws.com"'), 1 FROM base;
INSERT INTO cases SELECT 'action: case variant', json_set(raw, '$.eventName', 'consolelogin'), 0 FROM base;
INSERT INTO cases SELECT 'action: other sign-in event', json_set(raw, '$.eventName', 'CheckMfa'), 0 FROM base;
INSERT INTO cases SELECT 'action: escaped \u0043', replace(raw, '"ConsoleLogin","resp', '"\u0043onsoleLogin","resp'), 1 FROM base;
INSERT INTO cases SELECT 'action: not a string', json_set(raw, '$.eventName', 7), 0 FROM base;
INSERT INTO cases SELECT 'type: case variant', json_set(raw, '$.userIdentity.type', 'assumedRole'), 0 FROM base;
INSERT INTO cases SELECT 'type: IAMUser', json_set(raw, '$.userIdentity.type', 'IAMUser'), 0 FROM base;
INSERT INTO cases SELECT 'type: null', json_set(raw, '$.userIdentity.type', json('null')), 0 FROM base;
INSERT INTO cases SELECT 'type: missing userIdentity', json_remove(raw, '$.userIdentity'), 0 FROM base;
INSERT INTO cases SELECT 'user id: e-mail session name', json_set(raw, '$.userIdentity.principalId', 'AROAEXAMPLESSO000001:jane@example.com'), 0 FROM base;
INSERT INTO cases SELECT 'user id: upper-case :I-', json_set(raw, '$.userIdentity.principalId', 'AROAEXAMPLEWEBROLE01:I-0a1b'), 0 FROM base;
INSERT INTO cases SELECT 'user id: i- without colon', json_set(raw, '$.userIdentity.principalId', 'AROAEXAMPLEWEBROLE01/i-0a1b'), 0 FROM base;
INSERT INTO cases SELECT 'user id: escaped \u003a', replace(raw, 'ROLE01:i-', 'ROLE01\u003ai-'), 1 FROM base;
INSERT INTO cases SELECT 'user id: not a string', json_set(raw, '$.userIdentity.principalId', 12345), 0 FROM base;
INSERT INTO cases SELECT 'user id: null', json_set(raw, '$.userIdentity.principalId', json('null')), 0 FROM base;
INSERT INTO cases SELECT 'outcome: ConsoleLogin Failure, no error field', json_set(raw, '$.responseElements.ConsoleLogin', 'Failure'), 0 FROM base;
INSERT INTO cases SELECT 'outcome: ConsoleLogin SUCCESS is lower-cased', json_set(raw, '$.responseElements.ConsoleLogin', 'SUCCESS'), 1 FROM base;
INSERT INTO cases SELECT 'outcome: ConsoleLogin Success overrides errorCode', json_set(raw, '$.errorCode', 'x'), 1 FROM base;
INSERT INTO cases SELECT 'outcome: ConsoleLogin non-string, errorCode', json_set(raw, '$.responseElements.ConsoleLogin', 1, '$.errorCode', 'x'), 0 FROM base;
INSERT INTO cases SELECT 'outcome: ConsoleLogin non-string, no error', json_set(raw, '$.responseElements.ConsoleLogin', 1), 1 FROM base;
INSERT INTO cases SELECT 'outcome: GetSigninToken with errorCode', json_set(raw, '$.eventName', 'GetSigninToken', '$.errorCode', 'AccessDenied'), 0 FROM base;
INSERT INTO cases SELECT 'outcome: GetSigninToken with errorMessage', json_set(raw, '$.eventName', 'GetSigninToken', '$.errorMessage', 'denied'), 0 FROM base;
INSERT INTO cases SELECT 'outcome: GetSigninToken, empty errorCode', json_set(raw, '$.eventName', 'GetSigninToken', '$.errorCode', ''), 1 FROM base;
INSERT INTO cases SELECT 'outcome: GetSigninToken, null errorMessage', json_set(raw, '$.eventName', 'GetSigninToken', '$.errorMessage', json('null')), 1 FROM base;
INSERT INTO cases SELECT 'outcome: GetSigninToken ignores responseElements', json_set(raw, '$.eventName', 'GetSigninToken', '$.responseElements.ConsoleLogin', 'Failure'), 1 FROM base;
INSERT INTO cases SELECT 'decoy: fields only inside requestParameters', json_set(json_set(raw, '$.eventSource', 'ec2.amazonaws.com', '$.eventName', 'CreateTags'), '$.requestParameters', json(raw)), 0 FROM base;
INSERT INTO cases VALUES ('duplicate key: Elasticsearch refuses the record', '{"eventSource":"ec2.amazonaws.com","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","userIdentity":{"type":"AssumedRole","principalId":"A:i-1"},"responseElements":{"ConsoleLogin":"Success"}}', 0);
INSERT INTO cases SELECT 'duplicate key: deep inside a matching record, refused', replace(raw, '"eventType"', '"requestParameters":{"a":1,"a":2},"eventType"'), 0 FROM base;
INSERT INTO cases SELECT 'user id: 1024 characters (ignore_above)', json_set(raw, '$.userIdentity.principalId', 'AROAX:i-' || substr(replace(hex(zeroblob(600)), '0', 'a'), 1, 1016)), 1 FROM base;
INSERT INTO cases SELECT 'user id: 1025 characters, not indexed', json_set(raw, '$.userIdentity.principalId', 'AROAX:i-' || substr(replace(hex(zeroblob(600)), '0', 'a'), 1, 1017)), 0 FROM base;
INSERT INTO cases SELECT 'envelope: detail matches', json_object('version', '0', 'detail-type', 'AWS Console Sign In via CloudTrail', 'source', 'aws.signin', 'detail', json(raw)), 1 FROM base;
INSERT INTO cases SELECT 'envelope: detail does not', json_object('detail-type', 'AWS Console Sign In via CloudTrail', 'detail', json_set(raw, '$.eventName', 'CheckMfa')), 0 FROM base;
INSERT INTO cases SELECT 'lookup-events item', json_object('EventId', 'x', 'CloudTrailEvent', raw), 1 FROM base;
INSERT INTO cases VALUES ('regression: lookup item spelling the provider with \u, once escaped again', '{"CloudTrailEvent":"{\"eventSource\":\"\\u0073ignin.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\":i-\"}}"}', 1);
INSERT INTO cases SELECT 'ecs: nested', doc, 1 FROM ecs;
INSERT INTO cases VALUES ('ecs: dotted keys', '{"event.dataset":"aws.cloudtrail","event.provider":"signin.amazonaws.com","event.action":"GetSigninToken","event.outcome":"success","aws.cloudtrail.user_identity.type":"AssumedRole","user.id":"AROAX:i-1"}', 1);
INSERT INTO cases VALUES ('ecs: mixed', '{"event":{"dataset":"aws.cloudtrail","provider":"signin.amazonaws.com"},"event.action":"ConsoleLogin","event.outcome":"success","aws":{"cloudtrail.user_identity":{"type":"AssumedRole"}},"user.id":"AROAX:i-1"}', 1);
INSERT INTO cases SELECT 'ecs: search hit', json_object('_index', 'logs-aws.cloudtrail-default', '_id', '1', '_source', json(doc)), 1 FROM ecs;
INSERT INTO cases SELECT 'ecs: missing dataset', json_remove(doc, '$.event.dataset'), 0 FROM ecs;
INSERT INTO cases SELECT 'ecs: data_stream.dataset instead', json_set(json_remove(doc, '$.event.dataset'), '$.data_stream', json('{"dataset":"aws.cloudtrail"}')), 1 FROM ecs;
INSERT INTO cases SELECT 'ecs: other dataset', json_set(doc, '$.event.dataset', 'aws.guardduty'), 0 FROM ecs;
INSERT INTO cases SELECT 'ecs: outcome failure', json_set(doc, '$.event.outcome', 'failure'), 0 FROM ecs;
INSERT INTO cases SELECT 'ecs: outcome Success (case)', json_set(doc, '$.event.outcome', 'Success'), 0 FROM ecs;
INSERT INTO cases SELECT 'ecs: provider case variant', json_set(doc, '$.event.provider', 'SIGNIN.amazonaws.com'), 0 FROM ecs;
INSERT INTO cases SELECT 'ecs: action in an array', json_set(doc, '$.event.action', json('["ConsoleLogin"]')), 1 FROM ecs;
INSERT INTO cases SELECT 'ecs: user.id array, one element matches', json_set(doc, '$.user.id', json('["other","AROAX:i-1"]')), 1 FROM ecs;
INSERT INTO cases SELECT 'ecs: user.id array, none matches', json_set(doc, '$.user.id', json('["other","AROAX:x-1"]')), 0 FROM ecs;
INSERT INTO cases SELECT 'ecs: user.id not a string', json_set(doc, '$.user.id', 7), 0 FROM ecs;
INSERT INTO cases SELECT 'ecs: user.id of 1025 characters, not indexed', json_set(doc, '$.user.id', 'AROAX:i-' || substr(replace(hex(zeroblob(600)), '0', 'a'), 1, 1017)), 0 FROM ecs;
INSERT INTO cases SELECT 'ecs: type IAMUser', json_set(doc, '$.aws.cloudtrail.user_identity.type', 'IAMUser'), 0 FROM ecs;
INSERT INTO cases VALUES ('digest file', '{"digestStartTime":"2026-11-20T09:00:00Z","logFiles":[]}', 0);
INSERT INTO cases VALUES ('not an object: array', '[{"eventName":"ConsoleLogin"}]', NULL);
INSERT INTO cases VALUES ('not an object: invalid JSON', '{"eventName":', NULL);
INSERT INTO cases VALUES ('not an object: text', 'ConsoleLogin', NULL);
INSERT INTO cases VALUES ('not an object: empty', '', NULL);
INSERT INTO cases VALUES ('not an object: number', 42, NULL);
INSERT INTO cases VALUES ('not an object: NULL', NULL, NULL);
INSERT INTO cases SELECT 'blob holding the JSON', CAST(raw AS BLOB), 1 FROM base;
SELECT name, quote(ec2_console_login(json)), quote(expected) FROM cases ORDER BY rowid;
SELECT 'mismatches: ' || count(*) FROM cases WHERE ec2_console_login(json) IS NOT expected;
SELECT '-- flags: deterministic and innocuous';
SELECT DISTINCT name, flags & 0x800 != 0 AS deterministic, flags & 0x200000 != 0 AS innocuous
  FROM pragma_function_list
 WHERE name IN ('ec2_console_login', 'cloudtrail_version') ORDER BY name;
SELECT '-- the raw column''s subtype skips re-validation: same answers as plain text';
SELECT count(*) > 100, sum(ec2_console_login(raw) IS ec2_console_login(CAST(raw AS BLOB))),
       sum(ec2_console_login(raw))
  FROM cloudtrail('fixtures', 'errors=skip, quiet=1');
