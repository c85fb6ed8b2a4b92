-- The KQL parser (ext/ct_kql.c, docs/kql.md): cloudtrail_query_tree('kql', Q)
-- prints the tree the evaluator gets.  Each case prints the query (tab, LF,
-- CR, U+00A0 and U+3000 shown as <TAB> etc.), then its tree indented;
-- errors follow, one statement each.  In the printed tree a value is a
-- quoted string with '"' and '\' escaped ("a\\*" is the three bytes a\*)
-- and control bytes as \xHH.
.mode list
CREATE TEMP TABLE q(k INTEGER PRIMARY KEY, sect TEXT, q TEXT);
CREATE TEMP VIEW t AS
  SELECT k, sect, replace(replace(replace(replace(replace(q, char(9), '<TAB>'), char(10), '<LF>'),
                  char(13), '<CR>'), char(160), '<NBSP>'), char(12288), '<U+3000>')
                  || char(10) || '    ' || cloudtrail_query_tree('kql', q) AS out FROM q;

INSERT INTO q(sect, q) VALUES
-- operators and precedence: or < and < not, left-associative, parentheses
('ops', 'a: 1 or b: 2'),
('ops', 'a: 1 and b: 2'),
('ops', 'not a: 1'),
('ops', 'a: 1 or b: 2 and c: 3'),
('ops', 'a: 1 and b: 2 or c: 3'),
('ops', 'a: 1 or b: 2 or c: 3'),
('ops', 'a: 1 and b: 2 and c: 3'),
('ops', '(a: 1 or b: 2) and c: 3'),
('ops', 'not a: 1 and b: 2'),
('ops', 'not (a: 1 and b: 2)'),
('ops', 'a: 1 and not b: 2 or not c: 3'),
('ops', 'not (not a: 1)'),
('ops', '((a: 1))'),
('ops', '( a: 1 or ( b: 2 and c: 3 ) )'),
-- keywords in any case; whitespace is space, tab, CR, LF and U+00A0
('case', 'a: 1 OR b: 2 And NOT c: 3'),
('case', 'a: 1 oR b: 2 aNd nOt c: 3'),
('case', 'a: 1' || char(9) || 'or' || char(10) || 'b: 2' || char(13) || 'and' || char(160) || 'c: 3'),
('case', '  a: 1  ' || char(10)),
-- no operator without whitespace on both sides: these are values
('case', 'a: 1 or'),
('case', 'a or not'),
('case', 'a: b and or c'),
('case', 'a: x-or-y'),
('case', 'a: orange and andrew'),
-- field: value
('value', 'event.action: GetObject'),
('value', 'event.action:GetObject'),
('value', 'event.action :  GetObject  '),
('value', 'f: foo bar  baz'),
('value', 'f: "foo bar"'),
('value', 'f: ""'),
('value', 'f: 42'),
('value', 'f: -1.5'),
('value', 'f: true'),
('value', 'f: false'),
('value', 'f: null'),
('value', 'field: (false or "false")'),
('value', 'f: 2024-01-01T00\:00\:00Z'),
('value', 'f: a/b.c@d_e-f+g=h,i;j!k#l$m%n&o|p~q^r[s]t?u''v'),
('value', 'f: é日本'),
-- field names: dotted, @, -, wildcards, escapes, quoted
('field', '@timestamp: x'),
('field', 'aws.cloudtrail.user-identity.arn: x'),
('field', 'user.*: x'),
('field', 'a\:b: x'),
('field', 'a\u0062\*: x'),
('field', '"quoted field": x'),
('field', '"a.b" < 3'),
('field', 'foo bar: x'),
-- value lists: expanded over the field
('list', 'a: (x or "y")'),
('list', 'f: (a or b and not c)'),
('list', 'f: ((a or b) and not c)'),
('list', 'f: (not a)'),
('list', 'f: (not (a or b))'),
('list', 'f: ( a )'),
('list', 'f: (a and not)'),
('list', 'f: (a b or c d)'),
('list', 'aws.cloudtrail.flattened.request_parameters.fromPort: (21 or 22)'),
('list', 'user.name:(system\:serviceaccount\:* and not system\:serviceaccount\:kube-system\:aws-load-balancer-controller)'),
('list', 'source.as.organization.name:(* and not (Amazon* or AMAZON*))'),
('list', 'event.action: (Put* or Delete* or "Create*")'),
-- exists and match-all
('exists', 'f: *'),
('exists', 'f:*'),
('exists', 'f: ( * )'),
('exists', 'user.*: *'),
('exists', 'f: "*"'),
('exists', 'f: \*'),
('exists', 'f: **'),
('exists', '*'),
('exists', '*:*'),
('exists', '* : *'),
('exists', '*: (* or x)'),
('exists', '*: x'),
('exists', '"*": *'),
('exists', ''),
('exists', '   '),
-- ranges
('range', 'f < 5'),
('range', 'f <= 5'),
('range', 'f > 5'),
('range', 'f >= 5'),
('range', 'f>=5'),
('range', 'f >= "2024-01-01"'),
('range', 'f < 5 and g > 1 or h <= 0'),
('range', 'f < a b'),
('range', 'f < 5*'),
('range', 'f < \*'),
('range', 'not f >= 10'),
-- nested {}
('nested', 'f: { g: x }'),
('nested', 'f:{g:x and h: (1 or 2)}'),
('nested', 'a: { b: { c: x } } and d: y'),
('nested', 'not f: { g < 5 }'),
('nested', 'f: { (g: x or h: y) }'),
-- free values (no field)
('free', 'foo'),
('free', 'foo bar'),
('free', '"foo"'),
('free', '"foo bar" or baz'),
('free', 'fo*o'),
('free', '(a or b)'),
('free', 'not foo'),
('free', 'a\:b'),
-- wildcards: an unescaped * makes a pattern where \ escapes the next byte
('wild', 'related.entity: arn\:aws\:iam\:\:aws\:policy*'),
('wild', 'aws.cloudtrail.request_parameters: *includeManagementEvents*false*'),
('wild', 'f: a\*b*'),
('wild', 'f: a\\b*'),
('wild', 'f: a\*b'),
('wild', 'f: a\\b'),
('wild', 'f: \u002a*'),
('wild', 'f: \u005c*'),
('wild', 'f: "a*b"'),
('wild', 'f: * x *'),
-- escapes in unquoted literals (Kibana: \t \r \n, a special character, \uXXXX, a keyword)
('esc', 'f: a\\b'),
('esc', 'f: \(a\)'),
('esc', 'f: a\:b'),
('esc', 'f: \<a\>'),
('esc', 'f: \"a\"'),
('esc', 'f: \{a\}'),
('esc', 'f: a\tb\rc\nd'),
('esc', 'f: \u0041\u00e9\u65e5'),
('esc', 'f: \ud83d\ude00'),
('esc', 'f: \u0000x'),
('esc', 'f: a \or b'),
('esc', 'f: a \and b'),
('esc', 'f: a \AND b \OR c'),
('esc', 'f: a \NOT b'),
('esc', 'f: a \not b'),
('esc', 'f: \order'),
-- an unquoted literal is trimmed (JavaScript's trim: escaped whitespace too)
('trim', 'f: \t a b \n'),
('trim', 'f: x' || char(12288)),
('trim', 'f: ' || char(160) || 'x' || char(160) || 'y' || char(160, 160)),
('trim', 'f: (  a  or  b  )'),
-- quoted strings: \t \r \n \uXXXX \\ \" decoded, any other \ is itself, * is literal
('quoted', 'f: "a\"b"'),
('quoted', 'f: "a\\b"'),
('quoted', 'f: "a\tb\nc\rd"'),
('quoted', 'f: "\u0041\ud83d\ude00"'),
('quoted', 'f: "a\*b\:c\q"'),
('quoted', 'f: "a\u12"'),
('quoted', 'f: "  padded  "'),
('quoted', 'f: "a' || char(10) || 'b"'),
('quoted', 'f: "(a or b) and not c: d"'),
('quoted', 'f: "a" or g: "b"');

SELECT '-- ' || sect || char(10) || group_concat(out, char(10)) FROM t GROUP BY sect ORDER BY min(k);

SELECT '-- a long or-chain and deep groups that are within the limits';
SELECT length(cloudtrail_query_tree('kql', 'a' || replace(hex(zeroblob(1999)), '00', ' or a')));
SELECT cloudtrail_query_tree('kql', replace(hex(zeroblob(200)), '00', '(') || 'a' || replace(hex(zeroblob(200)), '00', ')'));
SELECT length(cloudtrail_query_tree('kql', replace(hex(zeroblob(199)), '00', 'f:{') || 'f:x' || replace(hex(zeroblob(199)), '00', '}')));

SELECT '-- errors: syntax';
SELECT cloudtrail_query_tree('kql', 'a:');
SELECT cloudtrail_query_tree('kql', 'a: ');
SELECT cloudtrail_query_tree('kql', 'a: )');
SELECT cloudtrail_query_tree('kql', 'a: not b');
SELECT cloudtrail_query_tree('kql', 'a < ');
SELECT cloudtrail_query_tree('kql', 'a <= (1)');
SELECT cloudtrail_query_tree('kql', 'a >= ');
SELECT cloudtrail_query_tree('kql', 'a > ');
SELECT cloudtrail_query_tree('kql', ': x');
SELECT cloudtrail_query_tree('kql', '< 5');
SELECT cloudtrail_query_tree('kql', 'a and : x');
SELECT cloudtrail_query_tree('kql', '{a: b}');
SELECT cloudtrail_query_tree('kql', 'a)');
SELECT cloudtrail_query_tree('kql', ')');
SELECT cloudtrail_query_tree('kql', 'f: (a))');
SELECT cloudtrail_query_tree('kql', 'a }');
SELECT cloudtrail_query_tree('kql', '(a');
SELECT cloudtrail_query_tree('kql', '(a or (b)');
SELECT cloudtrail_query_tree('kql', 'f: (a or b');
SELECT cloudtrail_query_tree('kql', 'f: { g: x');
SELECT cloudtrail_query_tree('kql', '()');
SELECT cloudtrail_query_tree('kql', 'f: ()');
SELECT cloudtrail_query_tree('kql', 'f: {}');
SELECT cloudtrail_query_tree('kql', 'f: (a or )');
SELECT cloudtrail_query_tree('kql', 'f: (a b: c)');
SELECT cloudtrail_query_tree('kql', 'f: { g: x )');
SELECT cloudtrail_query_tree('kql', '(a: b }');
SELECT cloudtrail_query_tree('kql', 'a and )');
SELECT cloudtrail_query_tree('kql', '(a or )');
SELECT cloudtrail_query_tree('kql', 'not ');
SELECT cloudtrail_query_tree('kql', 'not not a');
SELECT cloudtrail_query_tree('kql', 'f: (not not a)');
SELECT cloudtrail_query_tree('kql', 'a: b c: d');
SELECT cloudtrail_query_tree('kql', 'a: "b" c');
SELECT cloudtrail_query_tree('kql', 'a: b not c');
SELECT cloudtrail_query_tree('kql', 'a: cannot c');
SELECT cloudtrail_query_tree('kql', 'a: b (c)');
SELECT cloudtrail_query_tree('kql', '(a)or(b)');
SELECT cloudtrail_query_tree('kql', 'not(a)');
SELECT cloudtrail_query_tree('kql', 'a: "b"*');
SELECT cloudtrail_query_tree('kql', 'a: b:c');
SELECT cloudtrail_query_tree('kql', 'f: 2024-01-01T00:00:00Z');
SELECT cloudtrail_query_tree('kql', 'a < b < c');
SELECT '-- errors: quoted strings and escapes';
SELECT cloudtrail_query_tree('kql', 'a: "b');
SELECT cloudtrail_query_tree('kql', 'a: "b\"');
SELECT cloudtrail_query_tree('kql', '"a: b');
SELECT cloudtrail_query_tree('kql', 'a: b\');
SELECT cloudtrail_query_tree('kql', 'a: b\ c');
SELECT cloudtrail_query_tree('kql', 'a: b\q');
SELECT cloudtrail_query_tree('kql', 'a: b\' || char(1));
SELECT cloudtrail_query_tree('kql', 'a: \u12g4');
SELECT cloudtrail_query_tree('kql', 'a: \U0041');
SELECT cloudtrail_query_tree('kql', 'a: \ud83d');
SELECT cloudtrail_query_tree('kql', 'a: \ude00\ud83d');
SELECT cloudtrail_query_tree('kql', 'a: "\ud83dx"');
SELECT cloudtrail_query_tree('kql', '\u0000: x');
SELECT '-- errors: limits (201 groups, a 2001-operand chain, 201 nested {}, 100000 groups)';
SELECT cloudtrail_query_tree('kql', replace(hex(zeroblob(201)), '00', '(') || 'a' || replace(hex(zeroblob(201)), '00', ')'));
SELECT cloudtrail_query_tree('kql', 'a' || replace(hex(zeroblob(2000)), '00', ' or a'));
SELECT cloudtrail_query_tree('kql', 'f: ' || replace(hex(zeroblob(201)), '00', '(') || 'a');
SELECT cloudtrail_query_tree('kql', replace(hex(zeroblob(201)), '00', 'f:{') || 'f:x');
SELECT cloudtrail_query_tree('kql', replace(hex(zeroblob(100000)), '00', '(not '));
SELECT cloudtrail_query_tree('kql', 'a' || replace(hex(zeroblob(100000)), '00', ' and a'));
SELECT '-- NULL query: NULL; the language is checked';
SELECT quote(cloudtrail_query_tree('kql', NULL)), cloudtrail_query_tree('kuery', 'a: b');
