/*
** test_threads.c — concurrency and interruption of the cloudtrail tables.
**
**   test_threads CORPUS_DIR [MORE_DIR ...]
**
** Links the extension statically (-DSQLITE_CORE) against the system
** libsqlite3 and calls sqlite3_cloudtrail_init() on every connection.
** A directory written by bench/gen_corpus.py (it holds manifest.json) is
** scanned through its AWSLogs/ folder and its totals are checked against
** the manifest; any other directory is scanned as it is.
**
** 1. Identical results (every directory): a single-threaded reference run
**    of each query, with default options and with 'threads=0', then 4
**    threads, each with its own :memory: connection, run all of them at the
**    same time, twice, in different orders.  Every result (row count and a
**    hash of every value of every row, in order) must equal the reference.
**    This is what "no global mutable state" means in practice; built with
**    -fsanitize=thread (make tsan) it also catches the races that do not
**    happen to change a result.
** 2. Interruption (CORPUS_DIR only): a scan is stopped 200 ms after it
**    starts, by sqlite3_interrupt() from another thread and by a progress
**    handler (every 100 VDBE ops) that returns 1 once another thread sets
**    a flag; sqlite3_step() must return SQLITE_INTERRUPT within 100 ms of
**    the request.  Every scan is first run uninterrupted and must take at
**    least 500 ms; each is sized for about a second, whatever the corpus
**    and the build, by walking the corpus many times through a temporary
**    directory of symbolic links to it, or by reading a large gzip file of
**    as many 1 MiB members as it takes.  Cases: an aggregate over every row
**    (default and threads=0); SELECT * FROM cloudtrail_files; pushed-down
**    constraints that match no record (event_name) and that prune every
**    file (event_time), with which the table may loop inside xFilter/xNext
**    without returning a row; and one large file (over 4 MiB, so zlib
**    inflates it on the inflate thread), read by cloudtrail and by
**    cloudtrail_files (one row for the whole file).
** 3. Cleanup: after every statement is finalized and its connection
**    closed, the process has as many open file descriptors
**    (/proc/self/fd), threads (/proc/self/task) and bytes allocated through
**    SQLite (everything the extension and zlib allocate) and by libdeflate
**    (both counted by this program's allocators, see countedMalloc()) as
**    before the connection was opened; and the interrupted connection
**    still answers a query correctly.
**
** Prints one line per check ("ok" or "FAIL"), lines starting with '#' for
** information (timings), and ends with "threads: N passed, M failed"; the
** exit status is non-zero if any check failed.  Built with
** -fsanitize=thread the latencies are printed but not checked (see
** UNDER_TSAN).
*/
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <sqlite3.h>

int sqlite3_cloudtrail_init(sqlite3*, char**, const sqlite3_api_routines*);

/* Under ThreadSanitizer everything runs 5 to 20 times slower, so the
** latency budget says nothing about the real build: the latencies are
** printed, not checked (make test-threads checks them).  Everything else,
** and every race TSan finds, still counts. */
#if defined(__SANITIZE_THREAD__)
# define UNDER_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define UNDER_TSAN 1
# endif
#endif
#ifndef UNDER_TSAN
# define UNDER_TSAN 0
#endif

#define N_THREAD   4      /* concurrent connections in part 1 */
#define N_ROUND    2      /* times each thread runs every query */
#define INTERRUPT_AFTER_MS 200.0
#define INTERRUPT_BUDGET_MS 100.0
#define SCAN_TARGET_MS 1000.0  /* the interrupted scans are sized for this */
#define SCAN_MIN_MS    500.0   /* shorter and the interrupt case proves nothing */
#define MAX_LINKS      20000   /* links to the corpus in a long tree */
#define PROGRESS_OPS   100     /* progress handler period, in VDBE ops */

/* ------------------------------------------------------------------------
** Checks and helpers.  Only the main thread calls check().
*/
static int nPass = 0, nFail = 0;

__attribute__((format(printf, 2, 3)))
static void check(int bOk, const char *zFmt, ...){
  va_list ap;
  printf("%s ", bOk ? "ok  " : "FAIL");
  va_start(ap, zFmt);
  vprintf(zFmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
  if( bOk ) nPass++; else nFail++;
}

__attribute__((format(printf, 1, 2)))
static void info(const char *zFmt, ...){
  va_list ap;
  printf("# ");
  va_start(ap, zFmt);
  vprintf(zFmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
}

static double nowMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec*1000.0 + ts.tv_nsec/1e6;
}

/* Entries of a /proc/self directory, without "." and "..". */
static int countEntries(const char *zDir){
  DIR *d = opendir(zDir);
  struct dirent *e;
  int n = 0;
  if( d==0 ) return -1;
  while( (e = readdir(d))!=0 ){
    if( strcmp(e->d_name, ".") && strcmp(e->d_name, "..") ) n++;
  }
  closedir(d);
  return n - (strcmp(zDir, "/proc/self/fd")==0);   /* the listing's own fd */
}
static int countFds(void){ return countEntries("/proc/self/fd"); }
static int countTasks(void){ return countEntries("/proc/self/task"); }

/* A thread that pthread_join() has waited for can still be listed in
** /proc/self/task for a moment: the kernel clears the joined-on thread id
** before it finishes tearing the thread down.  So thread counts are read
** once they stop falling (every TASK_SETTLE_MS, for up to TASK_SETTLE_MAX
** tries): a thread that is really left running never goes away. */
#define TASK_SETTLE_MS  5
#define TASK_SETTLE_MAX 200
static int settledTasks(int nWant){
  int n = countTasks(), k;
  for(k=0; k<TASK_SETTLE_MAX && n!=nWant; k++){
    struct timespec ts = { 0, TASK_SETTLE_MS*1000000L };
    int nNext;
    nanosleep(&ts, 0);
    nNext = countTasks();
    if( nNext>=n && nWant<0 ) break;     /* no target: stop once it is steady */
    n = nNext;
  }
  return n;
}

/*
** Counting allocators.  SQLite's own memory statistics take a global mutex
** on every allocation, and ThreadSanitizer takes every lock and unlock as
** an ordering between the threads: two threads that both allocate through
** SQLite would look ordered, and a race between them would go unseen.  So
** statistics are off (SQLITE_CONFIG_MEMSTATUS) and SQLite allocates through
** this counter instead, with relaxed atomics, which order nothing.
** libdeflate allocates with malloc(); its allocator hook is process-wide,
** so an extension must leave it alone, but this program owns the process
** and counts what libdeflate holds the same way.
*/
static atomic_llong nSqliteMem, nDeflateMem;

static void *countedMalloc(atomic_llong *pCount, size_t n){
  size_t *p = malloc(n+16);
  if( p==0 ) return 0;
  p[0] = n;
  atomic_fetch_add_explicit(pCount, (long long)n, memory_order_relaxed);
  return (char*)p + 16;
}
static void countedFree(atomic_llong *pCount, void *pMem){
  size_t *p;
  if( pMem==0 ) return;
  p = (size_t*)((char*)pMem - 16);
  atomic_fetch_sub_explicit(pCount, (long long)p[0], memory_order_relaxed);
  free(p);
}
static size_t countedSize(void *pMem){
  return pMem ? ((size_t*)((char*)pMem - 16))[0] : 0;
}

static void *sqlMalloc(int n){ return countedMalloc(&nSqliteMem, (size_t)n); }
static void sqlFree(void *p){ countedFree(&nSqliteMem, p); }
static int sqlSize(void *p){ return (int)countedSize(p); }
static int sqlRoundup(int n){ return (n+7) & ~7; }
static int sqlInit(void *pArg){ (void)pArg; return SQLITE_OK; }
static void sqlShutdown(void *pArg){ (void)pArg; }
static void *sqlRealloc(void *pOld, int n){
  void *pNew = sqlMalloc(n);
  if( pNew && pOld ){
    size_t nOld = countedSize(pOld);
    memcpy(pNew, pOld, nOld<(size_t)n ? nOld : (size_t)n);
  }
  if( pNew ) sqlFree(pOld);
  return pNew;
}
static const sqlite3_mem_methods sqlMem = {
  sqlMalloc, sqlFree, sqlRealloc, sqlSize, sqlRoundup, sqlInit, sqlShutdown, 0
};

#if CT_HAVE_LIBDEFLATE
#include <libdeflate.h>
static void *deflateMalloc(size_t n){ return countedMalloc(&nDeflateMem, n); }
static void deflateFree(void *p){ countedFree(&nDeflateMem, p); }
static long long deflateInUse(void){
  return atomic_load_explicit(&nDeflateMem, memory_order_relaxed);
}
#else
static long long deflateInUse(void){ return -1; }
#endif

/* What the process holds: compared before and after a connection's life. */
typedef struct Footprint Footprint;
struct Footprint {
  int nFd, nTask;
  long long nSqliteMem, nDeflateMem;
};
static void footprint(Footprint *p){
  p->nFd = countFds();
  p->nTask = settledTasks(-1);
  p->nSqliteMem = atomic_load_explicit(&nSqliteMem, memory_order_relaxed);
  p->nDeflateMem = deflateInUse();
}
static void checkFootprint(const Footprint *p0, const char *zWhat){
  Footprint f;
  footprint(&f);
  f.nTask = settledTasks(p0->nTask);
  check(f.nFd==p0->nFd, "%s: no file descriptor left open (%d before, %d after)",
        zWhat, p0->nFd, f.nFd);
  check(f.nTask==p0->nTask, "%s: no thread left running (%d before, %d after)",
        zWhat, p0->nTask, f.nTask);
  check(f.nSqliteMem==p0->nSqliteMem, "%s: no SQLite memory leaked "
        "(%lld bytes before, %lld after)", zWhat, p0->nSqliteMem, f.nSqliteMem);
  if( p0->nDeflateMem>=0 ){
    check(f.nDeflateMem==p0->nDeflateMem, "%s: no libdeflate memory leaked "
          "(%lld bytes before, %lld after)", zWhat, p0->nDeflateMem, f.nDeflateMem);
  }
}

/* A :memory: connection with the extension registered; 0 and zErr set on
** failure. */
static sqlite3 *openDb(char *zErr, size_t nErr){
  sqlite3 *db = 0;
  int rc = sqlite3_open(":memory:", &db);
  if( rc==SQLITE_OK ) rc = sqlite3_cloudtrail_init(db, 0, 0);
  if( rc!=SQLITE_OK ){
    snprintf(zErr, nErr, "cannot open a connection: %s",
             db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return 0;
  }
  return db;
}

/* ------------------------------------------------------------------------
** Query results: the row count, a hash of every value of every row in
** order, and the first row as text (for the log).
*/
typedef struct Result Result;
struct Result {
  long long nRow;
  uint64_t h;
  char zFirst[160];
  char zErr[200];
};

static uint64_t hashBytes(uint64_t h, const void *pData, size_t n){
  const unsigned char *a = pData;
  while( n>=8 ){
    uint64_t w;
    memcpy(&w, a, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 29;
    a += 8; n -= 8;
  }
  while( n>0 ){
    h = (h ^ *a++) * 0x100000001b3ULL;
    n--;
  }
  return h;
}
static uint64_t hashU64(uint64_t h, uint64_t v){ return hashBytes(h, &v, 8); }

static int resultsEqual(const Result *a, const Result *b){
  return a->nRow==b->nRow && a->h==b->h && strcmp(a->zFirst, b->zFirst)==0
      && strcmp(a->zErr, b->zErr)==0;
}

static void describe(const Result *r, char *z, size_t n){
  if( r->zErr[0] ){
    snprintf(z, n, "error: %s", r->zErr);
  }else{
    snprintf(z, n, "%lld rows, hash %016llx, first row %s", r->nRow,
             (unsigned long long)r->h, r->zFirst);
  }
}

/* Bind ?1 = zPath, ?2 = zOpt (NULL for none), ?3 = zArg where present. */
static int bindArgs(sqlite3_stmt *pStmt, const char *zPath, const char *zOpt,
                    const char *zArg){
  int n = sqlite3_bind_parameter_count(pStmt), rc = SQLITE_OK;
  if( n>=1 ) rc = sqlite3_bind_text(pStmt, 1, zPath, -1, SQLITE_TRANSIENT);
  if( rc==SQLITE_OK && n>=2 ){
    rc = zOpt ? sqlite3_bind_text(pStmt, 2, zOpt, -1, SQLITE_TRANSIENT)
              : sqlite3_bind_null(pStmt, 2);
  }
  if( rc==SQLITE_OK && n>=3 ){
    rc = zArg ? sqlite3_bind_text(pStmt, 3, zArg, -1, SQLITE_TRANSIENT)
              : sqlite3_bind_null(pStmt, 3);
  }
  return rc;
}

/* Add the current row of pStmt to r. */
static void hashRow(sqlite3_stmt *pStmt, Result *r){
  int i, nCol = sqlite3_column_count(pStmt);
  size_t nFirst = 0;
  for(i=0; i<nCol; i++){
    int t = sqlite3_column_type(pStmt, i);
    r->h = hashU64(r->h, (uint64_t)t);
    if( t==SQLITE_INTEGER ){
      r->h = hashU64(r->h, (uint64_t)sqlite3_column_int64(pStmt, i));
    }else if( t==SQLITE_FLOAT ){
      double d = sqlite3_column_double(pStmt, i);
      r->h = hashBytes(r->h, &d, sizeof(d));
    }else if( t!=SQLITE_NULL ){
      const void *p = sqlite3_column_blob(pStmt, i);
      int n = sqlite3_column_bytes(pStmt, i);
      r->h = hashU64(r->h, (uint64_t)n);
      r->h = hashBytes(r->h, p, (size_t)n);
    }
    if( r->nRow==0 && nFirst+1<sizeof(r->zFirst) ){
      const char *z = (const char*)sqlite3_column_text(pStmt, i);
      int k = snprintf(r->zFirst+nFirst, sizeof(r->zFirst)-nFirst, "%s%.40s",
                       i ? "|" : "", z ? z : "NULL");
      if( k>0 ) nFirst += (size_t)k;
      if( nFirst>=sizeof(r->zFirst) ) nFirst = sizeof(r->zFirst)-1;
    }
  }
  if( r->nRow==0 ){
    char *z;
    for(z=r->zFirst; *z; z++){ if( (unsigned char)*z<0x20 ) *z = ' '; }
  }
  r->h = hashU64(r->h, 0x9e3779b97f4a7c15ULL);
  r->nRow++;
}

static void runQuery(sqlite3 *db, const char *zSql, const char *zPath,
                     const char *zOpt, const char *zArg, Result *r){
  sqlite3_stmt *pStmt = 0;
  int rc;
  memset(r, 0, sizeof(*r));
  r->h = 0xcbf29ce484222325ULL;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if( rc==SQLITE_OK ) rc = bindArgs(pStmt, zPath, zOpt, zArg);
  if( rc==SQLITE_OK ){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ) hashRow(pStmt, r);
  }
  if( rc!=SQLITE_DONE ){
    snprintf(r->zErr, sizeof(r->zErr), "%s (rc=%d)", sqlite3_errmsg(db), rc);
  }
  sqlite3_finalize(pStmt);
}

/* ------------------------------------------------------------------------
** Part 1: identical results from concurrent connections.
*/
typedef struct Query Query;
struct Query {
  const char *zName;
  const char *zSql;        /* ?1 PATH, ?2 OPTIONS or NULL, ?3 a time bound */
};
static const Query aQuery[] = {
  { "every column of every row",
    "SELECT * FROM cloudtrail(?1, ?2)" },
  { "totals",
    "SELECT count(*), sum(length(raw)), sum(record_index*length(event_id)),"
    " count(DISTINCT file), min(event_time), max(event_time)"
    " FROM cloudtrail(?1, ?2)" },
  { "ec2_console_login(raw)",
    "SELECT count(*), group_concat(event_id) FROM cloudtrail(?1, ?2)"
    " WHERE ec2_console_login(raw)" },
  { "pushdown event_time >= X (prunes files)",
    "SELECT event_time, event_name, file, record_index FROM cloudtrail(?1, ?2)"
    " WHERE event_time >= ?3" },
  { "pushdown event_name IN, event_source =",
    "SELECT file, record_index, event_name, principal_id, outcome"
    " FROM cloudtrail(?1, ?2)"
    " WHERE event_name IN ('ConsoleLogin', 'GetSigninToken')"
    " AND event_source = 'signin.amazonaws.com'" },
  { "cloudtrail_files rows",
    "SELECT * FROM cloudtrail_files(?1, ?2)" },
  { "cloudtrail_files totals",
    "SELECT count(*), sum(records), sum(bytes), sum(compressed_bytes),"
    " min(first_event_time), max(last_event_time), count(error)"
    " FROM cloudtrail_files(?1, ?2)" },
};
#define N_QUERY ((int)(sizeof(aQuery)/sizeof(aQuery[0])))
static const char *const azOpt[] = { 0, "threads=0" };
#define N_OPT 2
#define OPT_NAME(i) (azOpt[i] ? azOpt[i] : "default")

typedef struct Worker Worker;
struct Worker {
  int iThread;
  const char *zPath, *zTime;
  pthread_barrier_t *pBarrier;
  Result aRes[N_ROUND][N_QUERY][N_OPT];
  char zErr[200];
  double ms;
};

static void *workerMain(void *pArg){
  Worker *w = pArg;
  sqlite3 *db;
  int iRound, k;
  double t0;
  pthread_barrier_wait(w->pBarrier);
  t0 = nowMs();
  /* Registration runs concurrently too. */
  db = openDb(w->zErr, sizeof(w->zErr));
  if( db==0 ) return 0;
  for(iRound=0; iRound<N_ROUND; iRound++){
    for(k=0; k<N_QUERY*N_OPT; k++){
      /* Each thread and round takes the queries in another order, so
      ** different queries and options overlap. */
      int j = (k + w->iThread*5 + iRound*3) % (N_QUERY*N_OPT);
      int iQ = j / N_OPT, iO = j % N_OPT;
      runQuery(db, aQuery[iQ].zSql, w->zPath, azOpt[iO], w->zTime,
               &w->aRes[iRound][iQ][iO]);
    }
  }
  sqlite3_close(db);
  w->ms = nowMs() - t0;
  return 0;
}

/* A copy of the whole file, or 0. */
static char *readWhole(const char *zFile){
  FILE *f = fopen(zFile, "rb");
  char *z = 0;
  long n;
  if( f==0 ) return 0;
  if( fseek(f, 0, SEEK_END)==0 && (n = ftell(f))>=0 && fseek(f, 0, SEEK_SET)==0 ){
    z = malloc((size_t)n+1);
    if( z && fread(z, 1, (size_t)n, f)!=(size_t)n ){ free(z); z = 0; }
    if( z ) z[n] = 0;
  }
  fclose(f);
  return z;
}

/* A single value from a query, as an integer (-1 on error). */
static long long queryInt(sqlite3 *db, const char *zSql, const char *zA,
                          const char *zB){
  sqlite3_stmt *pStmt = 0;
  long long v = -1;
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)==SQLITE_OK
   && bindArgs(pStmt, zA, zB, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW
   && sqlite3_column_type(pStmt, 0)!=SQLITE_NULL ){
    v = sqlite3_column_int64(pStmt, 0);
  }
  sqlite3_finalize(pStmt);
  return v;
}

/* The path to scan for directory zDir: its AWSLogs/ folder if it is a
** generated corpus (manifest.json: that file is no CloudTrail log).  *pzManifest
** gets the manifest's text, or 0. */
static char *scanPath(const char *zDir, char **pzManifest){
  char *zMan = sqlite3_mprintf("%s/manifest.json", zDir);
  *pzManifest = zMan ? readWhole(zMan) : 0;
  sqlite3_free(zMan);
  if( *pzManifest ) return sqlite3_mprintf("%s/AWSLogs", zDir);
  return sqlite3_mprintf("%s", zDir);
}

/*
** Part 1 over one directory.  Returns the number of records (-1 if the
** reference run failed).
*/
static long long testIdentical(const char *zDir){
  char zErr[200] = "";
  char *zManifest = 0;
  char *zPath = scanPath(zDir, &zManifest);
  sqlite3 *db;
  Result aRef[N_QUERY][N_OPT];
  Worker *aW;
  pthread_t aThread[N_THREAD];
  pthread_barrier_t barrier;
  Footprint fp0;
  char zTime[64] = "";
  long long nRecord = -1;
  double t0;
  int i, iQ, iO, iR, bRefOk = 1;

  printf("\n# part 1: identical results, %d threads, over %s\n", N_THREAD, zPath);
  footprint(&fp0);
  db = openDb(zErr, sizeof(zErr));
  if( db==0 ){
    check(0, "%s: %s", zDir, zErr);
    sqlite3_free(zPath); free(zManifest);
    return -1;
  }
  /* X, the pushed-down time bound: the event time 90 % of the way through
  ** the records, so about a tenth of them (and of the files) remain. */
  {
    sqlite3_stmt *pStmt = 0;
    if( sqlite3_prepare_v2(db, "SELECT event_time FROM cloudtrail(?1)"
          " ORDER BY event_time LIMIT 1"
          " OFFSET (SELECT count(*)*9/10 FROM cloudtrail(?1))", -1, &pStmt, 0)==SQLITE_OK
     && bindArgs(pStmt, zPath, 0, 0)==SQLITE_OK
     && sqlite3_step(pStmt)==SQLITE_ROW ){
      snprintf(zTime, sizeof(zTime), "%s", (const char*)sqlite3_column_text(pStmt, 0));
    }
    sqlite3_finalize(pStmt);
  }
  check(zTime[0]!=0, "%s: a time bound X for the pushdown query (X = %s)", zDir,
        zTime[0] ? zTime : sqlite3_errmsg(db));

  /* The single-threaded reference. */
  t0 = nowMs();
  for(iQ=0; iQ<N_QUERY; iQ++){
    for(iO=0; iO<N_OPT; iO++){
      runQuery(db, aQuery[iQ].zSql, zPath, azOpt[iO], zTime, &aRef[iQ][iO]);
      if( aRef[iQ][iO].zErr[0] ) bRefOk = 0;
    }
  }
  info("reference run, one thread: %.0f ms for %d queries", nowMs()-t0, N_QUERY*N_OPT);
  for(iQ=0; iQ<N_QUERY; iQ++){
    char zD[400];
    describe(&aRef[iQ][0], zD, sizeof(zD));
    check(aRef[iQ][0].zErr[0]==0 && aRef[iQ][0].nRow>0
          && resultsEqual(&aRef[iQ][0], &aRef[iQ][1]),
          "%s: reference %s: default == threads=0 (%s)", zDir, aQuery[iQ].zName, zD);
  }
  nRecord = bRefOk ? aRef[0][0].nRow : -1;
  {
    /* The pushdown query keeps some records, not all: it tests something. */
    long long nSince = aRef[3][0].nRow;
    check(nSince>0 && nSince<nRecord, "%s: the pushdown query keeps %lld of %lld "
          "records", zDir, nSince, nRecord);
  }
  if( zManifest ){
    long long nMan = queryInt(db, "SELECT json_extract(?1, '$.records')", zManifest, 0);
    long long nHit = queryInt(db, "SELECT json_extract(?1, '$.expected_matches')",
                              zManifest, 0);
    long long nRule = queryInt(db, "SELECT count(*) FROM cloudtrail(?1)"
                               " WHERE ec2_console_login(raw)", zPath, 0);
    check(nRecord==nMan, "%s: records = manifest's (%lld, %lld)", zDir, nRecord, nMan);
    check(nRule==nHit, "%s: rule matches = manifest's (%lld, %lld)", zDir, nRule, nHit);
  }
  sqlite3_close(db);

  /* The same queries, 4 threads at once. */
  aW = calloc(N_THREAD, sizeof(Worker));
  if( aW==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
  pthread_barrier_init(&barrier, 0, N_THREAD);
  t0 = nowMs();
  for(i=0; i<N_THREAD; i++){
    aW[i].iThread = i;
    aW[i].zPath = zPath;
    aW[i].zTime = zTime;
    aW[i].pBarrier = &barrier;
    if( pthread_create(&aThread[i], 0, workerMain, &aW[i]) ){
      fprintf(stderr, "pthread_create failed\n");
      exit(2);
    }
  }
  for(i=0; i<N_THREAD; i++) pthread_join(aThread[i], 0);
  pthread_barrier_destroy(&barrier);
  info("%d threads x %d rounds x %d queries: %.0f ms (threads: %.0f %.0f %.0f %.0f ms)",
       N_THREAD, N_ROUND, N_QUERY*N_OPT, nowMs()-t0,
       aW[0].ms, aW[1].ms, aW[2].ms, aW[3].ms);
  for(i=0; i<N_THREAD; i++){
    if( aW[i].zErr[0] ) check(0, "%s: thread %d: %s", zDir, i, aW[i].zErr);
  }
  for(iQ=0; iQ<N_QUERY; iQ++){
    for(iO=0; iO<N_OPT; iO++){
      int nSame = 0, nAll = 0;
      char zWhy[600] = "";
      for(i=0; i<N_THREAD; i++){
        for(iR=0; iR<N_ROUND; iR++){
          const Result *r = &aW[i].aRes[iR][iQ][iO];
          nAll++;
          if( resultsEqual(r, &aRef[iQ][iO]) && aW[i].zErr[0]==0 ){
            nSame++;
          }else if( zWhy[0]==0 ){
            char zD[400];
            describe(r, zD, sizeof(zD));
            snprintf(zWhy, sizeof(zWhy), "; thread %d round %d got %s", i, iR, zD);
          }
        }
      }
      check(nSame==nAll && bRefOk, "%s: %s, %s: %d of %d concurrent runs equal "
            "the reference (%lld rows)%s", zDir, aQuery[iQ].zName, OPT_NAME(iO),
            nSame, nAll, aRef[iQ][iO].nRow, zWhy);
    }
  }
  free(aW);
  checkFootprint(&fp0, "after the concurrent runs");
  sqlite3_free(zPath);
  free(zManifest);
  return nRecord;
}

/* ------------------------------------------------------------------------
** Part 2: interruption.
*/
#define MODE_INTERRUPT 0     /* sqlite3_interrupt() from another thread */
#define MODE_PROGRESS  1     /* a progress handler returns 1 once a flag is set */

typedef struct Timer Timer;
struct Timer {
  sqlite3 *db;
  int eMode;
  double tStart;             /* when the scan started */
  double tRequest;           /* when the stop was asked for */
  int nFdDuring;             /* open fds just before asking */
  int nTaskDuring;           /* threads just before asking */
  atomic_int bFlag;          /* the progress handler's "stop" */
  atomic_int nCallback;      /* progress handler calls */
};

static void *timerMain(void *pArg){
  Timer *t = pArg;
  double tWake = t->tStart + INTERRUPT_AFTER_MS;
  struct timespec ts;
  ts.tv_sec = (time_t)(tWake/1000.0);
  ts.tv_nsec = (long)((tWake - ts.tv_sec*1000.0)*1e6);
  if( ts.tv_nsec>=1000000000L ){ ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
  while( clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, 0)==EINTR ){}
  t->nFdDuring = countFds();
  t->nTaskDuring = countTasks();
  t->tRequest = nowMs();
  if( t->eMode==MODE_INTERRUPT ){
    sqlite3_interrupt(t->db);
  }else{
    atomic_store(&t->bFlag, 1);
  }
  return 0;
}

static int progressCb(void *pArg){
  Timer *t = pArg;
  atomic_fetch_add_explicit(&t->nCallback, 1, memory_order_relaxed);
  return atomic_load(&t->bFlag);
}

/* Where a case runs. */
#define ON_TREE 0   /* the corpus, walked many times through links */
#define ON_FILE 1   /* one large multi-member gzip file of JSON lines */

typedef struct Case Case;
struct Case {
  const char *zName;
  int eOn;
  const char *zSql;          /* ?1 is the path */
};
static const Case aCase[] = {
  { "aggregate over every row", ON_TREE,
    "SELECT count(*), sum(length(raw)) FROM cloudtrail(?1)" },
  { "aggregate over every row, threads=0", ON_TREE,
    "SELECT count(*), sum(length(raw)) FROM cloudtrail(?1, 'threads=0')" },
  { "SELECT * FROM cloudtrail_files", ON_TREE,
    "SELECT * FROM cloudtrail_files(?1)" },
  { "pushdown that skips every record", ON_TREE,
    "SELECT count(*) FROM cloudtrail(?1) WHERE event_name = 'NoSuchEvent'" },
  { "pushdown that prunes every file", ON_TREE,
    "SELECT count(*) FROM cloudtrail(?1) WHERE event_time >= '2999-01-01T00:00:00Z'" },
  { "one large gzip file (zlib, inflate thread), aggregate over every row", ON_FILE,
    "SELECT count(*), sum(length(raw)) FROM cloudtrail(?1)" },
  { "one large gzip file, SELECT * FROM cloudtrail_files", ON_FILE,
    "SELECT * FROM cloudtrail_files(?1)" },
};
#define N_CASE ((int)(sizeof(aCase)/sizeof(aCase[0])))

/* Run zSql to its end; *prc is the last sqlite3_step() code.  Returns ms. */
static double runTimed(sqlite3 *db, const char *zSql, const char *zPath,
                       long long *pnRow, int *prc){
  sqlite3_stmt *pStmt = 0;
  double t0 = nowMs();
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  *pnRow = 0;
  if( rc==SQLITE_OK ) rc = bindArgs(pStmt, zPath, 0, 0);
  if( rc==SQLITE_OK ){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ) (*pnRow)++;
  }
  sqlite3_finalize(pStmt);
  *prc = rc;
  return nowMs() - t0;
}

/* Run pCase over zPath, stopped after INTERRUPT_AFTER_MS by eMode. */
static void testInterruptCase(const Case *pCase, int eMode, const char *zPath,
                              const char *zBase, long long nRecord, double msFull){
  const char *zMode = eMode==MODE_INTERRUPT ? "sqlite3_interrupt()" : "progress handler";
  char zWhat[200], zErr[200] = "";
  Footprint fp0;
  sqlite3 *db;
  sqlite3_stmt *pStmt = 0;
  pthread_t thread;
  Timer *t = calloc(1, sizeof(Timer));
  int rc, nFdAfterStop;
  long long nRow = 0;
  double tEnd, msLate;

  if( t==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
  snprintf(zWhat, sizeof(zWhat), "%s, %s", pCase->zName, zMode);
  footprint(&fp0);
  db = openDb(zErr, sizeof(zErr));
  if( db==0 ){ check(0, "%s: %s", zWhat, zErr); free(t); return; }
  rc = sqlite3_prepare_v2(db, pCase->zSql, -1, &pStmt, 0);
  if( rc==SQLITE_OK ) rc = bindArgs(pStmt, zPath, 0, 0);
  if( rc!=SQLITE_OK ){
    check(0, "%s: prepare: %s", zWhat, sqlite3_errmsg(db));
    sqlite3_finalize(pStmt);
    sqlite3_close(db);
    free(t);
    return;
  }
  t->db = db;
  t->eMode = eMode;
  if( eMode==MODE_PROGRESS ) sqlite3_progress_handler(db, PROGRESS_OPS, progressCb, t);
  t->tStart = nowMs();
  if( pthread_create(&thread, 0, timerMain, t) ){
    fprintf(stderr, "pthread_create failed\n");
    exit(2);
  }
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ) nRow++;
  tEnd = nowMs();
  pthread_join(thread, 0);
  nFdAfterStop = countFds();
  msLate = tEnd - t->tRequest;
  if( UNDER_TSAN ){
    info("%s: (TSan build, latency not checked) %s %.1f ms after the request, "
         "sqlite3_step() returned %d; asked %.0f ms into a %.0f ms scan", zWhat,
         rc==SQLITE_INTERRUPT ? "stopped" : "NOT stopped, ended", msLate, rc,
         t->tRequest - t->tStart, msFull);
  }else if( rc==SQLITE_INTERRUPT ){
    check(msLate<INTERRUPT_BUDGET_MS, "%s: stopped %.1f ms after the request "
          "(budget %.0f ms; asked %.0f ms into a %.0f ms scan; %lld rows "
          "returned, %d files open)", zWhat, msLate, INTERRUPT_BUDGET_MS,
          t->tRequest - t->tStart, msFull, nRow, t->nFdDuring - fp0.nFd);
  }else if( rc==SQLITE_DONE && tEnd<t->tRequest ){
    check(0, "%s: the scan ended (%.0f ms) before the stop was asked for: "
          "the corpus is too small for this test", zWhat, tEnd - t->tStart);
  }else{
    check(0, "%s: not stopped: sqlite3_step() returned %d (%s) %.1f ms after "
          "the request (budget %.0f ms; asked %.0f ms into a %.0f ms scan)",
          zWhat, rc, sqlite3_errmsg(db), msLate, INTERRUPT_BUDGET_MS,
          t->tRequest - t->tStart, msFull);
  }
  if( eMode==MODE_PROGRESS ){
    info("%s: %d progress handler calls", zWhat, atomic_load(&t->nCallback));
  }
  info("%s: open fds: %d before the statement, %d while it ran, %d once "
       "sqlite3_step() returned; threads: %d before, %d while it ran "
       "(with the timer)", zWhat, fp0.nFd, t->nFdDuring, nFdAfterStop,
       fp0.nTask, t->nTaskDuring);
  sqlite3_finalize(pStmt);

  /* The connection works normally afterwards. */
  sqlite3_progress_handler(db, 0, 0, 0);
  {
    long long n = queryInt(db, "SELECT count(*) FROM cloudtrail(?1)", zBase, 0);
    check(n==nRecord, "%s: the connection still works (%lld records, expected %lld)",
          zWhat, n, nRecord);
  }
  sqlite3_close(db);
  free(t);
  checkFootprint(&fp0, zWhat);
}

/* Up to nCap bytes of JSON lines: the records of zBase, minified, in
** order (again from the first if there are fewer).  Returns a malloc'd
** text. */
static char *jsonLines(sqlite3 *db, const char *zBase, size_t nCap, size_t *pn){
  size_t n = 0;
  char *z = malloc(nCap);
  int bAny = 0, bFull = 0;
  if( z==0 ) return 0;
  while( !bFull ){
    sqlite3_stmt *pStmt = 0;
    int bNew = 0;
    if( sqlite3_prepare_v2(db, "SELECT json(raw) FROM cloudtrail(?1)", -1,
                           &pStmt, 0)!=SQLITE_OK
     || bindArgs(pStmt, zBase, 0, 0)!=SQLITE_OK ){
      sqlite3_finalize(pStmt);
      break;
    }
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      size_t nRec = (size_t)sqlite3_column_bytes(pStmt, 0);
      if( n+nRec+1>nCap ){ bFull = 1; break; }
      memcpy(z+n, sqlite3_column_text(pStmt, 0), nRec);
      n += nRec;
      z[n++] = '\n';
      bNew = bAny = 1;
    }
    sqlite3_finalize(pStmt);
    if( !bNew ) break;
  }
  if( !bAny ){ free(z); return 0; }
  *pn = n;
  return z;
}

/* aIn[0..nIn) as one gzip member.  Returns a malloc'd buffer (*pnOut
** bytes) or 0. */
static unsigned char *gzipMember(const char *aIn, size_t nIn, size_t *pnOut){
  unsigned char *aOut = 0;
  z_stream zs;
  memset(&zs, 0, sizeof(zs));
  if( deflateInit2(&zs, 6, Z_DEFLATED, 15+16, 8, Z_DEFAULT_STRATEGY)==Z_OK ){
    size_t nOut = deflateBound(&zs, (uLong)nIn);
    aOut = malloc(nOut);
    if( aOut ){
      zs.next_in = (Bytef*)aIn;
      zs.avail_in = (uInt)nIn;
      zs.next_out = aOut;
      zs.avail_out = (uInt)nOut;
      if( deflate(&zs, Z_FINISH)!=Z_STREAM_END ){ free(aOut); aOut = 0; }
      *pnOut = zs.total_out;
    }
    deflateEnd(&zs);
  }
  return aOut;
}

/* The large file's gzip members: 1 MiB of text each.  "Dense" ones hold
** 1 MiB of distinct records and compress about 8:1, so that a few of them
** make the file large on disk; "cheap" ones repeat 16 KB of records and
** compress about 80:1, so that the file holds a long scan in little space. */
typedef struct Members Members;
struct Members {
  unsigned char *aDense, *aCheap;
  size_t nDense, nCheap;     /* compressed sizes */
  size_t nTextDense, nTextCheap;
};

static int makeMembers(sqlite3 *db, const char *zBase, Members *p){
  size_t nCycle = 0, n;
  char *zDense = jsonLines(db, zBase, 1u<<20, &p->nTextDense);
  char *zCycle = jsonLines(db, zBase, 16u<<10, &nCycle);
  char *zCheap = malloc(1u<<20);
  if( zDense && zCycle && zCheap ){
    for(n=0; n+nCycle<=(1u<<20); n+=nCycle) memcpy(zCheap+n, zCycle, nCycle);
    p->nTextCheap = n;
    p->aDense = gzipMember(zDense, p->nTextDense, &p->nDense);
    p->aCheap = n ? gzipMember(zCheap, n, &p->nCheap) : 0;
  }
  free(zDense);
  free(zCycle);
  free(zCheap);
  return p->aDense && p->aCheap;
}

/* Write nDense dense members then nCheap cheap ones to zFile. */
static int writeMembers(const char *zFile, const Members *p, int nDense,
                        int nCheap){
  FILE *f = fopen(zFile, "wb");
  int i, bOk = f!=0;
  for(i=0; bOk && i<nDense; i++) bOk = fwrite(p->aDense, 1, p->nDense, f)==p->nDense;
  for(i=0; bOk && i<nCheap; i++) bOk = fwrite(p->aCheap, 1, p->nCheap, f)==p->nCheap;
  if( f && fclose(f)!=0 ) bOk = 0;
  return bOk;
}

/* The temporary files of part 2, under one mkdtemp() directory: for each
** case, a directory of links to the corpus or a large file. */
typedef struct Scratch Scratch;
struct Scratch {
  char *zDir;
  char *azPath[N_CASE];      /* zDir/tree-N or zDir/large-N.json.gz */
  int anLink[N_CASE];        /* links in zDir/tree-N */
};

static char *linkName(const char *zTree, int i){
  return sqlite3_mprintf("%s/%05d", zTree, i);
}

static void scratchFree(Scratch *p){
  int iCase, i;
  for(iCase=0; iCase<N_CASE; iCase++){
    const char *zPath = p->azPath[iCase];
    if( zPath==0 ) continue;
    if( aCase[iCase].eOn==ON_TREE ){
      for(i=0; i<p->anLink[iCase]; i++){
        char *z = linkName(zPath, i);
        if( z ) unlink(z);
        sqlite3_free(z);
      }
      rmdir(zPath);
    }else{
      unlink(zPath);
    }
    sqlite3_free(p->azPath[iCase]);
  }
  if( p->zDir ) rmdir(p->zDir);
  sqlite3_free(p->zDir);
  memset(p, 0, sizeof(*p));
}

/* How many copies of something that took ms make a scan of SCAN_TARGET_MS. */
static int copiesFor(double ms, int nNow, int nMax){
  double n = nNow * SCAN_TARGET_MS / (ms>0.05 ? ms : 0.05);
  return n>=nMax ? nMax : (int)n + 1;
}

/* The faster of two runs, in ms. */
static double timeTwice(sqlite3 *db, const char *zSql, const char *zPath){
  long long nRow;
  int rc;
  double a = runTimed(db, zSql, zPath, &nRow, &rc);
  double b = runTimed(db, zSql, zPath, &nRow, &rc);
  return a<b ? a : b;
}

/* Make the long input of case iCase: a directory of links to zReal, or a
** large gzip file, sized so the case's scan takes about SCAN_TARGET_MS. */
static int makeLongInput(sqlite3 *db, Scratch *p, int iCase, const char *zBase,
                         const char *zReal, const Members *pM){
  const Case *pCase = &aCase[iCase];
  double ms;
  int i, n;
  if( pCase->eOn==ON_TREE ){
    char *zTree = p->azPath[iCase] = sqlite3_mprintf("%s/tree-%d", p->zDir, iCase);
    if( zTree==0 || mkdir(zTree, 0700)!=0 ) return 0;
    ms = timeTwice(db, pCase->zSql, zBase);
    n = copiesFor(ms, 1, MAX_LINKS);
    for(i=0; i<n; i++){
      char *z = linkName(zTree, i);
      int bOk = z && symlink(zReal, z)==0;
      sqlite3_free(z);
      if( !bOk ) return 0;
      p->anLink[iCase] = i+1;
    }
    info("%s: one pass over the corpus takes %.1f ms; %d links to it", pCase->zName,
         ms, n);
  }else{
    /* The file must be over 4 MiB so that it streams through zlib on the
    ** inflate thread (libdeflate is tried on smaller ones, and fails on
    ** this one, whose gzip trailer gives only its last member's size), and
    ** so must the one that times a megabyte. */
    int nDense = (int)((4.5*1024*1024)/pM->nDense) + 1, nCheap;
    char *zFile = p->azPath[iCase] = sqlite3_mprintf("%s/large-%d.json.gz",
                                                      p->zDir, iCase);
    if( zFile==0 || !writeMembers(zFile, pM, nDense, 0) ) return 0;
    ms = timeTwice(db, pCase->zSql, zFile);
    nCheap = copiesFor(ms, nDense, 1<<16) - nDense;
    if( nCheap<0 ) nCheap = 0;
    if( !writeMembers(zFile, pM, nDense, nCheap) ) return 0;
    info("%s: %d + %d gzip members of 1 MiB of JSON lines (%.0f MB of text, "
         "%.1f MB file)", pCase->zName, nDense, nCheap,
         (nDense*(double)pM->nTextDense + nCheap*(double)pM->nTextCheap)/1e6,
         (nDense*(double)pM->nDense + nCheap*(double)pM->nCheap)/1e6);
  }
  return 1;
}

/*
** Part 2 over corpus zDir (nRecord records).  The scans are made long
** enough (about SCAN_TARGET_MS) whatever the corpus and the build: the
** corpus is walked many times through a directory of links to it, and the
** large file holds as many gzip members as it takes.
*/
static void testInterrupt(const char *zDir, long long nRecord){
  char *zManifest = 0;
  char *zBase = scanPath(zDir, &zManifest);
  char zReal[PATH_MAX], zErr[200] = "";
  const char *zTmp = getenv("TMPDIR");
  Scratch sc;
  sqlite3 *db;
  long long nRow;
  double msFull[N_CASE];
  Members m;
  int rc, iCase;

  memset(&sc, 0, sizeof(sc));
  memset(&m, 0, sizeof(m));
  free(zManifest);
  printf("\n# part 2: interruption, over %s\n", zBase);
  if( realpath(zBase, zReal)==0 ){
    check(0, "%s: realpath: %s", zBase, strerror(errno));
    sqlite3_free(zBase);
    return;
  }
  db = openDb(zErr, sizeof(zErr));
  if( db==0 ){ check(0, "%s", zErr); sqlite3_free(zBase); return; }
  sc.zDir = sqlite3_mprintf("%s/ct-test-threads-XXXXXX",
                            zTmp && zTmp[0] ? zTmp : "/tmp");
  if( sc.zDir==0 || mkdtemp(sc.zDir)==0 ){
    check(0, "cannot create a temporary directory: %s", strerror(errno));
    sqlite3_free(sc.zDir);
    sc.zDir = 0;
    goto done;
  }
  if( !makeMembers(db, zBase, &m) ){
    check(0, "cannot make gzip members from %s", zBase);
    goto done;
  }
  for(iCase=0; iCase<N_CASE; iCase++){
    if( !makeLongInput(db, &sc, iCase, zBase, zReal, &m) ){
      check(0, "%s: cannot write its input in %s: %s", aCase[iCase].zName,
            sc.zDir, strerror(errno));
      goto done;
    }
  }
  for(iCase=0; iCase<N_CASE; iCase++){
    msFull[iCase] = runTimed(db, aCase[iCase].zSql, sc.azPath[iCase], &nRow, &rc);
    check(rc==SQLITE_DONE && msFull[iCase]>=SCAN_MIN_MS, "%s: uninterrupted, the "
          "long scan takes %.0f ms (at least %.0f ms needed), %lld rows%s%s",
          aCase[iCase].zName, msFull[iCase], SCAN_MIN_MS, nRow,
          rc==SQLITE_DONE ? "" : ", error: ",
          rc==SQLITE_DONE ? "" : sqlite3_errmsg(db));
  }
  sqlite3_close(db);
  db = 0;
  for(iCase=0; iCase<N_CASE; iCase++){
    const char *zPath = sc.azPath[iCase];
    testInterruptCase(&aCase[iCase], MODE_INTERRUPT, zPath, zBase, nRecord, msFull[iCase]);
    testInterruptCase(&aCase[iCase], MODE_PROGRESS, zPath, zBase, nRecord, msFull[iCase]);
  }

done:
  sqlite3_close(db);
  free(m.aDense);
  free(m.aCheap);
  scratchFree(&sc);
  sqlite3_free(zBase);
}

static void *idleMain(void *pArg){ return pArg; }

int main(int argc, char **argv){
  long long nRecord;
  int i;
  if( argc<2 ){
    fprintf(stderr, "usage: %s CORPUS_DIR [MORE_DIR ...]\n", argv[0]);
    return 2;
  }
  setvbuf(stdout, 0, _IOLBF, 0);
  if( sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0)!=SQLITE_OK
   || sqlite3_config(SQLITE_CONFIG_MALLOC, &sqlMem)!=SQLITE_OK ){
    fprintf(stderr, "sqlite3_config failed\n");
    return 2;
  }
#if CT_HAVE_LIBDEFLATE
  libdeflate_set_memory_allocator(deflateMalloc, deflateFree);
#endif
  if( !sqlite3_threadsafe() ){
    fprintf(stderr, "this libsqlite3 is built without thread support\n");
    return 2;
  }
  /* Warm-up: sqlite3_initialize() and the first use of stdio allocate
  ** once for the life of the process, and ThreadSanitizer starts a thread
  ** of its own with the first one the program creates. */
  {
    char zErr[200];
    sqlite3 *db = openDb(zErr, sizeof(zErr));
    pthread_t thread;
    if( db==0 ){ fprintf(stderr, "%s\n", zErr); return 2; }
    sqlite3_close(db);
    if( pthread_create(&thread, 0, idleMain, 0)==0 ) pthread_join(thread, 0);
  }
  info("SQLite %s, threadsafe=%d", sqlite3_libversion(), sqlite3_threadsafe());
  nRecord = testIdentical(argv[1]);
  for(i=2; i<argc; i++) testIdentical(argv[i]);
  if( nRecord>0 ){
    testInterrupt(argv[1], nRecord);
  }else{
    check(0, "%s: no records, so no interruption test", argv[1]);
  }
  printf("threads: %d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
