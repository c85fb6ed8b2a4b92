-- The EQL parser (ct_eql.c) through cloudtrail_query_tree('eql', QUERY):
-- every operator and precedence level, every literal and escape, fields,
-- the functions, sequences, comments, and each error with its offset.
.mode list
SELECT '-- query forms';
SELECT cloudtrail_query_tree('eql', 'process where process.name == "svchost.exe"');
SELECT cloudtrail_query_tree('eql', 'any where true');
SELECT cloudtrail_query_tree('eql', '"my-event category" where true');
SELECT cloudtrail_query_tree('eql', '""".my.category""" where true');
SELECT cloudtrail_query_tree('eql', '_x where @timestamp > 0');
SELECT cloudtrail_query_tree('eql', NULL) IS NULL;

SELECT '-- precedence: or < and < not < comparison < + - < * / % < unary';
SELECT cloudtrail_query_tree('eql', 'any where a or b and c');
SELECT cloudtrail_query_tree('eql', 'any where (a or b) and c');
SELECT cloudtrail_query_tree('eql', 'any where a and b or c and d');
SELECT cloudtrail_query_tree('eql', 'any where a or b or c');
SELECT cloudtrail_query_tree('eql', 'any where not a == 1 and b');
SELECT cloudtrail_query_tree('eql', 'any where not not a');
SELECT cloudtrail_query_tree('eql', 'any where not (a or b)');
SELECT cloudtrail_query_tree('eql', 'any where a + b * c - d / e % f == 0');
SELECT cloudtrail_query_tree('eql', 'any where a - b - c == 0');
SELECT cloudtrail_query_tree('eql', 'any where (a + b) * c > 1');
SELECT cloudtrail_query_tree('eql', 'any where -a * b < 0');
SELECT cloudtrail_query_tree('eql', 'any where - -a == +b');
SELECT cloudtrail_query_tree('eql', 'any where x == -2');
SELECT cloudtrail_query_tree('eql', 'any where a + b in (1, 2)');
SELECT cloudtrail_query_tree('eql', 'any where a + 1 : "x"');

SELECT '-- comparisons';
SELECT cloudtrail_query_tree('eql', 'any where a == 1 and a != 2 and a < 3 and a <= 4 and a > 5 and a >= 6');
SELECT cloudtrail_query_tree('eql', 'any where a==b');
SELECT cloudtrail_query_tree('eql', 'any where length(a) >= 2 + 1');

SELECT '-- ":" is like~ (the docs: "The : operator is equivalent to like~")';
SELECT cloudtrail_query_tree('eql', 'any where event.action : "AddPermission*"');
SELECT cloudtrail_query_tree('eql', 'any where event.action : ("a*", "b?", "c")');

SELECT '-- lookups';
SELECT cloudtrail_query_tree('eql', 'any where x in ("a", "B", 3)');
SELECT cloudtrail_query_tree('eql', 'any where x in~ ("a")');
SELECT cloudtrail_query_tree('eql', 'any where x not in ("a", "b")');
SELECT cloudtrail_query_tree('eql', 'any where x not in~ ("a", "b")');
SELECT cloudtrail_query_tree('eql', 'any where not x in ("a", "b")');
SELECT cloudtrail_query_tree('eql', 'any where x in (y, 1 + 2, concat("a", "b"))');
SELECT cloudtrail_query_tree('eql', 'any where x in (a == 1)');

SELECT '-- patterns: like, like~, regex, regex~, one value or a list';
SELECT cloudtrail_query_tree('eql', 'any where x like "AKIA*"');
SELECT cloudtrail_query_tree('eql', 'any where x like ("A*", "B?")');
SELECT cloudtrail_query_tree('eql', 'any where x like~ "akia*"');
SELECT cloudtrail_query_tree('eql', 'any where x like~ ("a*", """b\*""")');
SELECT cloudtrail_query_tree('eql', 'any where x regex "arn:aws:s3:::[^/]+/.*"');
SELECT cloudtrail_query_tree('eql', 'any where x regex~ "arn:aws:s3:::[^/]+/.*?(how|decrypt).*"');
SELECT cloudtrail_query_tree('eql', 'any where x regex~ (".*a", "b.*")');
SELECT cloudtrail_query_tree('eql', 'any where not x regex ".*(AWSLogs|CloudTrail).*"');

SELECT '-- numbers';
SELECT cloudtrail_query_tree('eql', 'any where x in (0, 42, 9223372036854775807, 9223372036854775808)');
SELECT cloudtrail_query_tree('eql', 'any where x in (1.5, .5, 1., 1e3, 2.5E-3, 7e+2)');
SELECT cloudtrail_query_tree('eql', 'any where x in (true, false, null)');

SELECT '-- strings: the documented escapes, \u{X} (2-8 hex digits), raw strings';
SELECT cloudtrail_query_tree('eql', 'any where x == "a\nb\rc\td\\e\"f"');
SELECT cloudtrail_query_tree('eql', 'any where x == "\u{41}\u{e9}\u{200F}\u{0001F600}\u{00000041}"');
SELECT cloudtrail_query_tree('eql', 'any where x == "nul\u{00}in"');
SELECT cloudtrail_query_tree('eql', 'any where x == "Principal=\\*"');
SELECT cloudtrail_query_tree('eql', 'any where x == """raw \n \ " kept"""');
SELECT cloudtrail_query_tree('eql', 'any where x in ("", """""", """a"""", """b""""")');
SELECT cloudtrail_query_tree('eql', 'any where x == "a // not a comment /* nor this */"');
SELECT cloudtrail_query_tree('eql', 'any where x == "ünïcödé"');

SELECT '-- fields';
SELECT cloudtrail_query_tree('eql', 'any where aws.cloudtrail.user_identity.type == "Root"');
SELECT cloudtrail_query_tree('eql', 'any where `my-field` == 1 and `my field`.sub == 2 and `6x` == 3');
SELECT cloudtrail_query_tree('eql', 'any where `my``field` == 1 and a.`b-c`.d == 2');
SELECT cloudtrail_query_tree('eql', 'any where ?user.id != null and ?`x-y` == null');
SELECT cloudtrail_query_tree('eql', 'any where event.sequence > 1 and a.by == 2');

SELECT '-- functions: each of the reference, ~ where allowed';
SELECT cloudtrail_query_tree('eql', 'any where add(4, 0.5) == subtract(10, 2)');
SELECT cloudtrail_query_tree('eql', 'any where between(file.path, "System32\\", ".exe") == "cmd"');
SELECT cloudtrail_query_tree('eql', 'any where between~(file.path, "system32\\", ".exe", true) == "cmd"');
SELECT cloudtrail_query_tree('eql', 'any where cidrMatch(source.address, "10.0.0.0/8", "192.168.0.0/16")');
SELECT cloudtrail_query_tree('eql', 'any where concat(a) == concat("x", " ", 42, true)');
SELECT cloudtrail_query_tree('eql', 'any where divide(4, 3.0) == modulo(10, 6)');
SELECT cloudtrail_query_tree('eql', 'any where endsWith(a, ".exe") and endsWith~(a, ".EXE")');
SELECT cloudtrail_query_tree('eql', 'any where indexOf(a, "d") == indexOf~(a, ".", 9)');
SELECT cloudtrail_query_tree('eql', 'any where length(a) == multiply(2, 3)');
SELECT cloudtrail_query_tree('eql', 'any where number("1337") == number("ff", 16)');
SELECT cloudtrail_query_tree('eql', 'any where startsWith(a, "ASIA") and startsWith~(a, "asia")');
SELECT cloudtrail_query_tree('eql', 'any where string(42) == substring("start x", 6) and substring(a, 0, 5) == "start"');
SELECT cloudtrail_query_tree('eql', 'any where stringContains(aws.cloudtrail.request_parameters, aws.cloudtrail.recipient_account_id)');
SELECT cloudtrail_query_tree('eql', 'any where stringContains~(a, "X") and STRINGCONTAINS (a, "y")');
SELECT cloudtrail_query_tree('eql', 'any where length(concat(substring(a, 1), string(add(1, 2)))) > 0');

SELECT '-- comments are whitespace (/* */ nests)';
SELECT cloudtrail_query_tree('eql', 'any /* c */ where // line
  a == /* one /* two */ still */ 1 // end');
SELECT cloudtrail_query_tree('eql', '/* lead */ any where true /* trail */');

SELECT '-- keywords are lower case only: AND is a name';
SELECT cloudtrail_query_tree('eql', 'any where AND == 1');

SELECT '-- sequences';
SELECT cloudtrail_query_tree('eql', 'sequence [file where true] [process where true]');
SELECT cloudtrail_query_tree('eql', 'sequence by a with maxspan=15m
  [any where x like "AKIA*"]
  [any where y : ("a", "b")]');
SELECT cloudtrail_query_tree('eql', 'sequence by user.name, ?process.entity_id [a where true] by f.path [b where true] by p.exe until [c where x == 1] by q');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=30s [a where true] by k [b where true] by k with runs=3');
SELECT cloudtrail_query_tree('eql', 'sequence [a where true] with runs=2');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=250ms [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan = 2 h [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=1d [a where true] [b where true] until [c where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=5s [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence by `a-b` ["my cat" where true] [any where true]');

SELECT '-- errors: lexical';
SELECT cloudtrail_query_tree('eql', 'any where x == "abc');
SELECT cloudtrail_query_tree('eql', 'any where x == "ab
c"');
SELECT cloudtrail_query_tree('eql', 'any where x == """abc');
SELECT cloudtrail_query_tree('eql', 'any where x == """ab
c"""');
SELECT cloudtrail_query_tree('eql', 'any where /* open /* nested */ true');
SELECT cloudtrail_query_tree('eql', 'any where `abc == 1');
SELECT cloudtrail_query_tree('eql', 'any where `` == 1');
SELECT cloudtrail_query_tree('eql', 'any where x == ''single''');
SELECT cloudtrail_query_tree('eql', 'any where x == ?"raw"');
SELECT cloudtrail_query_tree('eql', 'any where x == "\x41"');
SELECT cloudtrail_query_tree('eql', 'any where x == "\''"');
SELECT cloudtrail_query_tree('eql', 'any where x == "\u0041"');
SELECT cloudtrail_query_tree('eql', 'any where x == "\u{4}"');
SELECT cloudtrail_query_tree('eql', 'any where x == "\u{000000041}"');
SELECT cloudtrail_query_tree('eql', 'any where x == "\u{d800}"');
SELECT cloudtrail_query_tree('eql', 'any where x == "\u{110000}"');
SELECT cloudtrail_query_tree('eql', 'any where x == "\u{41"');
SELECT cloudtrail_query_tree('eql', 'any where x == 1 & y');
SELECT cloudtrail_query_tree('eql', 'any where x == é');
SELECT cloudtrail_query_tree('eql', 'any where x == 1e999');
SELECT cloudtrail_query_tree('eql', '"a\u{00}b" where true');

SELECT '-- errors: syntax';
SELECT cloudtrail_query_tree('eql', '');
SELECT cloudtrail_query_tree('eql', '   ');
SELECT cloudtrail_query_tree('eql', 'process');
SELECT cloudtrail_query_tree('eql', 'process x == 1');
SELECT cloudtrail_query_tree('eql', 'where x == 1');
SELECT cloudtrail_query_tree('eql', '`p` where true');
SELECT cloudtrail_query_tree('eql', 'any where');
SELECT cloudtrail_query_tree('eql', 'any where x == 1 AND y == 2');
SELECT cloudtrail_query_tree('eql', 'any where x = 1');
SELECT cloudtrail_query_tree('eql', 'any where a < b <= c');
SELECT cloudtrail_query_tree('eql', 'any where a == b in ("x")');
SELECT cloudtrail_query_tree('eql', 'any where (a == 1');
SELECT cloudtrail_query_tree('eql', 'any where a == 1)');
SELECT cloudtrail_query_tree('eql', 'any where a. == 1');
SELECT cloudtrail_query_tree('eql', 'any where ? == 1');
SELECT cloudtrail_query_tree('eql', 'any where in == 1');
SELECT cloudtrail_query_tree('eql', 'any where x in ()');
SELECT cloudtrail_query_tree('eql', 'any where x in "a"');
SELECT cloudtrail_query_tree('eql', 'any where x in ("a" "b")');
SELECT cloudtrail_query_tree('eql', 'any where x not like "a"');
SELECT cloudtrail_query_tree('eql', 'any where x like y');
SELECT cloudtrail_query_tree('eql', 'any where x : 1');
SELECT cloudtrail_query_tree('eql', 'any where x regex ("a", 2)');
SELECT cloudtrail_query_tree('eql', 'any where x like ()');
SELECT cloudtrail_query_tree('eql', 'any where x~ == 1');
SELECT cloudtrail_query_tree('eql', 'any where x == 1 |');

SELECT '-- errors: functions';
SELECT cloudtrail_query_tree('eql', 'any where wildcard(x, "a*")');
SELECT cloudtrail_query_tree('eql', 'any where arrayContains(x, "a")');
SELECT cloudtrail_query_tree('eql', 'any where add(1)');
SELECT cloudtrail_query_tree('eql', 'any where add(1, 2, 3)');
SELECT cloudtrail_query_tree('eql', 'any where between(a, "b")');
SELECT cloudtrail_query_tree('eql', 'any where cidrMatch(a)');
SELECT cloudtrail_query_tree('eql', 'any where concat()');
SELECT cloudtrail_query_tree('eql', 'any where length()');
SELECT cloudtrail_query_tree('eql', 'any where substring(a, 1, 2, 3)');
SELECT cloudtrail_query_tree('eql', 'any where add~(1, 2)');
SELECT cloudtrail_query_tree('eql', 'any where length~(a) == 1');
SELECT cloudtrail_query_tree('eql', 'any where stringContains(a, "b"');
SELECT cloudtrail_query_tree('eql', 'any where stringContains(a "b")');

SELECT '-- errors: not supported';
SELECT cloudtrail_query_tree('eql', 'any where true | head 5');
SELECT cloudtrail_query_tree('eql', 'process where true | tail 10 | head 1');
SELECT cloudtrail_query_tree('eql', 'sample by host [file where true] [process where true]');
SELECT cloudtrail_query_tree('eql', 'join [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=1h [a where true] ![b where true]');
SELECT cloudtrail_query_tree('eql', 'process where descendant of [process where true]');

SELECT '-- errors: sequences';
SELECT cloudtrail_query_tree('eql', 'sequence [a where true]');
SELECT cloudtrail_query_tree('eql', 'sequence');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=1m by a [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=15 [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=15w [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=0s [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=1.5m [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan=9223372036854775807d [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with maxspan 5m [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence with runs=2 [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence [a where true] with runs=0 [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence [a where true] with runs=101 [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence [a where true] [b where true] until [c where true] with runs=2');
SELECT cloudtrail_query_tree('eql', 'sequence [a where true] by x [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence [a where true] by x [b where true] by y until [c where true]');
SELECT cloudtrail_query_tree('eql', 'sequence by length(x) [a where true] [b where true]');
SELECT cloudtrail_query_tree('eql', 'sequence [a where true] [b where true');
SELECT cloudtrail_query_tree('eql', 'sequence [a where true] [b where true] until');
SELECT cloudtrail_query_tree('eql', 'sequence [a where true] [b where true] [c]');

SELECT '-- errors: hostile nesting fails cleanly at the bound (200)';
SELECT cloudtrail_query_tree('eql', 'any where ' || replace(hex(zeroblob(199)), '00', '(') || 'a' || replace(hex(zeroblob(199)), '00', ')'));
SELECT cloudtrail_query_tree('eql', 'any where ' || replace(hex(zeroblob(100000)), '00', '(') || 'a');
SELECT cloudtrail_query_tree('eql', 'any where ' || replace(hex(zeroblob(5000)), '00', 'not ') || 'a');
SELECT cloudtrail_query_tree('eql', 'any where ' || replace(hex(zeroblob(5000)), '00', '-') || 'a');
SELECT cloudtrail_query_tree('eql', 'any where a' || replace(hex(zeroblob(5000)), '00', ' or a'));
SELECT cloudtrail_query_tree('eql', 'any where a' || replace(hex(zeroblob(5000)), '00', ' + a') || ' == 1');
SELECT cloudtrail_query_tree('eql', 'any where ' || replace(hex(zeroblob(5000)), '00', 'length(') || 'a');
SELECT length(cloudtrail_query_tree('eql', 'any where a' || replace(hex(zeroblob(150)), '00', ' or a')));
SELECT length(cloudtrail_query_tree('eql', 'any where x in (' || replace(hex(zeroblob(5000)), '00', '1, ') || '1)'));
