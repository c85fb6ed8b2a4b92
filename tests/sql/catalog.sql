-- cloudtrail_rules(), mitre_tags([RULE]) and cloudtrail_value().
.mode line
SELECT * FROM cloudtrail_rules();
.mode list
.headers on
SELECT * FROM mitre_tags('ec2_console_login');
.headers off
SELECT '-- no argument: every mapping of every rule; unknown or NULL rule: none';
SELECT count(*) FROM mitre_tags();
SELECT count(*) FROM mitre_tags('nope');
SELECT count(*) FROM mitre_tags(NULL);
SELECT count(*) FROM mitre_tags() WHERE rule = 'ec2_console_login';
SELECT '-- JSON columns are valid JSON; every rule has a SQL function of its name';
SELECT json_valid(indices), json_array_length(tags), json_array_length("references"),
       json_extract(indices, '$[1]') FROM cloudtrail_rules();
SELECT rule, (SELECT count(*) FROM pragma_function_list WHERE name = rule) FROM cloudtrail_rules();
SELECT '-- the query is Elastic''s version-1 EQL text';
SELECT instr(query, 'stringContains (user.id, ":i-")') > 0, substr(query, 1, 9) FROM cloudtrail_rules();
SELECT '-- planner: the rule argument is passed to the table';
EXPLAIN QUERY PLAN SELECT * FROM mitre_tags('ec2_console_login');
SELECT '-- innocuous: usable from a stored view under trusted_schema=OFF (the file reader is not)';
.shell rm -f dist/scratch/catalog.db
.open dist/scratch/catalog.db
.load @EXT@
CREATE VIEW v AS SELECT count(*) AS n FROM mitre_tags() JOIN cloudtrail_rules() USING (rule);
CREATE VIEW files AS SELECT count(*) AS n FROM cloudtrail('fixtures/formats/array.json');
.open dist/scratch/catalog.db
.load @EXT@
PRAGMA trusted_schema=OFF;
SELECT n FROM v;
SELECT n FROM files;
.open :memory:
.load @EXT@
SELECT '-- cloudtrail_value(JSON, PATH): dotted, nested or mixed; strings decoded';
SELECT cloudtrail_value('{"a":{"b":"x\u003ay"}}', 'a.b'),
       cloudtrail_value('{"a.b":"flat"}', 'a.b'),
       cloudtrail_value('{"a":{"b.c":1.5}}', 'a.b.c'),
       cloudtrail_value('{"a":true}', 'a'),
       cloudtrail_value('{"a":[1,"x"]}', 'a'),
       quote(cloudtrail_value('{"a":null}', 'a')),
       quote(cloudtrail_value('{"a":1}', 'b')),
       quote(cloudtrail_value('[1]', 'a')),
       quote(cloudtrail_value('{"a":', 'a')),
       quote(cloudtrail_value(NULL, 'a'));
SELECT '-- first of duplicate keys, as json_extract()';
SELECT cloudtrail_value('{"a":"first","a":"second"}', 'a'),
       json_extract('{"a":"first","a":"second"}', '$.a');
