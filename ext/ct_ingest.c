/*
** ct_ingest.c — what sql/ingest.sql needs to keep an evidence database
** without re-reading old files:
**
**   cloudtrail_ls(PATH)      one row per entry of the walk cloudtrail(PATH)
**                            would read: file, size, mtime, error.  Only
**                            stat()s; never opens a file.
**   cloudtrail_sha256(FILE)  SHA-256 of a file's bytes (as stored, not
**                            uncompressed), as 64 lowercase hex digits;
**                            computed by libcrypto (ct_crypto.c).
**   cloudtrail_progress(EVERY, FILE_NO, FILES, FILE_BYTES, TOTAL_BYTES, ROW)
**                            called once per copied record; when EVERY > 0,
**                            writes a progress line to stderr at most once
**                            every EVERY seconds.
**
** Both touch the filesystem, so neither is innocuous; the function is also
** SQLITE_DIRECTONLY, like fileio.c's readfile(), so no view or trigger in a
** database can make it read files.
*/
#define _POSIX_C_SOURCE 200809L
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "ct_crypto.h"
#include "ct_ingest.h"
#include "ct_module.h"
#include "ct_options.h"
#include "ct_walk.h"

/* Read size for hashing: large enough that the per-call cost vanishes. */
#define CT_SHA_CHUNK 65536

/*
** cloudtrail_sha256(FILE): NULL for NULL; an error naming the file when it
** cannot be opened or read.
*/
static void ctSha256Func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *zFile = (const char*)sqlite3_value_text(argv[0]);
  unsigned char *aBuf;
  CtSha *pSha;
  FILE *in;
  size_t n;
  sqlite3_uint64 nTotal = 0;
  char zHex[CT_SHA256_HEX+1];
  (void)argc;
  if( zFile==0 ) return;
  if( !CT_HAVE_CRYPTO ){
    char *zErr = sqlite3_mprintf(CT_CRYPTO_MISSING, "cloudtrail_sha256");
    sqlite3_result_error(ctx, zErr ? zErr : "cloudtrail: out of memory", -1);
    sqlite3_free(zErr);
    return;
  }
  in = fopen(zFile, "rb");
  if( in==0 ){
    char *zErr = sqlite3_mprintf("cloudtrail: %s: cannot open: %s", zFile, strerror(errno));
    sqlite3_result_error(ctx, zErr ? zErr : "cloudtrail: out of memory", -1);
    sqlite3_free(zErr);
    return;
  }
  aBuf = sqlite3_malloc64(CT_SHA_CHUNK);
  pSha = ctShaNew();
  if( aBuf==0 || pSha==0 ){
    sqlite3_free(aBuf);
    ctShaFree(pSha);
    fclose(in);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  while( (n = fread(aBuf, 1, CT_SHA_CHUNK, in))>0 ){
    ctShaUpdate(pSha, aBuf, n);
    nTotal += n;
  }
  if( ferror(in) ){
    char *zErr = sqlite3_mprintf("cloudtrail: %s: read error at byte %llu",
                                 zFile, (unsigned long long)nTotal);
    sqlite3_result_error(ctx, zErr ? zErr : "cloudtrail: out of memory", -1);
    sqlite3_free(zErr);
  }else{
    ctShaHex(pSha, zHex);
    sqlite3_result_text(ctx, zHex, CT_SHA256_HEX, SQLITE_TRANSIENT);
  }
  ctShaFree(pSha);
  sqlite3_free(aBuf);
  fclose(in);
}

/* ---------------------------------------------------- cloudtrail_progress */

typedef struct CtProgress CtProgress;
struct CtProgress {
  double rStart;              /* julian day (as seconds) of the run's first call */
  double rLast;               /* time of the last line printed */
  sqlite3_int64 iFile;        /* FILE_NO of the previous call; 0 before a run */
  sqlite3_int64 nFileBytes;   /* FILE_BYTES of that file */
  sqlite3_int64 nBytesDone;   /* bytes of the files finished so far */
  sqlite3_int64 nRecords;     /* calls (records) this run */
};

/* Current time in seconds, from SQLite's VFS clock. */
static double ctNow(void){
  sqlite3_int64 iMs = 0;
  sqlite3_vfs *pVfs = sqlite3_vfs_find(0);
  if( pVfs && pVfs->iVersion>=2 && pVfs->xCurrentTimeInt64 ){
    pVfs->xCurrentTimeInt64(pVfs, &iMs);
  }
  return (double)iMs/1000.0;
}

/*
** cloudtrail_progress(EVERY, FILE_NO, FILES, FILE_BYTES, TOTAL_BYTES, ROW):
** always returns 1, so it can sit in a WHERE clause.  ROW is unused but
** makes the call depend on the inner table, so SQLite evaluates it per
** record.  A FILE_NO lower than the previous one starts a new run.  EVERY
** is the least number of seconds between two lines (sql/ingest.sql passes 1
** for "progress on"); NULL or <= 0 prints nothing, so nothing is printed
** unless the caller asks.  MB/s counts bytes on disk of finished files.
*/
static void ctProgressFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  CtProgress *p = (CtProgress*)sqlite3_user_data(ctx);
  sqlite3_int64 iFile = sqlite3_value_int64(argv[1]);
  double rEvery = sqlite3_value_double(argv[0]);
  double rNow;
  (void)argc;
  sqlite3_result_int(ctx, 1);
  if( !(rEvery>0.0) ) return;
  rNow = ctNow();
  if( iFile<p->iFile || p->iFile==0 ){
    memset(p, 0, sizeof(*p));
    p->rStart = p->rLast = rNow;
  }else if( iFile!=p->iFile ){
    p->nBytesDone += p->nFileBytes;
  }
  p->iFile = iFile;
  p->nFileBytes = sqlite3_value_int64(argv[3]);
  p->nRecords++;
  if( rNow - p->rLast >= rEvery ){
    double rSecs = rNow - p->rStart;
    double rRate = rSecs>0 ? (double)p->nBytesDone/rSecs : 0.0;
    sqlite3_int64 nLeft = sqlite3_value_int64(argv[4]) - p->nBytesDone;
    long long nEta = rRate>0 ? (long long)((double)nLeft/rRate) : -1;
    fprintf(stderr, "cloudtrail: ingest: file %lld/%lld, %lld records, %.1f MB/s",
            (long long)iFile, (long long)sqlite3_value_int64(argv[2]),
            (long long)p->nRecords, rRate/1e6);
    if( nEta>=0 ) fprintf(stderr, ", ETA %lld:%02lld:%02lld\n",
                          nEta/3600, (nEta/60)%60, nEta%60);
    else fprintf(stderr, ", ETA unknown\n");
    p->rLast = rNow;
  }
}

/* ---------------------------------------------------------- cloudtrail_ls */

/* cloudtrail_ls' columns, in schema order. */
#define CT_LS_FILE      0
#define CT_LS_CANONICAL 1
#define CT_LS_SIZE      2
#define CT_LS_MTIME     3
#define CT_LS_MTIME_NS  4
#define CT_LS_CTIME_NS  5
#define CT_LS_INODE     6
#define CT_LS_ERROR     7
#define CT_LS_NOTE      8
#define CT_LS_PATH      9
static const char ctLsSchema[] =
  "CREATE TABLE x(file TEXT, canonical TEXT, size INTEGER, mtime INTEGER,"
  " mtime_ns INTEGER, ctime_ns INTEGER, inode INTEGER, error TEXT, note TEXT,"
  " path HIDDEN)";

/* Nanoseconds of a stat(2) time (macOS names the fields differently). */
#ifdef __APPLE__
# define CT_NS(st, f) ((sqlite3_int64)(st).st_##f##timespec.tv_sec*1000000000 \
                       + (st).st_##f##timespec.tv_nsec)
#else
# define CT_NS(st, f) ((sqlite3_int64)(st).st_##f##tim.tv_sec*1000000000 \
                       + (st).st_##f##tim.tv_nsec)
#endif

typedef struct CtLsVtab CtLsVtab;
struct CtLsVtab {
  sqlite3_vtab base;
  sqlite3 *db;                /* to list its database files */
};

typedef struct CtLsCursor CtLsCursor;
struct CtLsCursor {
  sqlite3_vtab_cursor base;
  CtWalk *pWalk;              /* the walk; 0 before xFilter and at EOF */
  const char *zFile;          /* current entry (owned by pWalk) */
  char *zErr;                 /* entry's problem, or 0 */
  sqlite3_int64 iRow;
  struct stat st;             /* the entry's stat(2) … */
  int bStat;                  /* … when this is set */
  char *zPath;                /* the PATH argument (copy) */
  CtOwnDb *pOwn;              /* the connection's database files */
  const char *zOwnDb;         /* the entry is one of them (this schema's) … */
  int eOwn;                   /* … CT_OWN_* */
  int bEof;
};

static int ctLsConnect(sqlite3 *db, void *pAux, int argc,
                       const char *const *argv, sqlite3_vtab **ppVtab,
                       char **pzErr){
  CtLsVtab *pNew;
  int rc;
  (void)pAux; (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, ctLsSchema);
  if( rc ) return rc;
  pNew = sqlite3_malloc64(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->db = db;
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

static int ctLsDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* Equality on PATH is required; an unusable one rules the plan out. */
static int ctLsBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int rc, mArgs;
  (void)pVtab;
  rc = ctPlanArgs(pInfo, CT_LS_PATH, 1, 0, &mArgs);
  if( rc ) return rc;
  pInfo->idxNum = mArgs;
  pInfo->estimatedCost = mArgs ? 1000.0 : 1e12;
  return SQLITE_OK;
}

static int ctLsOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  CtLsCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  pCur->bEof = 1;
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

/* The one reset path: frees the walk and the current entry's message. */
static void ctLsReset(CtLsCursor *pCur){
  if( pCur->pWalk ) ctWalkClose(pCur->pWalk);
  sqlite3_free(pCur->zErr);
  sqlite3_free(pCur->zPath);
  ctOwnDbFree(pCur->pOwn);
  pCur->pOwn = 0;
  pCur->pWalk = 0;
  pCur->zErr = 0;
  pCur->zPath = 0;
  pCur->zFile = 0;
  pCur->bEof = 1;
}

static int ctLsClose(sqlite3_vtab_cursor *cur){
  ctLsReset((CtLsCursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* Moves to the next entry and stat()s it; sets bEof at the end. */
static int ctLsStep(CtLsCursor *pCur){
  const char *zFileErr = 0;
  char *zErr = 0;
  struct stat st;
  int rc;
  sqlite3_free(pCur->zErr);
  pCur->zErr = 0;
  pCur->bStat = 0;
  rc = ctWalkNext(pCur->pWalk, &pCur->zFile, &zFileErr, &zErr);
  if( rc==SQLITE_DONE ){ pCur->bEof = 1; return SQLITE_OK; }
  if( rc!=SQLITE_ROW ){
    return zErr ? ctVtabErrorTake(pCur->base.pVtab, rc, zErr) : rc;
  }
  pCur->iRow++;
  if( zFileErr ){
    pCur->zErr = sqlite3_mprintf("%s", zFileErr);
    return pCur->zErr ? SQLITE_OK : SQLITE_NOMEM;
  }
  if( stat(pCur->zFile, &st)!=0 ){
    pCur->zErr = sqlite3_mprintf("cannot stat: %s", strerror(errno));
    return pCur->zErr ? SQLITE_OK : SQLITE_NOMEM;
  }
  pCur->eOwn = ctOwnDbKind(pCur->pOwn, pCur->zFile, &st, &pCur->zOwnDb);
  pCur->st = st;
  pCur->bStat = 1;
  return SQLITE_OK;
}

static int ctLsFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv){
  CtLsCursor *pCur = (CtLsCursor*)cur;
  const char *zPath;
  char *zErr = 0;
  int rc;
  (void)idxStr;
  ctLsReset(pCur);
  pCur->iRow = 0;
  if( idxNum==0 || argc<1 ){
    return ctVtabError(cur->pVtab, SQLITE_ERROR,
                       "cloudtrail: no PATH: use cloudtrail_ls('dir')");
  }
  zPath = (const char*)sqlite3_value_text(argv[0]);
  if( zPath==0 ){
    return ctVtabError(cur->pVtab, SQLITE_ERROR, "cloudtrail: PATH is NULL");
  }
  pCur->zPath = sqlite3_mprintf("%s", zPath);
  if( pCur->zPath==0 ) return SQLITE_NOMEM;
  rc = ctWalkOpen(zPath, &pCur->pWalk, &zErr);
  if( rc!=SQLITE_OK ) return zErr ? ctVtabErrorTake(cur->pVtab, rc, zErr) : rc;
  rc = ctOwnDbLoad(((CtLsVtab*)cur->pVtab)->db, &pCur->pOwn);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    return ctVtabError(cur->pVtab, rc, "cloudtrail: cannot list this "
        "connection's database files (PRAGMA database_list): %s",
        sqlite3_errmsg(((CtLsVtab*)cur->pVtab)->db));
  }
  if( rc!=SQLITE_OK ) return rc;
  pCur->bEof = 0;
  return ctLsStep(pCur);
}

static int ctLsNext(sqlite3_vtab_cursor *cur){
  return ctLsStep((CtLsCursor*)cur);
}

static int ctLsEof(sqlite3_vtab_cursor *cur){
  return ((CtLsCursor*)cur)->bEof;
}

static int ctLsColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  CtLsCursor *pCur = (CtLsCursor*)cur;
  switch( i ){
    case CT_LS_FILE:  sqlite3_result_text(ctx, pCur->zFile, -1, SQLITE_TRANSIENT); break;
    case CT_LS_CANONICAL: {
      int bNoMem;
      char *z = ctCanonicalPath(pCur->zFile, &bNoMem);
      if( bNoMem ){ sqlite3_result_error_nomem(ctx); return SQLITE_NOMEM; }
      if( z ) sqlite3_result_text(ctx, z, -1, sqlite3_free);
      break;
    }
    case CT_LS_SIZE:
      if( pCur->bStat ) sqlite3_result_int64(ctx, (sqlite3_int64)pCur->st.st_size);
      break;
    case CT_LS_MTIME:
      if( pCur->bStat ) sqlite3_result_int64(ctx, (sqlite3_int64)pCur->st.st_mtime);
      break;
    case CT_LS_MTIME_NS:
      if( pCur->bStat ) sqlite3_result_int64(ctx, CT_NS(pCur->st, m));
      break;
    case CT_LS_CTIME_NS:
      if( pCur->bStat ) sqlite3_result_int64(ctx, CT_NS(pCur->st, c));
      break;
    case CT_LS_INODE:
      if( pCur->bStat ) sqlite3_result_int64(ctx, (sqlite3_int64)pCur->st.st_ino);
      break;
    case CT_LS_ERROR:
      if( pCur->zErr ) sqlite3_result_text(ctx, pCur->zErr, -1, SQLITE_TRANSIENT);
      break;
    case CT_LS_NOTE:
      if( pCur->bStat && pCur->eOwn ){
        char *z = ctOwnDbNote(pCur->eOwn, pCur->zOwnDb);
        if( z==0 ){ sqlite3_result_error_nomem(ctx); return SQLITE_NOMEM; }
        sqlite3_result_text(ctx, z, -1, sqlite3_free);
      }
      break;
    case CT_LS_PATH:
      return ctResultArgument(ctx, "cloudtrail_ls", "path", 1, pCur->zPath);
    default: break;
  }
  return SQLITE_OK;
}

static int ctLsRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((CtLsCursor*)cur)->iRow;
  return SQLITE_OK;
}

static sqlite3_module ctLsModule = {
  0,                  /* iVersion */
  0,                  /* xCreate: none, so eponymous-only */
  ctLsConnect,
  ctLsBestIndex,
  ctLsDisconnect,
  0,                  /* xDestroy */
  ctLsOpen,
  ctLsClose,
  ctLsFilter,
  ctLsNext,
  ctLsEof,
  ctLsColumn,
  ctLsRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

/*
** Registers cloudtrail_ls and cloudtrail_sha256.  Both read the filesystem:
** the table is not SQLITE_VTAB_INNOCUOUS and the function is DIRECTONLY and
** not deterministic (a file can change between calls).
*/
int ctRegisterIngest(sqlite3 *db){
  CtProgress *pProgress;
  int rc = sqlite3_create_module(db, "cloudtrail_ls", &ctLsModule, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "cloudtrail_sha256", 1,
        SQLITE_UTF8|SQLITE_DIRECTONLY, 0, ctSha256Func, 0, 0);
  }
  if( rc!=SQLITE_OK ) return rc;
  /* Writes to stderr and keeps per-connection state: a side effect, so
  ** DIRECTONLY and not deterministic.  The state is freed with the
  ** connection (or when the function is redefined). */
  pProgress = sqlite3_malloc64(sizeof(*pProgress));
  if( pProgress==0 ) return SQLITE_NOMEM;
  memset(pProgress, 0, sizeof(*pProgress));
  return sqlite3_create_function_v2(db, "cloudtrail_progress", 6,
      SQLITE_UTF8|SQLITE_DIRECTONLY, pProgress, ctProgressFunc, 0, 0,
      sqlite3_free);
}
