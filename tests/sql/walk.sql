-- PATH: a file, a directory (sorted, recursive), or a glob; digests are
-- skipped, insights read, symlink loops reported, errors named.
.mode list
SELECT '-- directory: sorted depth-first, digest files give no rows';
SELECT file, record_index, event_name FROM cloudtrail('fixtures/tree');
SELECT '-- a trailing slash is kept as given';
SELECT DISTINCT file FROM cloudtrail('fixtures/tree/exports/');
SELECT '-- glob: * does not match a leading dot; ** is any depth';
SELECT file FROM cloudtrail('fixtures/tree/exports/*.jsonl');
SELECT file FROM cloudtrail('fixtures/tree/**/*.jsonl');
SELECT '-- a directory the glob matches is walked whole (dot files too)';
SELECT file FROM cloudtrail('fixtures/tree/**');
SELECT '-- glob: ? and [...]; a matching directory is walked whole';
SELECT DISTINCT file FROM cloudtrail('fixtures/tree/AWSLogs/*/CloudTrail/??-west-[0-9]');
SELECT DISTINCT file FROM cloudtrail('fixtures/tree/AWSLogs/111122223333/CloudTrail-I*');
SELECT '-- errors';
SELECT count(*) FROM cloudtrail('fixtures/no-such-dir');
SELECT count(*) FROM cloudtrail('fixtures/tree/*.nothing');
SELECT count(*) FROM cloudtrail(NULL);
SELECT count(*) FROM cloudtrail;
SELECT '-- a symlink loop is reported, not followed forever';
SELECT file, records, error FROM cloudtrail_files('dist/scratch/loop');
SELECT count(*) FROM cloudtrail('dist/scratch/loop');
SELECT count(*) FROM cloudtrail('dist/scratch/loop', 'errors=skip');
SELECT '-- dangling links and FIFOs are entries with an error, never opened';
SELECT file, records, error FROM cloudtrail_files('dist/scratch/special');
SELECT count(*) FROM cloudtrail('dist/scratch/special', 'errors=skip');
SELECT '-- regression: a glob below a folder whose name holds [ found nothing';
.shell mkdir -p "dist/scratch/case [1]/sub" "dist/scratch/case 1" && cp fixtures/formats/array.json "dist/scratch/case [1]/sub/a.json" && cp fixtures/formats/array.json "dist/scratch/case 1/b.json"
SELECT file FROM cloudtrail('dist/scratch/case [1]/**/*.json') GROUP BY file;
SELECT '-- the pattern form still works where no such folder exists, and \[ escapes';
SELECT file FROM cloudtrail('dist/scratch/case [1-9]/*.json') GROUP BY file;
SELECT file FROM cloudtrail('dist/scratch/case \[1\]/**') GROUP BY file;
