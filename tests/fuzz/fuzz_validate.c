/*
** fuzz_validate.c — libFuzzer harness for cloudtrail_validate()
** (ext/ct_validate.c, ext/ct_crypto.c): hostile digest files, keys files
** and signatures files.
**
** The input is cut at its first two "\n--\n" separators into up to three
** parts, written in a per-process directory as
**   t/…_CloudTrail-Digest_us-east-1_trail_us-east-1_20261120T100000Z.json
**       the first part, a digest (plain);
**   t/…_CloudTrail-Digest_us-east-1_trail_us-east-1_20261120T110000Z.json.gz
**       the first part again, gzip, so a digest may name its own copy;
**   keys.json           the second part, as public_keys;
**   signatures.txt      the third part, as signatures;
** next to two fixed log files with CloudTrail names.  The tree is validated
** with and without the options, with a small max_digest_size, and with
** PATH pointing at the digest alone.  Every row is stepped.
**
** Checked, besides the sanitizers:
**   - the result is rows, an error, or an interruption: nothing else;
**   - every row has a kind (log, digest) and a status from the documented
**     set, and digest rows a signature_status and chain from theirs;
**   - when the query succeeds, every file of the tree is in some row;
**   - the gzip copy of the digest gets the same actual_sha256 as the plain
**     one (a hash is of the uncompressed bytes), unless the input is gzip
**     itself.
*/
#include "fuzz_common.h"

int sqlite3_cloudtrail_init(sqlite3*, char**, const sqlite3_api_routines*);

static sqlite3 *db;
static char zTree[600], zDigest[800], zDigestGz[800], zKeys[700], zSigs[700];
static char zOpts[1600];
static int nProgress;

#define PROGRESS_OPS   1000      /* VM instructions per callback */
#define PROGRESS_LIMIT 5000      /* callbacks per statement */
#define N_TREE_FILES   4         /* two logs, the digest, its gzip copy */

static int progressCb(void *p){
  (void)p;
  return ++nProgress > PROGRESS_LIMIT;
}

static const char zLog1[] =
  "{\"Records\":[{\"eventTime\":\"2026-11-20T09:14:00Z\",\"eventName\":\"GetObject\"}]}";
static const char zLog2[] = "{\"Records\":[]}";

int LLVMFuzzerInitialize(int *argc, char ***argv){
  char zLog[800];
  (void)argc; (void)argv;
  fuzzExactMalloc();
  fuzzTempDir("validate");
  fuzzPath(zTree, sizeof(zTree), "t");
  if( mkdir(zTree, 0700)!=0 ){ perror(zTree); abort(); }
  snprintf(zDigest, sizeof(zDigest), "%s/111122223333_CloudTrail-Digest_"
           "us-east-1_trail_us-east-1_20261120T100000Z.json", zTree);
  snprintf(zDigestGz, sizeof(zDigestGz), "%s/111122223333_CloudTrail-Digest_"
           "us-east-1_trail_us-east-1_20261120T110000Z.json.gz", zTree);
  fuzzPath(zKeys, sizeof(zKeys), "keys.json");
  fuzzPath(zSigs, sizeof(zSigs), "signatures.txt");
  snprintf(zOpts, sizeof(zOpts), "public_keys='%s' signatures='%s'", zKeys, zSigs);
  snprintf(zLog, sizeof(zLog), "%s/111122223333_CloudTrail_us-east-1_"
           "20261120T0915Z_a.json", zTree);
  fuzzWriteFile(zLog, zLog1, strlen(zLog1));
  snprintf(zLog, sizeof(zLog), "%s/111122223333_CloudTrail_us-east-1_"
           "20261120T0945Z_b.json", zTree);
  fuzzWriteFile(zLog, zLog2, strlen(zLog2));
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) abort();
  if( sqlite3_cloudtrail_init(db, 0, 0)!=SQLITE_OK ) abort();
  sqlite3_progress_handler(db, PROGRESS_OPS, progressCb, 0);
  return 0;
}

static int inSet(const char *z, const char *const *az){
  for(; z && *az; az++) if( strcmp(z, *az)==0 ) return 1;
  return 0;
}

static const char *const azKind[] = { "log", "digest", 0 };
static const char *const azLogStatus[] = {
  "valid", "modified", "missing", "not_in_digest", "no_digest", "unreadable", 0 };
static const char *const azDigestStatus[] = {
  "valid", "invalid", "modified", "broken", "gap", "unverified", 0 };
static const char *const azSig[] = { "valid", "invalid", "unverified", 0 };
static const char *const azChain[] = { "ok", "start", "gap", "broken", 0 };

/* Run one validation; check every row.  Returns the result code; *pnFiles
** gets the distinct files seen, azSha the digest copies' actual_sha256. */
static int runValidate(const char *zPath, const char *zOpt, int *pnFiles,
                       char azSha[2][65]){
  sqlite3_stmt *pStmt = 0;
  int rc;
  const char *zSql = "SELECT kind, status, signature_status, chain, file,"
      " actual_sha256, detail, s3_object, expected_sha256, previous_digest,"
      " previous_digest_hash, period_start, period_end, digest_file,"
      " account, region FROM cloudtrail_validate(?1, ?2)";
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)!=SQLITE_OK ) abort();
  sqlite3_bind_text(pStmt, 1, zPath, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zOpt, -1, SQLITE_STATIC);
  nProgress = 0;
  *pnFiles = 0;
  azSha[0][0] = azSha[1][0] = 0;
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zKind = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zStatus = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zFile = (const char*)sqlite3_column_text(pStmt, 4);
    const char *zSha = (const char*)sqlite3_column_text(pStmt, 5);
    int i;
    FUZZ_CHECK( inSet(zKind, azKind) );
    if( strcmp(zKind, "digest")==0 ){
      FUZZ_CHECK( inSet(zStatus, azDigestStatus) );
      FUZZ_CHECK( inSet((const char*)sqlite3_column_text(pStmt, 2), azSig) );
      FUZZ_CHECK( inSet((const char*)sqlite3_column_text(pStmt, 3), azChain) );
    }else{
      FUZZ_CHECK( inSet(zStatus, azLogStatus) );
    }
    for(i=6; i<sqlite3_column_count(pStmt); i++) (void)sqlite3_column_text(pStmt, i);
    if( zFile && strcmp(zFile, zDigest)==0 && zSha ){
      snprintf(azSha[0], 65, "%s", zSha);
    }
    if( zFile && strcmp(zFile, zDigestGz)==0 && zSha ){
      snprintf(azSha[1], 65, "%s", zSha);
    }
  }
  if( rc!=SQLITE_DONE && rc!=SQLITE_ERROR && rc!=SQLITE_INTERRUPT ){
    fprintf(stderr, "fuzz: unexpected result %d (%s)\n", rc, sqlite3_errmsg(db));
    abort();
  }
  sqlite3_finalize(pStmt);
  if( rc==SQLITE_DONE ){
    /* Distinct files, counted by a second query over the same tree. */
    if( sqlite3_prepare_v2(db, "SELECT count(DISTINCT file) FROM"
            " cloudtrail_validate(?1, ?2)", -1, &pStmt, 0)!=SQLITE_OK ) abort();
    sqlite3_bind_text(pStmt, 1, zPath, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zOpt, -1, SQLITE_STATIC);
    nProgress = 0;
    if( sqlite3_step(pStmt)==SQLITE_ROW ) *pnFiles = sqlite3_column_int(pStmt, 0);
    else *pnFiles = -1;                /* interrupted: not checked */
    sqlite3_finalize(pStmt);
  }
  return rc;
}

/* Part k (0-based) of the input: bytes between the k-th and (k+1)-th
** "\n--\n"; the last part runs to the end. */
static void inputPart(const uint8_t *data, size_t size, int k,
                      const uint8_t **pa, size_t *pn){
  size_t i = 0, iStart = 0;
  int iPart = 0;
  for(i=0; i+4<=size; i++){
    if( memcmp(data+i, "\n--\n", 4)!=0 ) continue;
    if( iPart==k ){ *pa = data+iStart; *pn = i-iStart; return; }
    iPart++;
    iStart = i+4;
    i += 3;
    if( iPart==2 ) break;
  }
  if( iPart==k ){ *pa = data+iStart; *pn = size-iStart; return; }
  *pa = data; *pn = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  static FuzzBuf gz;
  const uint8_t *a;
  size_t n;
  int rc, nFiles, bGzIn;
  char azSha[2][65];

  inputPart(data, size, 0, &a, &n);
  fuzzWriteFile(zDigest, a, n);
  gz.n = 0;
  fuzzGzip(&gz, a, n);
  fuzzWriteFile(zDigestGz, gz.a, gz.n);
  inputPart(data, size, 1, &a, &n);
  fuzzWriteFile(zKeys, a, n);
  inputPart(data, size, 2, &a, &n);
  fuzzWriteFile(zSigs, a, n);

  inputPart(data, size, 0, &a, &n);
  bGzIn = n>=2 && a[0]==0x1f && a[1]==0x8b;    /* then the copy is gzip twice */
  rc = runValidate(zTree, "", &nFiles, azSha);
  FUZZ_CHECK( rc!=SQLITE_DONE || nFiles<0 || nFiles==N_TREE_FILES );
  FUZZ_CHECK( rc!=SQLITE_DONE || bGzIn || strcmp(azSha[0], azSha[1])==0 );
  rc = runValidate(zTree, zOpts, &nFiles, azSha);
  FUZZ_CHECK( rc!=SQLITE_DONE || nFiles<0 || nFiles==N_TREE_FILES );
  runValidate(zTree, "max_digest_size=64", &nFiles, azSha);
  runValidate(zDigest, zOpts, &nFiles, azSha);
  return 0;
}
