/*
** test_oom.c — out-of-memory is SQLITE_NOMEM everywhere.  For each SQL
** statement, run it once for reference, then again with the Nth memory
** allocation failing, for N = 1, 2, … until a run no longer reaches the
** failure.  Every run must either give exactly the reference rows or fail
** with SQLITE_NOMEM: never another error, and never other rows (a NULL where
** a value was, a row lost).  Built with -DSQLITE_CORE against the system
** SQLite; prints "oom: N passed, N failed".
**
**   dist/test_oom                         the built-in statements
**   dist/test_oom "SELECT … FROM …" …     these statements instead
**
** Every allocation of SQLite and of the extension goes through SQLite's
** allocator, which this program replaces (SQLITE_CONFIG_MALLOC) with one
** that fails on a countdown.  The statements use threads=0, so that no
** inflate thread allocates behind the countdown's back.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

int sqlite3_cloudtrail_init(sqlite3*, char**, const sqlite3_api_routines*);

static sqlite3_mem_methods gReal;       /* SQLite's own allocator */
static long long gnCountdown = -1;      /* fail when it reaches 0; -1: never */
static int gbFailed;                    /* the failure happened this run */

static void *oomMalloc(int n){
  if( gnCountdown>0 && --gnCountdown==0 ){ gbFailed = 1; return 0; }
  return gReal.xMalloc(n);
}
static void *oomRealloc(void *p, int n){
  if( gnCountdown>0 && --gnCountdown==0 ){ gbFailed = 1; return 0; }
  return gReal.xRealloc(p, n);
}
static void oomFree(void *p){ gReal.xFree(p); }
static int oomSize(void *p){ return gReal.xSize(p); }
static int oomRoundup(int n){ return gReal.xRoundup(n); }
static int oomInit(void *p){ return gReal.xInit(p); }
static void oomShutdown(void *p){ gReal.xShutdown(p); }

static int nPass = 0, nFail = 0;

/* Run zSql to its end on db; *pzOut receives every value, '|' and '\n'
** separated (malloc'd, outside SQLite's allocator).  Returns the last
** step's code (SQLITE_DONE on success). */
static int runSql(sqlite3 *db, const char *zSql, char **pzOut){
  sqlite3_stmt *pStmt = 0;
  size_t n = 0, nAlloc = 1024;
  char *zOut = malloc(nAlloc);
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0), i;
  zOut[0] = 0;
  if( rc==SQLITE_OK ) rc = SQLITE_ROW;
  while( rc==SQLITE_ROW && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      const char *z = (const char*)sqlite3_column_text(pStmt, i);
      size_t nz = z ? strlen(z) : 6;
      if( z==0 && sqlite3_errcode(db)==SQLITE_NOMEM ){ rc = SQLITE_NOMEM; break; }
      while( n+nz+2>=nAlloc ){ nAlloc *= 2; zOut = realloc(zOut, nAlloc); }
      memcpy(zOut+n, z ? z : "(null)", nz);
      n += nz;
      zOut[n++] = i+1<sqlite3_column_count(pStmt) ? '|' : '\n';
      zOut[n] = 0;
    }
    if( rc==SQLITE_NOMEM ) break;
  }
  if( rc!=SQLITE_DONE && rc!=SQLITE_NOMEM ) rc = sqlite3_errcode(db);
  sqlite3_finalize(pStmt);
  *pzOut = zOut;
  return rc;
}

/* Sweep one statement; returns the number of failure points tried. */
static int sweep(const char *zSql){
  sqlite3 *db = 0;
  char *zRef = 0, *zOut = 0;
  long long k;
  int rc;
  sqlite3_open(":memory:", &db);
  sqlite3_cloudtrail_init(db, 0, 0);
  rc = runSql(db, zSql, &zRef);
  if( rc!=SQLITE_DONE ){
    nFail++;
    printf("FAIL: the reference run failed (%s): %s\n", sqlite3_errmsg(db), zSql);
    free(zRef);
    sqlite3_close(db);
    return 0;
  }
  for(k=1; ; k++){
    gbFailed = 0;
    gnCountdown = k;
    rc = runSql(db, zSql, &zOut);
    gnCountdown = -1;
    if( !(rc==SQLITE_NOMEM || (rc==SQLITE_DONE && strcmp(zOut, zRef)==0)) ){
      nFail++;
      printf("FAIL: allocation %lld failing: %s%s: %s\n", k,
             rc==SQLITE_DONE ? "other rows" : "error ",
             rc==SQLITE_DONE ? "" : sqlite3_errmsg(db), zSql);
      if( rc==SQLITE_DONE ) printf("  expected:\n%s  got:\n%s", zRef, zOut);
      free(zOut);
      break;
    }
    free(zOut);
    if( !gbFailed ) break;                   /* the run completed: all tried */
  }
  if( k>1 ) nPass++;
  free(zRef);
  sqlite3_close(db);
  return (int)k;
}

static const char *const azDefault[] = {
  /* the ATT&CK reference URLs (were NULL on out-of-memory) */
  "SELECT tactic_reference, technique_reference, subtechnique_reference"
  "  FROM mitre_tags('ec2_console_login')",
  /* first/last_event_time (an unchecked copy) and the notes of files that
  ** are not CloudTrail */
  "SELECT file, format, records, first_event_time, last_event_time, error, note"
  "  FROM cloudtrail_files('fixtures/formats', 'threads=0')",
  "SELECT file, format, records, error, note"
  "  FROM cloudtrail_files('fixtures/messy', 'threads=0')",
  "SELECT file, format, records, error FROM cloudtrail_files('fixtures/bad', 'threads=0')",
  "SELECT count(*), sum(length(raw)) FROM cloudtrail('fixtures/messy', 'errors=skip, quiet=1, threads=0')",
  "SELECT event_time, event_name, principal_id, outcome FROM cloudtrail('fixtures/time', 'threads=0')"
  " WHERE event_time >= '2024-05-01 05:00:00' AND event_time IN ('2024-05-01T05:00:00Z', '2024-05-01T07:00:00+02:00')",
  "SELECT file, canonical, size, error, note FROM cloudtrail_ls('fixtures/tree')",
  "SELECT cloudtrail_time('2023-07-10T18:00:00.250+02:00'), cloudtrail_value('{\"a\":{\"b\":\"c\\u0041\"}}', 'a.b')",
};

int main(int argc, char **argv){
  static sqlite3_mem_methods oom = { oomMalloc, oomFree, oomRealloc, oomSize,
                                     oomRoundup, oomInit, oomShutdown, 0 };
  int i, nTried = 0;
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &gReal);
  sqlite3_config(SQLITE_CONFIG_MALLOC, &oom);
  sqlite3_config(SQLITE_CONFIG_LOG, 0, 0);
  if( argc>1 ){
    for(i=1; i<argc; i++) nTried += sweep(argv[i]);
  }else{
    for(i=0; i<(int)(sizeof(azDefault)/sizeof(azDefault[0])); i++) nTried += sweep(azDefault[i]);
  }
  printf("oom: %d passed, %d failed (%d allocation failures tried)\n", nPass, nFail, nTried);
  return nFail!=0;
}
