/*
** ct_files.c — the virtual table cloudtrail_files: one row per file the
** walk of PATH finds, with its format, sizes, record count, the period its
** events cover, and its problem.
**
**   SELECT file, format, records, error FROM cloudtrail_files('fixtures')
**    WHERE error IS NOT NULL;
**
** Eponymous and creatable like cloudtrail, over the same sequence of files
** (ct_scan.c), but each file is read to its end and summarised; it never
** fails on a bad file, it reports it.  Not innocuous: it reads files.
*/
#include <string.h>
#include "ct_files.h"
#include "ct_scan.h"
#include "ct_time.h"
SQLITE_EXTENSION_INIT3

/* … and cloudtrail_files' columns. */
#define CT_FCOL_FILE        0
#define CT_FCOL_FORMAT      1
#define CT_FCOL_COMPRESSION 2
#define CT_FCOL_CBYTES      3
#define CT_FCOL_BYTES       4
#define CT_FCOL_RECORDS     5
#define CT_FCOL_FIRST       6
#define CT_FCOL_LAST        7
#define CT_FCOL_ERROR       8
#define CT_FCOL_NOTE        9
#define CT_FCOL_PATH        10
#define CT_FCOL_OPTIONS     11

static const char ctFilesSchema[] =
  "CREATE TABLE x(file TEXT, format TEXT, compression TEXT,"
  " compressed_bytes INTEGER, bytes INTEGER, records INTEGER,"
  " first_event_time TEXT COLLATE " CT_TIME_COLLATION ","
  " last_event_time TEXT COLLATE " CT_TIME_COLLATION ", error TEXT, note TEXT,"
  " path HIDDEN, options HIDDEN)";

/* What cloudtrail_files reports for one file. */
typedef struct CtFileInfo CtFileInfo;
struct CtFileInfo {
  int eFormat;
  int bGzip;
  sqlite3_int64 nCompressed;   /* bytes on disk */
  sqlite3_int64 nBytes;        /* decoded bytes, -1 if unknown */
  sqlite3_int64 nRecords;
  char *zFirst, *zLast;        /* min and max event_time … */
  CtInstant tFirst, tLast;     /* … and the instants they name */
  char *zError;                /* the problem, or 0 */
  char *zNote;                 /* what a file that is not CloudTrail is, or 0 */
};

/* A cursor of cloudtrail_files: the scan, and the current file's row. */
typedef struct CtFilesCursor CtFilesCursor;
struct CtFilesCursor {
  CtScan s;               /* first: the scan (ct_scan.c) */
  CtFields fields;        /* scratch for reading event times */
  CtFileInfo info;        /* the current file */
};

static void ctFileInfoClear(CtFileInfo *p){
  sqlite3_free(p->zFirst);
  sqlite3_free(p->zLast);
  sqlite3_free(p->zError);
  sqlite3_free(p->zNote);
  memset(p, 0, sizeof(*p));
}

static int ctFilesConnect(sqlite3 *db, void *pAux, int argc,
                          const char *const *argv, sqlite3_vtab **ppVtab,
                          char **pzErr){
  (void)pAux;
  return ctScanConnect(db, "cloudtrail_files", ctFilesSchema, CT_FCOL_PATH,
                       argc, argv, ppVtab, pzErr);
}

/* Only the PATH and OPTIONS arguments (ctScanBestIndex()). */
static int ctFilesBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int nArg;
  return ctScanBestIndex(pVtab, pInfo, &nArg);
}

static int ctFilesOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor){
  (void)pVtab;
  return ctScanCursorNew(sizeof(CtFilesCursor), ppCursor);
}

static int ctFilesClose(sqlite3_vtab_cursor *cur){
  ctFileInfoClear(&((CtFilesCursor*)cur)->info);
  ctScanCursorFree((CtScan*)cur);
  return SQLITE_OK;
}

/* The current record's event time as a decoded string in *pz, *pn (valid
** until the next decode), or *pz 0 when it has none.  SQLITE_NOMEM. */
static int ctEventTime(CtFilesCursor *pCur, const char **pz, size_t *pn){
  CtReader *r = pCur->s.pRdr;
  CtSpan v;
  if( r->eKind==CT_KIND_ECS ) v = ct_json_lookup(r->rec, "@timestamp");
  else{
    ctFieldsRaw(r->rec, r->bMem ? &r->mem : 0, &pCur->fields);
    v = pCur->fields.a[CT_F_EVENT_TIME];
  }
  v = ctJsonStringBody(v);
  *pz = 0;
  if( v.z==0 ) return SQLITE_OK;
  *pz = ctScanDecode(&pCur->s, v, pn);
  return *pz ? SQLITE_OK : SQLITE_NOMEM;
}

/* Replace *pzKeep (naming *pKeep) by a copy of z[0..n), the time t, if it
** is 0 or if t is earlier (bMax 0) or later (bMax 1).  SQLITE_NOMEM. */
static int ctKeepExtreme(char **pzKeep, CtInstant *pKeep, const char *z,
                         size_t n, const CtInstant *t, int bMax){
  char *zKeep;
  if( *pzKeep ){
    int c = ctInstantCmp(t, pKeep);
    if( bMax ? c<=0 : c>=0 ) return SQLITE_OK;
  }
  zKeep = sqlite3_mprintf("%.*s", (int)n, z);
  if( zKeep==0 ) return SQLITE_NOMEM;
  sqlite3_free(*pzKeep);
  *pzKeep = zKeep;
  *pKeep = *t;
  return SQLITE_OK;
}

/* cloudtrail_files: read the next file to its end and summarise it. */
static int ctFilesNext(CtFilesCursor *pCur){
  CtFileInfo *pI = &pCur->info;
  CtReader *r;
  int rc;
  if( pCur->s.bReaderOpen ){
    ctScanEndFile(&pCur->s);
  }
  ctFileInfoClear(pI);
  rc = ctScanNextFile(&pCur->s, 1);
  if( rc==SQLITE_DONE ){
    pCur->s.bEof = 1;
    return SQLITE_OK;
  }
  if( rc!=SQLITE_ROW ) return rc;
  pCur->s.iRowid++;
  pI->nBytes = -1;
  pI->nCompressed = -1;
  if( pCur->s.zFileErr ){
    /* The walk could not treat it as a file at all. */
    pI->zError = sqlite3_mprintf("%s", pCur->s.zFileErr);
    return pI->zError ? SQLITE_OK : SQLITE_NOMEM;
  }
  if( pCur->s.eOwn ){
    /* One of this connection's database files: listed, never opened. */
    pI->eFormat = ctScanOwnFormat(pCur->s.eOwn);
    pI->nCompressed = pCur->s.nOwnSize;
    pI->zNote = ctScanOwnNote(&pCur->s);
    if( pI->zNote==0 ) return SQLITE_NOMEM;
    if( ctScanRefuses(&pCur->s) ){
      pI->zError = ctScanNotCloudTrail(&pCur->s, pI->zNote);
      if( pI->zError==0 ) return SQLITE_NOMEM;
    }
    return SQLITE_OK;
  }
  r = pCur->s.pRdr;
  rc = r->rc ? r->rc : SQLITE_ROW;
  while( rc==SQLITE_ROW ){
    const char *zT;
    size_t nT;
    rc = ctReaderNext(r);
    if( rc!=SQLITE_ROW ) break;
    if( ctScanInterrupted(&pCur->s, 1) ) return SQLITE_INTERRUPT;
    CtInstant t;
    if( ctEventTime(pCur, &zT, &nT) ) return SQLITE_NOMEM;
    /* Texts that are not times are left out: first_event_time and
    ** last_event_time say what period a file covers. */
    if( zT && ctTimeParse(zT, (int)nT, &t, 0)
     && (ctKeepExtreme(&pI->zFirst, &pI->tFirst, zT, nT, &t, 0)
         || ctKeepExtreme(&pI->zLast, &pI->tLast, zT, nT, &t, 1)) ){
      return SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_NOMEM ) return rc;
  pI->eFormat = r->eFormat;
  pI->bGzip = r->s.bGzip;
  pI->nCompressed = r->s.nFileSize>=0 ? r->s.nFileSize
                                       : ctStreamFileRead(&r->s);
  pI->nRecords = r->nRecord;
  if( rc==SQLITE_DONE ){
    /* Known only for a file read to its end: one recognised from its
    ** first bytes as not CloudTrail is not read further. */
    if( !r->bStopped ){
      pI->nBytes = r->s.iBase + (sqlite3_int64)r->s.nData;
    }
  }else{
    pI->zError = sqlite3_mprintf("%s", ctScanBareError(&pCur->s));
    if( pI->zError==0 ) return SQLITE_NOMEM;
  }
  if( ctFormatIsOther(pI->eFormat) ){
    pI->zNote = sqlite3_mprintf("%s", r->zNote ? r->zNote : "");
    if( pI->zNote==0 ) return SQLITE_NOMEM;
    if( rc==SQLITE_DONE && ctScanRefuses(&pCur->s) ){
      pI->zError = ctScanNotCloudTrail(&pCur->s, pI->zNote);
      if( pI->zError==0 ) return SQLITE_NOMEM;
    }
  }
  return SQLITE_OK;
}

static int ctFilesColumn(CtFilesCursor *pCur, sqlite3_context *ctx, int i){
  CtFileInfo *pI = &pCur->info;
  switch( i ){
    case CT_FCOL_FILE:
      sqlite3_result_text(ctx, pCur->s.zFile, -1, SQLITE_TRANSIENT);
      break;
    case CT_FCOL_FORMAT:
      if( ctFormatName(pI->eFormat) ){
        sqlite3_result_text(ctx, ctFormatName(pI->eFormat), -1, SQLITE_STATIC);
      }
      break;
    case CT_FCOL_COMPRESSION:
      if( pI->bGzip ) sqlite3_result_text(ctx, "gzip", -1, SQLITE_STATIC);
      break;
    case CT_FCOL_CBYTES:
      if( pI->nCompressed>=0 ) sqlite3_result_int64(ctx, pI->nCompressed);
      break;
    case CT_FCOL_BYTES:
      if( pI->nBytes>=0 ) sqlite3_result_int64(ctx, pI->nBytes);
      break;
    case CT_FCOL_RECORDS:
      sqlite3_result_int64(ctx, pI->nRecords);
      break;
    case CT_FCOL_FIRST:
      if( pI->zFirst ) sqlite3_result_text(ctx, pI->zFirst, -1, SQLITE_TRANSIENT);
      break;
    case CT_FCOL_LAST:
      if( pI->zLast ) sqlite3_result_text(ctx, pI->zLast, -1, SQLITE_TRANSIENT);
      break;
    case CT_FCOL_ERROR:
      if( pI->zError ) sqlite3_result_text(ctx, pI->zError, -1, SQLITE_TRANSIENT);
      break;
    case CT_FCOL_NOTE:
      if( pI->zNote ) sqlite3_result_text(ctx, pI->zNote, -1, SQLITE_TRANSIENT);
      break;
    case CT_FCOL_PATH:
    case CT_FCOL_OPTIONS:
      return ctScanArgument(&pCur->s, ctx, i-CT_FCOL_PATH);
  }
  return SQLITE_OK;
}

/* Start a scan: PATH and OPTIONS, then the first file. */
static int ctFilesFilter(sqlite3_vtab_cursor *cur, int idxNum,
                         const char *idxStr, int argc, sqlite3_value **argv){
  CtFilesCursor *pCur = (CtFilesCursor*)cur;
  int rc, iArg = 0;
  (void)idxStr; (void)argc;
  ctFileInfoClear(&pCur->info);
  rc = ctScanBegin(&pCur->s, idxNum, argv, &iArg);
  if( rc ) return rc;
  rc = ctScanStart(&pCur->s);
  if( rc ) return rc;
  return ctFilesNext(pCur);
}

static int ctFilesNextRow(sqlite3_vtab_cursor *cur){
  return ctFilesNext((CtFilesCursor*)cur);
}

static int ctFilesColumnOf(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                           int i){
  return ctFilesColumn((CtFilesCursor*)cur, ctx, i);
}

static sqlite3_module ctFilesModule = {
  .iVersion = 0,
  .xCreate = ctFilesConnect,    /* same as xConnect, so also eponymous */
  .xConnect = ctFilesConnect,
  .xBestIndex = ctFilesBestIndex,
  .xDisconnect = ctScanDisconnect,
  .xDestroy = ctScanDisconnect,
  .xOpen = ctFilesOpen,
  .xClose = ctFilesClose,
  .xFilter = ctFilesFilter,
  .xNext = ctFilesNextRow,
  .xEof = ctScanEof,
  .xColumn = ctFilesColumnOf,
  .xRowid = ctScanRowid,
};

/* Register the table.  It reads files, so it is never marked
** SQLITE_VTAB_INNOCUOUS. */
int ctRegisterFiles(sqlite3 *db){
  return sqlite3_create_module(db, "cloudtrail_files", &ctFilesModule, 0);
}
