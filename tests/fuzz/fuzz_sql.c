/*
** fuzz_sql.c — libFuzzer harness for the SQL surface: the cloudtrail and
** cloudtrail_files table-valued functions (ext/ct_vtab.c, ext/ct_walk.c,
** ext/ct_filter.c, ext/ct_options.c and everything below them) over temp
** files holding the fuzz input, with the rule and value functions on their
** rows.
**
** Each input is written, in a per-process directory, as
**   d/111122223333_CloudTrail_us-east-1_20261120T1205Z_FUZZ.json      and
**   d/111122223333_CloudTrail_us-east-1_20261120T1205Z_FUZZ.json.gz   (gzip)
** (S3 delivery names, so event_time bounds can prune them), and queried as
** a single file, as the directory (two files: the read-ahead reader and
** its inflate thread) and as a glob, through eponymous tables and a
** CREATE VIRTUAL TABLE made once, in strict and errors=skip mode, with
** 16-byte windows and threads=0, and with constraints the planner pushes
** down (event_time ranges, event_name / event_source = and IN).  Every row
** is stepped and every column read.  A progress handler bounds each
** statement (SQLITE_INTERRUPT is an accepted outcome, like SQLITE_ERROR
** for bad input); any other result code aborts.
**
** Checked, besides the sanitizers:
**   - a query with pushed-down constraints returns exactly the rows of the
**     same query whose constraints SQLite evaluates itself (`+column`
**     cannot be pushed), prune=0 — or, when the event_time bound is not a
**     time, fails saying so;
**   - the plain file and its gzip copy give the same rows and the same
**     cloudtrail_files summary (format, records, decoded bytes).
*/
#include "fuzz_common.h"

int sqlite3_cloudtrail_init(sqlite3*, char**, const sqlite3_api_routines*);

static sqlite3 *db;
static char zDir[600], zPlain[700], zGz[700], zGlob[700];
static int nProgress;

#define PROGRESS_OPS   1000      /* VM instructions per callback */
#define PROGRESS_LIMIT 5000      /* callbacks per statement: 5M instructions */

static int progressCb(void *p){
  (void)p;
  return ++nProgress > PROGRESS_LIMIT;
}

/* The queries.  ?1 is a path; ?2 a value some of them compare with. */
static const char *const azScan[] = {
  "SELECT * FROM cloudtrail(?1)",
  "SELECT * FROM cloudtrail(?1, 'errors=skip, buffer_size=16, threads=0')",
  "SELECT *, ec2_console_login(raw), cloudtrail_value(raw, 'userIdentity.type'),"
  " cloudtrail_value(raw, 'event.action') FROM cloudtrail(?1, 'errors=skip')",
  "SELECT * FROM cloudtrail_files(?1)",
  "SELECT * FROM cloudtrail_files(?1, 'buffer_size=16, threads=0')",
  "SELECT count(*), max(event_time) FROM cloudtrail(?1, 'errors=skip')"
  " WHERE event_time >= '2026-11-21' AND event_name = 'ConsoleLogin'",   /* prunes */
  "SELECT event_name, count(*) FROM cloudtrail(?1, 'max_record_size=64')"
  " GROUP BY 1 ORDER BY 2 DESC LIMIT 3",
  "SELECT raw FROM cloudtrail(?1) LIMIT 1",          /* stops mid-file */
};
#define N_SCAN (sizeof(azScan)/sizeof(azScan[0]))

/* Pushed-down constraints and the same constraints SQLite checks itself.
** Each pair runs over the directory with ?2 bound to a time. */
static const char *const azPush[][2] = {
  { "event_time >= ?2 AND event_name IN ('ConsoleLogin','GetSigninToken','AssumeRole')",
    "+event_time >= ?2 AND +event_name IN ('ConsoleLogin','GetSigninToken','AssumeRole')" },
  { "event_time < ?2 AND event_source = 'signin.amazonaws.com'",
    "+event_time < ?2 AND +event_source = 'signin.amazonaws.com'" },
  { "event_time BETWEEN ?2 AND '2026-11-20T12' AND event_name = 'GetObject'",
    "+event_time BETWEEN ?2 AND '2026-11-20T12' AND +event_name = 'GetObject'" },
  { "event_time = ?2 OR event_name IN ('ConsoleLogin')",
    "+event_time = ?2 OR +event_name IN ('ConsoleLogin')" },
  { "event_time > ?2 AND event_time <= '2026-11-20T09:59:59Z'",
    "+event_time > ?2 AND +event_time <= '2026-11-20T09:59:59Z'" },
};
#define N_PUSH (sizeof(azPush)/sizeof(azPush[0]))

static const char *const azTime[] = {
  "2026-11-20T09:30:00Z", "2026-11-20", "2026", "", "2026-11-20T12:05:00Z",
  "2026-11-20T09:51:20Z", "\xff", "2026-11-20 09:30:00", "2026-11-20T11:30:00+02:00",
  "2026-11-20T09:51:20.500Z", "2026-11-31",
};
#define N_TIME (sizeof(azTime)/sizeof(azTime[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv){
  char *zSql;
  (void)argc; (void)argv;
  fuzzExactMalloc();
  fuzzTempDir("sql");
  fuzzPath(zDir, sizeof(zDir), "d");
  if( mkdir(zDir, 0700)!=0 ){ perror(zDir); abort(); }
  snprintf(zPlain, sizeof(zPlain),
           "%s/111122223333_CloudTrail_us-east-1_20261120T1205Z_FUZZ.json", zDir);
  snprintf(zGz, sizeof(zGz), "%s.gz", zPlain);
  snprintf(zGlob, sizeof(zGlob), "%s/*.json", zDir);
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) abort();
  if( sqlite3_cloudtrail_init(db, 0, 0)!=SQLITE_OK ) abort();
  sqlite3_progress_handler(db, PROGRESS_OPS, progressCb, 0);
  /* A table kept in the schema, over the directory. */
  zSql = sqlite3_mprintf("CREATE VIRTUAL TABLE temp.t USING cloudtrail(%Q,"
                         " errors=skip, buffer_size=64)", zDir);
  if( zSql==0 || sqlite3_exec(db, zSql, 0, 0, 0)!=SQLITE_OK ) abort();
  sqlite3_free(zSql);
  return 0;
}

/* What a statement returned: result code, rows, and a hash of every value
** of every row. */
typedef struct Result Result;
struct Result {
  int rc;
  int nRow;
  uint64_t h;
  char zErr[400];
};

static void runStmt(sqlite3_stmt *pStmt, Result *pRes){
  int rc, i, nCol = sqlite3_column_count(pStmt);
  memset(pRes, 0, sizeof(*pRes));
  pRes->h = 0xcbf29ce484222325ULL;
  nProgress = 0;
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    pRes->nRow++;
    for(i=0; i<nCol; i++){
      int eType = sqlite3_column_type(pStmt, i);
      pRes->h = fuzzHash(pRes->h, &eType, sizeof(eType));
      switch( eType ){
        case SQLITE_INTEGER: {
          sqlite3_int64 v = sqlite3_column_int64(pStmt, i);
          pRes->h = fuzzHash(pRes->h, &v, sizeof(v));
          break;
        }
        case SQLITE_FLOAT: {
          double v = sqlite3_column_double(pStmt, i);
          pRes->h = fuzzHash(pRes->h, &v, sizeof(v));
          break;
        }
        case SQLITE_TEXT: case SQLITE_BLOB: {
          const void *z = eType==SQLITE_TEXT
              ? (const void*)sqlite3_column_text(pStmt, i)
              : sqlite3_column_blob(pStmt, i);
          int n = sqlite3_column_bytes(pStmt, i);
          if( n>0 ) pRes->h = fuzzHash(pRes->h, z, (size_t)n);
          break;
        }
      }
    }
  }
  if( rc!=SQLITE_DONE && rc!=SQLITE_ERROR && rc!=SQLITE_INTERRUPT ){
    fprintf(stderr, "fuzz: unexpected result %d (%s) from %s\n", rc,
            sqlite3_errmsg(db), sqlite3_sql(pStmt));
    abort();
  }
  pRes->rc = rc;
  if( rc==SQLITE_ERROR ){
    snprintf(pRes->zErr, sizeof(pRes->zErr), "%s", sqlite3_errmsg(db));
  }
  sqlite3_reset(pStmt);
}

/* Prepare zSql (harness SQL: must compile), bind ?1 and ?2, run it. */
static void runSql(const char *zSql, const char *zArg1, const char *zArg2,
                   Result *pRes){
  sqlite3_stmt *pStmt = 0;
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)!=SQLITE_OK ){
    fprintf(stderr, "fuzz: cannot prepare %s: %s\n", zSql, sqlite3_errmsg(db));
    abort();
  }
  if( sqlite3_bind_parameter_count(pStmt)>=1 ){
    sqlite3_bind_text(pStmt, 1, zArg1, -1, SQLITE_STATIC);
  }
  if( sqlite3_bind_parameter_count(pStmt)>=2 ){
    sqlite3_bind_text(pStmt, 2, zArg2, -1, SQLITE_STATIC);
  }
  runStmt(pStmt, pRes);
  sqlite3_finalize(pStmt);
}

/* True if z is a time by cloudtrail_time(): a bound that is not one makes a
** pushed event_time comparison fail, naming it (docs/time.md). */
static int isTime(const char *z){
  Result r;
  runSql("SELECT cloudtrail_time(?2)", 0, z, &r);
  return r.rc==SQLITE_DONE;
}

static void sameResult(const Result *a, const Result *b, const char *zWhat){
  if( a->rc==SQLITE_INTERRUPT || b->rc==SQLITE_INTERRUPT ) return;
  if( a->rc==b->rc && a->nRow==b->nRow && a->h==b->h
   && strcmp(a->zErr, b->zErr)==0 ){
    return;
  }
  fprintf(stderr, "fuzz: %s differ\n"
          "  rc=%d rows=%d hash=%016llx error=%s\n"
          "  rc=%d rows=%d hash=%016llx error=%s\n", zWhat,
          a->rc, a->nRow, (unsigned long long)a->h, a->zErr,
          b->rc, b->nRow, (unsigned long long)b->h, b->zErr);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  static FuzzBuf gz;
  uint64_t h = fuzzHash(0xcbf29ce484222325ULL, data, size);
  int bGzIn = size>=2 && data[0]==0x1f && data[1]==0x8b;
  Result a, b;
  size_t k;
  char zSql[1024];

  fuzzWriteFile(zPlain, data, size);
  fuzzGzip(&gz, data, size);
  fuzzWriteFile(zGz, gz.a, gz.n);

  /* Scans: the file, the directory, a glob. */
  for(k=0; k<N_SCAN; k++){
    runSql(azScan[k], zPlain, 0, &a);
    runSql(azScan[k], zDir, 0, &a);
  }
  runSql("SELECT * FROM cloudtrail(?1, 'errors=skip')", zGlob, 0, &a);
  runSql("SELECT count(*), min(event_time), group_concat(DISTINCT outcome)"
         " FROM t WHERE ec2_console_login(raw) IS NOT NULL", 0, 0, &a);

  /* Pushed-down constraints change no result. */
  for(k=0; k<2; k++){
    size_t iPush = (size_t)(h>>(8*k)) % N_PUSH;
    const char *zTime = azTime[(size_t)(h>>(8*k+4)) % N_TIME];
    const char *zOpt = k==0 ? "errors=skip, prune=0" : "prune=0";
    snprintf(zSql, sizeof(zSql), "SELECT file, record_index, event_time,"
             " event_name, event_source FROM cloudtrail(?1, '%s') WHERE %s",
             zOpt, azPush[iPush][0]);
    runSql(zSql, zDir, zTime, &a);
    snprintf(zSql, sizeof(zSql), "SELECT file, record_index, event_time,"
             " event_name, event_source FROM cloudtrail(?1, '%s') WHERE %s",
             zOpt, azPush[iPush][1]);
    runSql(zSql, zDir, zTime, &b);
    if( a.rc==SQLITE_ERROR && strstr(a.zErr, "cloudtrail: event_time bound '")
     && !isTime(zTime) ){
      continue;          /* refused, as documented, where SQLite alone orders it first */
    }
    sameResult(&a, &b, "rows with and without pushed-down constraints");
  }

  /* The plain file and its gzip copy read the same. */
  if( !bGzIn ){
    runSql("SELECT record_index, raw, event_time, principal_id, outcome"
           " FROM cloudtrail(?1, 'errors=skip')", zPlain, 0, &a);
    runSql("SELECT record_index, raw, event_time, principal_id, outcome"
           " FROM cloudtrail(?1, 'errors=skip')", zGz, 0, &b);
    a.zErr[0] = b.zErr[0] = 0;
    sameResult(&a, &b, "rows of the plain file and its gzip copy");
    runSql("SELECT format, records, bytes, first_event_time, last_event_time,"
           " error IS NULL FROM cloudtrail_files(?1)", zPlain, 0, &a);
    runSql("SELECT format, records, bytes, first_event_time, last_event_time,"
           " error IS NULL FROM cloudtrail_files(?1)", zGz, 0, &b);
    sameResult(&a, &b, "cloudtrail_files of the plain file and its gzip copy");
  }
  return 0;
}
