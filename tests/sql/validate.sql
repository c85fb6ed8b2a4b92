-- cloudtrail_validate(): the demo trail's one digest, options and errors.
-- (Signed trails, damage and signatures: tests/test_validate.sh.)
.mode list
.load @EXT@
SELECT '-- the demo digest names 4 of the 23 log files; its predecessor is not in the demo';
SELECT kind, status, count(*) FROM cloudtrail_validate('fixtures/demo') GROUP BY 1, 2 ORDER BY 1, 2;
SELECT status, signature_status, previous_digest_hash, chain, period_start, period_end, expected_sha256 IS NULL, length(actual_sha256)
  FROM cloudtrail_validate('fixtures/demo') WHERE kind='digest';
SELECT detail FROM cloudtrail_validate('fixtures/demo') WHERE kind='digest';
SELECT '-- named log files: the digest file and hashes; every valid row has equal hashes';
SELECT substr(file, -42), status, expected_sha256 = actual_sha256, substr(digest_file, -30)
  FROM cloudtrail_validate('fixtures/demo') WHERE kind='log' AND digest_file IS NOT NULL ORDER BY file;
SELECT '-- files no digest covers: why, for a log file name and for another name';
SELECT DISTINCT detail FROM cloudtrail_validate('fixtures/demo') WHERE status='no_digest' ORDER BY 1;
SELECT count(*) FROM cloudtrail_validate('fixtures/demo') WHERE status='no_digest' AND account IS NULL;
SELECT '-- every file under PATH has a row (digests and logs), nothing twice';
SELECT (SELECT count(*) FROM cloudtrail_ls('fixtures/demo'))
     = (SELECT count(DISTINCT file) FROM cloudtrail_validate('fixtures/demo') WHERE file IS NOT NULL);
SELECT '-- a named file that cannot be read is unreadable, with the reason';
.shell rm -rf dist/scratch/val && mkdir -p dist/scratch/val && cp -R fixtures/demo/AWSLogs dist/scratch/val/
.shell for f in dist/scratch/val/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/*_20261120T0917Z_*; do head -c 100 fixtures/demo/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/$(basename $f) > $f; done
SELECT status, detail FROM cloudtrail_validate('dist/scratch/val') WHERE file LIKE '%_20261120T0917Z_%';
SELECT '-- options: quoted values may hold spaces; keys files are read before the tree';
SELECT count(*) FROM cloudtrail_validate('fixtures/demo', 'public_keys=''fixtures/validate/a dir/keys.json''');
SELECT DISTINCT detail LIKE 'signature: no signature:%' FROM cloudtrail_validate('fixtures/demo', 'public_keys="fixtures/validate/a dir/keys.json"') WHERE kind='digest';
SELECT '-- errors';
SELECT * FROM cloudtrail_validate('no/such/dir');
SELECT * FROM cloudtrail_validate(NULL);
SELECT * FROM cloudtrail_validate;
SELECT * FROM cloudtrail_validate('fixtures/demo', 'colour=blue');
SELECT * FROM cloudtrail_validate('fixtures/demo', 'public_keys');
SELECT * FROM cloudtrail_validate('fixtures/demo', 'max_digest_size=12');
SELECT * FROM cloudtrail_validate('fixtures/demo', 'public_keys=dist/scratch/val/none.json');
SELECT * FROM cloudtrail_validate('fixtures/demo', 'public_keys=fixtures/validate/keys-wrong.json');
SELECT * FROM cloudtrail_validate('fixtures/demo', 'public_keys=fixtures/validate/keys-trailing.json');
SELECT * FROM cloudtrail_validate('fixtures/demo', 'public_keys=fixtures/validate/keys-notkey.json');
SELECT * FROM cloudtrail_validate('fixtures/demo', 'public_keys=fixtures/validate/keys-novalue.json');
SELECT * FROM cloudtrail_validate('fixtures/demo', 'signatures=fixtures/validate/signatures-bad.txt');
SELECT '-- max_digest_size: a digest larger than it is hashed as a plain file';
SELECT kind, status FROM cloudtrail_validate('fixtures/demo', 'max_digest_size=1K') WHERE file LIKE '%Digest%';
SELECT '-- a progress handler (or sqlite3_interrupt) stops a validation between files';
.progress 1 --limit 40 --quiet
SELECT count(*) FROM cloudtrail_validate('fixtures/demo');
.progress 0
SELECT count(*) FROM cloudtrail_validate('fixtures/demo');
SELECT '-- reads files: not usable from a stored view under trusted_schema=OFF';
PRAGMA trusted_schema=OFF;
CREATE VIEW v_validate AS SELECT count(*) FROM cloudtrail_validate('fixtures/demo');
SELECT * FROM v_validate;
