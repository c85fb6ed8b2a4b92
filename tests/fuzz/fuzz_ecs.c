/*
** fuzz_ecs.c — libFuzzer harness for cloudtrail_ecs() (ext/ct_ecs.c,
** ext/ct_ecs_entity.c, ext/ct_jvalue.c and, without databases, the
** ext/ct_geoip.c entry points), on arbitrary bytes as JSON text.
**
** Through SQL on a :memory: database with the extension linked in
** (-DSQLITE_CORE), the input bound as TEXT:
**   - cloudtrail_ecs(x): the whole document; when not NULL it must be one
**     valid JSON object (json_valid());
**   - cloudtrail_ecs(CAST(x AS BLOB)): the same answer;
**   - when x is valid JSON, cloudtrail_ecs(fuzz_record(x)) — the
**     cloudtrail table's "validated record" subtype, which skips
**     validation — must give the same answer as the validating path;
**   - cloudtrail_ecs(x, p) for a list of paths (single fields, computed
**     fields, objects reached through a prefix, flattened paths below a
**     field), in both generations;
**   - cloudtrail_ecs(x, NULL, o) for a few option strings (generation,
**     retain= modes).
** Every result is read to the end (sqlite3_column_bytes).  SQLITE_ERROR and
** SQLITE_NOMEM are never expected: any result code but SQLITE_DONE aborts.
*/
#include "fuzz_common.h"
#include "ct_json.h"

int sqlite3_cloudtrail_init(sqlite3*, char**, const sqlite3_api_routines*);

static sqlite3 *db;
static sqlite3_stmt *pDoc;      /* whole document: text, blob, validity */
static sqlite3_stmt *pRec;      /* whole document through the record subtype */
static sqlite3_stmt *pPath;     /* cloudtrail_ecs(?1, ?2) */
static sqlite3_stmt *pOpt;      /* cloudtrail_ecs(?1, ?2, ?3) */
static volatile size_t sink;

static const char *const azPath[] = {
  "user.name", "related.entity", "aws.cloudtrail.request_parameters",
  "aws.cloudtrail.flattened.request_parameters.a.b", "source", "event.kind",
  "aws.cloudtrail.resources", "@timestamp", "event.original", "user.id",
  "event.category", "event.type", "event.outcome", "related.user",
  "related.ip", "related.hosts", "error.message", "actor.entity.id",
  "target.entity.id", "user.target.entity.id", "cloud.account.id",
  "aws.cloudtrail.flattened.request_parameters",
  "aws.cloudtrail.flattened.response_elements",
  "aws.cloudtrail.flattened.additional_eventdata.x",
  "aws.cloudtrail.user_identity", "aws.cloudtrail.response_elements",
  "aws", "aws.cloudtrail", "tls", "user", "event", "", ".", "a..b",
};
#define N_PATH (sizeof(azPath)/sizeof(azPath[0]))

static const char *const azOpt[] = {
  "pipeline=9.0.0 retain=minimal", "pipeline=9.0.0", "retain=flattened",
  "retain=keyword", "retain=none",
};
#define N_OPT (sizeof(azOpt)/sizeof(azOpt[0]))

static void recordFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc;
  sqlite3_result_value(ctx, argv[0]);
  sqlite3_result_subtype(ctx, CT_SUBTYPE_RECORD);
}

int LLVMFuzzerInitialize(int *argc, char ***argv){
  (void)argc; (void)argv;
  fuzzExactMalloc();
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) abort();
  if( sqlite3_cloudtrail_init(db, 0, 0)!=SQLITE_OK ) abort();
  if( sqlite3_create_function(db, "fuzz_record", 1, SQLITE_UTF8, 0,
                              recordFunc, 0, 0)!=SQLITE_OK ) abort();
  if( sqlite3_prepare_v2(db,
        "SELECT d, json_valid(d), cloudtrail_ecs(CAST(?1 AS BLOB)) IS d"
        " FROM (SELECT cloudtrail_ecs(?1) AS d)", -1, &pDoc, 0)!=SQLITE_OK
   || sqlite3_prepare_v2(db, "SELECT cloudtrail_ecs(fuzz_record(?1))",
        -1, &pRec, 0)!=SQLITE_OK
   || sqlite3_prepare_v2(db, "SELECT cloudtrail_ecs(?1, ?2)", -1, &pPath, 0)!=SQLITE_OK
   || sqlite3_prepare_v2(db, "SELECT cloudtrail_ecs(?1, ?2, ?3)", -1, &pOpt, 0)!=SQLITE_OK ){
    fprintf(stderr, "fuzz: %s\n", sqlite3_errmsg(db));
    abort();
  }
  return 0;
}

/* Step pStmt once; every column read.  Returns 1 on a row. */
static int stepOne(sqlite3_stmt *pStmt){
  int rc = sqlite3_step(pStmt), i;
  if( rc==SQLITE_ROW ){
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      const unsigned char *z = sqlite3_column_text(pStmt, i);
      int n = sqlite3_column_bytes(pStmt, i);
      if( z && n>0 ) sink += z[n-1];
    }
    return 1;
  }
  fprintf(stderr, "fuzz: unexpected result %d (%s) from %s\n", rc,
          sqlite3_errmsg(db), sqlite3_sql(pStmt));
  abort();
  return 0;
}

static void done(sqlite3_stmt *pStmt){
  FUZZ_CHECK( sqlite3_step(pStmt)==SQLITE_DONE );
  sqlite3_reset(pStmt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  char *zDoc = 0;
  int nDoc = 0, bDoc = 0;
  size_t k;
  int bValid;
  if( size>1000000 ) return 0;
  bValid = size>0 && ct_json_validate((const char*)data, size, 0, 1,
                     CT_JSON_MAX_DEPTH, &k, 0)==CT_JSON_OK
        && ct_json_skip_ws((const char*)data, size, k)==size;

  /* The whole document. */
  sqlite3_bind_text(pDoc, 1, (const char*)data, (int)size, SQLITE_STATIC);
  stepOne(pDoc);
  if( sqlite3_column_type(pDoc, 0)==SQLITE_TEXT ){
    const char *z = (const char*)sqlite3_column_text(pDoc, 0);
    nDoc = sqlite3_column_bytes(pDoc, 0);
    bDoc = 1;
    zDoc = malloc((size_t)nDoc+1);
    if( zDoc==0 ) abort();
    memcpy(zDoc, z, (size_t)nDoc+1);
    if( sqlite3_column_int(pDoc, 1)!=1 ){
      fprintf(stderr, "fuzz: cloudtrail_ecs() is not JSON: %.*s\n", nDoc, zDoc);
      abort();
    }
    FUZZ_CHECK( nDoc>0 && zDoc[0]=='{' );
  }
  FUZZ_CHECK( sqlite3_column_int(pDoc, 2)==1 );     /* BLOB gives the same */
  done(pDoc);

  /* A validated record (the cloudtrail table's raw column): same answer. */
  if( bValid ){
    sqlite3_bind_text(pRec, 1, (const char*)data, (int)size, SQLITE_STATIC);
    stepOne(pRec);
    if( bDoc ){
      FUZZ_CHECK( sqlite3_column_type(pRec, 0)==SQLITE_TEXT );
      FUZZ_CHECK( sqlite3_column_bytes(pRec, 0)==nDoc );
      FUZZ_CHECK( memcmp(sqlite3_column_text(pRec, 0), zDoc, (size_t)nDoc)==0 );
    }else{
      FUZZ_CHECK( sqlite3_column_type(pRec, 0)==SQLITE_NULL );
    }
    done(pRec);
  }
  free(zDoc);

  /* One field at a time; a path the document lacks is NULL. */
  sqlite3_bind_text(pPath, 1, (const char*)data, (int)size, SQLITE_STATIC);
  for(k=0; k<N_PATH; k++){
    sqlite3_bind_text(pPath, 2, azPath[k], -1, SQLITE_STATIC);
    stepOne(pPath);
    if( !bDoc ) FUZZ_CHECK( sqlite3_column_type(pPath, 0)==SQLITE_NULL );
    done(pPath);
  }
  sqlite3_clear_bindings(pPath);

  /* Options: generations and retain= modes; whole document and one path. */
  sqlite3_bind_text(pOpt, 1, (const char*)data, (int)size, SQLITE_STATIC);
  for(k=0; k<N_OPT; k++){
    sqlite3_bind_null(pOpt, 2);
    sqlite3_bind_text(pOpt, 3, azOpt[k], -1, SQLITE_STATIC);
    stepOne(pOpt);
    done(pOpt);
  }
  for(k=0; k<N_PATH; k+=3){
    sqlite3_bind_text(pOpt, 2, azPath[k], -1, SQLITE_STATIC);
    sqlite3_bind_text(pOpt, 3, azOpt[0], -1, SQLITE_STATIC);
    stepOne(pOpt);
    done(pOpt);
  }
  sqlite3_clear_bindings(pOpt);
  return 0;
}
