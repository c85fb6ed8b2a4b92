-- sqlite3_cloudtrail_nofs_init: only what does not touch the filesystem.
.mode list
.open :memory:
.load @EXT@ sqlite3_cloudtrail_nofs_init
SELECT ec2_console_login('{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","userIdentity":{"type":"AssumedRole","principalId":"A:i-1"},"responseElements":{"ConsoleLogin":"Success"}}');
SELECT cloudtrail_value('{"a":{"b":"c"}}', 'a.b'), cloudtrail_version() IS NOT NULL;
SELECT count(*) FROM cloudtrail_rules();
SELECT count(*) FROM mitre_tags('ec2_console_login');
SELECT '-- the file readers are not there';
SELECT count(*) FROM cloudtrail('fixtures/formats/array.json');
SELECT count(*) FROM cloudtrail_files('fixtures');
CREATE VIRTUAL TABLE t USING cloudtrail('fixtures');
