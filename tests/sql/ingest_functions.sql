-- cloudtrail_ls() and cloudtrail_sha256(): the helpers of sql/ingest.sql.
.mode list
.load @EXT@
SELECT '-- cloudtrail_ls lists what cloudtrail() would read, with size and mtime';
SELECT (SELECT count(*) FROM cloudtrail_ls('fixtures/demo'))
     = (SELECT count(*) FROM cloudtrail_files('fixtures/demo'));
SELECT count(*) FROM cloudtrail_ls('fixtures/demo') AS l
  JOIN cloudtrail_files('fixtures/demo') AS f
    ON f.file = l.file AND f.compressed_bytes = l.size;
SELECT file, size, typeof(mtime), error FROM cloudtrail_ls('fixtures/formats/array.json');
SELECT file, size FROM cloudtrail_ls('fixtures/formats/*.jsonl') ORDER BY rowid LIMIT 2;
SELECT '-- a walk error is a row with its error, not a failure';
.shell rm -rf dist/scratch/ls && mkdir -p dist/scratch/ls && ln -s nowhere dist/scratch/ls/dangling.json
SELECT file, size, mtime, error FROM cloudtrail_ls('dist/scratch/ls');
SELECT '-- errors';
SELECT * FROM cloudtrail_ls('no/such/dir');
SELECT * FROM cloudtrail_ls(NULL);
SELECT * FROM cloudtrail_ls;
SELECT '-- SHA-256: FIPS 180-4 test vectors and a file';
.shell printf abc > dist/scratch/ls/abc && : > dist/scratch/ls/empty
SELECT cloudtrail_sha256('dist/scratch/ls/abc');
SELECT cloudtrail_sha256('dist/scratch/ls/empty');
.shell printf 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq' > dist/scratch/ls/two-blocks
SELECT cloudtrail_sha256('dist/scratch/ls/two-blocks');
SELECT cloudtrail_sha256(NULL);
SELECT cloudtrail_sha256('no/such/file');
SELECT '-- cloudtrail_progress returns 1 and, off, prints nothing';
SELECT cloudtrail_progress(0, 1, 2, 100, 200, 0), cloudtrail_progress(NULL, 1, 2, 100, 200, 1);
SELECT '-- both read the filesystem: neither works from a stored view or trigger';
CREATE TEMP VIEW v_ls AS SELECT count(*) FROM cloudtrail_ls('fixtures/demo');
SELECT * FROM v_ls;
.shell rm -f dist/scratch/ls/schema.db
.open dist/scratch/ls/schema.db
.load @EXT@
CREATE VIEW v_hash AS SELECT cloudtrail_sha256('/etc/hostname') AS h;
CREATE VIEW v_list AS SELECT count(*) AS n FROM cloudtrail_ls('/etc');
CREATE VIEW v_progress AS SELECT cloudtrail_progress(1, 1, 1, 1, 1, 1) AS p;
.open dist/scratch/ls/schema.db
.load @EXT@
PRAGMA trusted_schema=OFF;
SELECT h FROM v_hash;
SELECT n FROM v_list;
PRAGMA trusted_schema=ON;
SELECT p FROM v_progress;
