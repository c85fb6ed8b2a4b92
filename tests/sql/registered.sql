-- Everything the extension registers: functions (with their flags),
-- modules and collations, against a connection without it.  A new entry
-- point name must be added here, on purpose.
.mode list
.shell rm -f dist/scratch/builtins.db
.open dist/scratch/builtins.db
CREATE TABLE f AS SELECT DISTINCT name, narg FROM pragma_function_list;
CREATE TABLE m AS SELECT name FROM pragma_module_list;
CREATE TABLE c AS SELECT name FROM pragma_collation_list;
.open :memory:
.load @EXT@
ATTACH 'dist/scratch/builtins.db' AS b;
SELECT '-- functions: name, arguments, deterministic, innocuous, direct only';
SELECT DISTINCT name, narg, flags & 0x800 != 0, flags & 0x200000 != 0, flags & 0x80000 != 0
  FROM pragma_function_list
 WHERE (name, narg) NOT IN (SELECT name, narg FROM b.f) ORDER BY name, narg;
SELECT '-- modules';
SELECT name FROM pragma_module_list
 WHERE name NOT IN (SELECT name FROM b.m) AND name NOT LIKE 'pragma\_%' ESCAPE '\' ORDER BY name;
SELECT '-- collations';
SELECT name FROM pragma_collation_list WHERE name NOT IN (SELECT name FROM b.c) ORDER BY name;
SELECT '-- the same through sqlite3_cloudtrail_nofs_init: nothing that reads files';
.open :memory:
.load @EXT@ sqlite3_cloudtrail_nofs_init
ATTACH 'dist/scratch/builtins.db' AS b;
SELECT DISTINCT 'function', name FROM pragma_function_list
 WHERE (name, narg) NOT IN (SELECT name, narg FROM b.f)
UNION ALL SELECT 'module', name FROM pragma_module_list
 WHERE name NOT IN (SELECT name FROM b.m) AND name NOT LIKE 'pragma\_%' ESCAPE '\'
UNION ALL SELECT 'collation', name FROM pragma_collation_list WHERE name NOT IN (SELECT name FROM b.c)
ORDER BY 1, 2;
