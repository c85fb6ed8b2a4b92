/*
** ct_vtab.c — the virtual tables cloudtrail (one row per record) and
** cloudtrail_files (one row per file the walk found).
**
** Both are eponymous (usable as table-valued functions, PATH and OPTIONS
** being hidden columns) and creatable (CREATE VIRTUAL TABLE t USING
** cloudtrail(PATH, key=value…)), so a case database can keep a table over
** its evidence folder.
**
** A cursor walks the files (ct_walk.c), reads each with a reader
** (ct_reader.c), and keeps a second reader to open the next file early
** (read-ahead) so its inflate thread overlaps the current file's parsing.
** Constraints the planner pushes down (ct_filter.c) skip records and prune
** files; long stretches of skipping still let SQLite see interrupts.
**
** Security: these tables open files named by their arguments, so they are
** NOT registered as innocuous.  With PRAGMA trusted_schema=OFF, a view or
** trigger stored in a database cannot use them; only SQL the user types
** can.  See docs/security.md.
*/
#include <stdio.h>
#include <string.h>
#include "ct_fields.h"
#include "ct_filter.h"
#include "ct_module.h"
#include "ct_options.h"
#include "ct_reader.h"
#include "ct_time.h"
#include "ct_walk.h"
#include "ct_vtab.h"
SQLITE_EXTENSION_INIT3

/* Columns after the event fields (cloudtrail): see CT_FIELD_LIST. */
#define CT_COL_RAW          CT_F_RAW
#define CT_COL_FILE         CT_F_FILE
#define CT_COL_RECORD_INDEX CT_F_RECORD_INDEX
#define CT_COL_PATH         CT_F_PATH
#define CT_COL_OPTIONS      CT_F_OPTIONS

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

/* Marker passed as pAux to tell cloudtrail_files from cloudtrail. */
static int ctFilesMarker;

typedef struct CtVtab CtVtab;
struct CtVtab {
  sqlite3_vtab base;
  sqlite3 *db;
  int bFiles;             /* this is cloudtrail_files */
  char *zPath;            /* PATH given to CREATE VIRTUAL TABLE, or 0 */
  char *zOptions;         /* its options, as text for the hidden column */
  CtOptions opt;          /* options given to CREATE VIRTUAL TABLE */
};

/* State of the read-ahead entry. */
#define CT_AHEAD_NONE  0
#define CT_AHEAD_ENTRY 1      /* zAheadFile (and zAheadErr) hold the next entry */
#define CT_AHEAD_DONE  2      /* the walk has no more entries */
#define CT_AHEAD_ERROR 3      /* the walk failed: zAheadWalkErr */

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

typedef struct CtCursor CtCursor;
struct CtCursor {
  sqlite3_vtab_cursor base;
  CtOptions opt;
  char *zPath;            /* PATH of this scan (copy) */
  char *zOptions;         /* OPTIONS of this scan (copy), or 0 */
  int mArgs;              /* arguments given to this scan: 1 PATH, 2 OPTIONS */
  CtWalk *pWalk;
  char *zFile;            /* current file (copy) */
  char *zFileErr;         /* why the walk could not read it, or 0 (copy) */
  CtReader aRdr[2];       /* the current file's reader and the next one's */
  CtReader *pRdr;         /* the current file's: one of aRdr[] */
  int bReaderOpen;        /* pRdr has a file open */
  /* Read-ahead: the walk's next entry, and its file opened early so that
  ** its inflate thread runs while the current file is still parsed. */
  int eAhead;             /* CT_AHEAD_* */
  char *zAheadFile;       /* the next entry (copy) … */
  char *zAheadErr;        /* … its walk error (copy), or 0 */
  char *zAheadWalkErr;    /* the walk's own error, for CT_AHEAD_ERROR */
  int eAheadOwn;          /* CT_OWN_*: the entry is a database file of ours … */
  const char *zAheadOwnDb;/* … of this schema (owned by pOwn) … */
  sqlite3_int64 nAheadSize;/* … of this size */
  CtOwnDb *pOwn;          /* this connection's database files */
  int eOwn;               /* the same for the current entry */
  const char *zOwnDb;
  sqlite3_int64 nOwnSize;
  int bAheadOpen;         /* the other aRdr[] has zAheadFile open … */
  int rcAhead;            /* … and ctReaderOpen() said this */
  sqlite3_int64 iRowid;
  int bEof;
  CtFields fields;        /* current record's fields … */
  int bFields;            /* … once located */
  CtFilter filter;        /* constraints pushed down by the planner */
  int nSkipped;           /* records skipped since the last row returned */
  int nSincePing;         /* work units since ctCursorInterrupted() looked */
  sqlite3_stmt *pPing;    /* "SELECT 1", to see sqlite3_interrupt() */
  CtFileInfo info;        /* cloudtrail_files: the current file */
  char *aScratch;         /* decoded strings */
  size_t nScratch;
};

/* Append the option text z[0..n) to p->zOptions (the hidden column's
** value), comma-separated. */
static int ctVtabKeepOption(CtVtab *p, const char *z, size_t n){
  p->zOptions = p->zOptions
      ? sqlite3_mprintf("%z, %.*s", p->zOptions, (int)n, z)
      : sqlite3_mprintf("%.*s", (int)n, z);
  return p->zOptions ? SQLITE_OK : SQLITE_NOMEM;
}

/* Take z[0..n) (quoted or not) as the table's PATH. */
static int ctVtabSetPath(CtVtab *p, const char *z, size_t n, char **pzErr){
  if( p->zPath ){
    *pzErr = sqlite3_mprintf("cloudtrail: PATH given twice ('%s' and %.*s)",
                             p->zPath, (int)n, z);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  p->zPath = ctDequote(z, n);
  return p->zPath ? SQLITE_OK : SQLITE_NOMEM;
}

/*
** One CREATE VIRTUAL TABLE argument, trimmed: the PATH (quoted, bare, or
** path=…), an OPTIONS string in quotes after the PATH ('errors=skip,
** threads=0', as the table-valued form takes it), or one key=value option.
*/
static int ctVtabArg(CtVtab *p, const char *z, size_t n, char **pzErr){
  const char *zEq = memchr(z, '=', n);
  int rc;
  if( z[0]=='\'' || z[0]=='"' || zEq==0 ){
    char *zText;
    if( p->zPath==0 || zEq==0 ) return ctVtabSetPath(p, z, n, pzErr);
    zText = ctDequote(z, n);
    if( zText==0 ) return SQLITE_NOMEM;
    rc = ctOptionsParse(&p->opt, zText, pzErr);
    if( rc==SQLITE_OK ) rc = ctVtabKeepOption(p, zText, strlen(zText));
    sqlite3_free(zText);
    return rc;
  }else{
    size_t nKey = (size_t)(zEq-z), iVal = nKey+1;
    while( nKey>0 && z[nKey-1]==' ' ) nKey--;
    while( iVal<n && z[iVal]==' ' ) iVal++;
    if( nKey==4 && memcmp(z, "path", 4)==0 ){
      return ctVtabSetPath(p, z+iVal, n-iVal, pzErr);
    }
    rc = ctOptionsSet(&p->opt, z, nKey, z+iVal, n-iVal, pzErr);
    return rc ? rc : ctVtabKeepOption(p, z, n);
  }
}

/*
** xCreate and xConnect.  Arguments after the module name: a PATH (quoted
** or bare, or path=…) and options, each key=value or all in one quoted
** string (see ctVtabArg()).
*/
static int ctVtabConnect(sqlite3 *db, void *pAux, int argc,
                         const char *const *argv, sqlite3_vtab **ppVtab,
                         char **pzErr){
  CtVtab *pNew;
  int rc, i;
  int bFiles = pAux==(void*)&ctFilesMarker;
  /* cloudtrail's pAux: its schema, built from the table of fields. */
  rc = sqlite3_declare_vtab(db, bFiles ? ctFilesSchema : (const char*)pAux);
  if( rc ) return rc;
  pNew = sqlite3_malloc64(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->db = db;
  pNew->bFiles = bFiles;
  ctOptionsInit(&pNew->opt);
  for(i=3; i<argc && rc==SQLITE_OK; i++){
    const char *z = argv[i];
    size_t n = strlen(z);
    while( n>0 && (z[n-1]==' ' || z[n-1]=='\t' || z[n-1]=='\n') ) n--;
    while( n>0 && (z[0]==' ' || z[0]=='\t' || z[0]=='\n') ){ z++; n--; }
    if( n>0 ) rc = ctVtabArg(pNew, z, n, pzErr);
  }
  if( rc ){
    sqlite3_free(pNew->zPath);
    sqlite3_free(pNew->zOptions);
    sqlite3_free(pNew);
    return rc;
  }
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

static int ctVtabDisconnect(sqlite3_vtab *pVtab){
  CtVtab *p = (CtVtab*)pVtab;
  sqlite3_free(p->zPath);
  sqlite3_free(p->zOptions);
  sqlite3_free(p);
  return SQLITE_OK;
}

/*
** Equality on the hidden PATH and OPTIONS columns is passed to xFilter as
** argv[] in that order (ctPlanArgs()): idxNum bit 1: PATH given, bit 2:
** OPTIONS given.  Then the constraints ct_filter.c pushes.
*/
static int ctVtabBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  CtVtab *p = (CtVtab*)pVtab;
  int iPathCol = p->bFiles ? CT_FCOL_PATH : CT_COL_PATH;
  int mArgs, nArg, rc;
  rc = ctPlanArgs(pInfo, iPathCol, 2, 0, &mArgs);
  if( rc ) return rc;
  pInfo->idxNum = mArgs;
  nArg = (mArgs & 1) + ((mArgs>>1) & 1);
  if( !(mArgs & 1) && p->zPath==0 ){
    /* No PATH: xFilter will say so.  Make the planner avoid this plan. */
    pInfo->estimatedCost = 1e300;
    pInfo->estimatedRows = 1;
    return SQLITE_OK;
  }
  pInfo->estimatedCost = 1e6;
  pInfo->estimatedRows = 100000;
  if( !p->bFiles ){
    /* Constraints on event_time, event_name, event_source: see ct_filter.c.
    ** A plan that pushes more is cheaper, so the planner prefers it. */
    char *zIdx = 0;
    int nTerm = ctFilterPlan(pInfo, nArg, &zIdx);
    if( nTerm<0 ) return SQLITE_NOMEM;
    if( nTerm>0 ){
      pInfo->idxStr = zIdx;
      pInfo->needToFreeIdxStr = 1;
      pInfo->estimatedCost = 1e6 / (1 + nTerm);
      pInfo->estimatedRows = 100000 / (1 + 9*nTerm);
    }
  }
  return SQLITE_OK;
}

static int ctVtabOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor){
  CtCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  pCur->aRdr[0].s.fd = pCur->aRdr[1].s.fd = -1;
  pCur->pRdr = &pCur->aRdr[0];
  *ppCursor = &pCur->base;
  return SQLITE_OK;
}

static void ctFileInfoClear(CtFileInfo *p){
  sqlite3_free(p->zFirst);
  sqlite3_free(p->zLast);
  sqlite3_free(p->zError);
  sqlite3_free(p->zNote);
  memset(p, 0, sizeof(*p));
}

/* The one reset path: release everything a scan holds. */
static void ctCursorReset(CtCursor *pCur){
  ctReaderClose(&pCur->aRdr[0]);
  ctReaderClose(&pCur->aRdr[1]);
  pCur->bReaderOpen = pCur->bAheadOpen = 0;
  ctWalkClose(pCur->pWalk);
  pCur->pWalk = 0;
  sqlite3_free(pCur->zFile);
  sqlite3_free(pCur->zFileErr);
  sqlite3_free(pCur->zAheadFile);
  sqlite3_free(pCur->zAheadErr);
  sqlite3_free(pCur->zAheadWalkErr);
  pCur->zFile = pCur->zFileErr = 0;
  pCur->zAheadFile = pCur->zAheadErr = pCur->zAheadWalkErr = 0;
  pCur->eAhead = CT_AHEAD_NONE;
  ctOwnDbFree(pCur->pOwn);
  pCur->pOwn = 0;
  ctFileInfoClear(&pCur->info);
  ctFilterClear(&pCur->filter);
  sqlite3_free(pCur->zPath);
  sqlite3_free(pCur->zOptions);
  pCur->zPath = pCur->zOptions = 0;
  pCur->iRowid = 0;
  pCur->bEof = 1;
  pCur->bFields = 0;
}

static int ctVtabClose(sqlite3_vtab_cursor *cur){
  CtCursor *pCur = (CtCursor*)cur;
  ctCursorReset(pCur);
  sqlite3_finalize(pCur->pPing);
  sqlite3_free(pCur->aScratch);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* Set the table's error message, taking ownership of zMsg (0 after an
** out-of-memory): SQLITE_ERROR, or SQLITE_NOMEM. */
static int ctCursorError(CtCursor *pCur, char *zMsg){
  return ctVtabErrorTake(pCur->base.pVtab, SQLITE_ERROR, zMsg);
}

/* The message of a reader error without its "cloudtrail: FILE: " prefix. */
static const char *ctBareError(CtCursor *pCur){
  const char *z = pCur->pRdr->zErr;
  size_t nPrefix = strlen("cloudtrail: ") + strlen(pCur->zFile) + 2;
  if( z==0 ) return "out of memory";
  return strlen(z)>=nPrefix ? z+nPrefix : z;
}

/* Strings up to this size are decoded on the stack to test pushed
** constraints; event times, names and sources are far shorter. */
#define CT_FILTER_SCRATCH 256

/* After this many records skipped in a row by pushed constraints, one is
** returned anyway: SQLite checks the constraints again and drops it, and in
** between it looks at sqlite3_interrupt() and the progress handler, which
** an extension built for SQLite 3.40 cannot query itself.  4096 records take
** about a millisecond to skip. */
#define CT_YIELD_AFTER 4096

/* Work units between two looks at the interrupt flag (each look costs
** about a microsecond): a record read or skipped is one unit, a file passed
** over is CT_PING_FILE units (a stat(2) and a directory entry cost more). */
#define CT_PING_EVERY 256
#define CT_PING_FILE  16

/*
** True if the statement this cursor serves has been interrupted, by
** sqlite3_interrupt() or a progress handler.  An extension built for
** SQLite 3.40 has no sqlite3_is_interrupted(), but SQLite documents that a
** statement started while the connection is being interrupted is
** interrupted too: stepping a prepared "SELECT 1" tells.  Looked at every
** CT_PING_EVERY units of work spent inside one xNext/xFilter call (passing
** over pruned files, reading a whole file for cloudtrail_files).
*/
static int ctCursorInterrupted(CtCursor *pCur, int nUnits){
  int rc;
  pCur->nSincePing += nUnits;
  if( pCur->nSincePing<CT_PING_EVERY ) return 0;
  pCur->nSincePing = 0;
  if( pCur->pPing==0 ){
    sqlite3 *db = ((CtVtab*)pCur->base.pVtab)->db;
    if( sqlite3_prepare_v2(db, "SELECT 1", -1, &pCur->pPing, 0)!=SQLITE_OK ){
      return 0;
    }
  }
  rc = sqlite3_step(pCur->pPing);
  sqlite3_reset(pCur->pPing);
  return rc==SQLITE_INTERRUPT;
}

/* Read the walk's next entry into the read-ahead slot, if it is empty. */
static int ctCursorPeek(CtCursor *pCur){
  const char *zFile = 0, *zFileErr = 0;
  char *zErr = 0;
  int rc;
  if( pCur->eAhead!=CT_AHEAD_NONE ) return SQLITE_OK;
  rc = ctWalkNext(pCur->pWalk, &zFile, &zFileErr, &zErr);
  if( rc==SQLITE_DONE ){
    pCur->eAhead = CT_AHEAD_DONE;
  }else if( rc==SQLITE_ERROR ){
    pCur->eAhead = CT_AHEAD_ERROR;
    pCur->zAheadWalkErr = zErr;
  }else if( rc==SQLITE_ROW ){
    const struct stat *pSt = ctWalkStat(pCur->pWalk);
    pCur->zAheadFile = sqlite3_mprintf("%s", zFile);
    pCur->zAheadErr = zFileErr ? sqlite3_mprintf("%s", zFileErr) : 0;
    if( pCur->zAheadFile==0 || (zFileErr && pCur->zAheadErr==0) ) return SQLITE_NOMEM;
    pCur->eAhead = CT_AHEAD_ENTRY;
    pCur->eAheadOwn = zFileErr ? CT_OWN_NONE
        : ctOwnDbKind(pCur->pOwn, zFile, pSt, &pCur->zAheadOwnDb);
    pCur->nAheadSize = pSt ? (sqlite3_int64)pSt->st_size : -1;
  }else{
    return rc;
  }
  return SQLITE_OK;
}

/* Make the read-ahead entry the current one (zFile, zFileErr).  Returns
** SQLITE_ROW, SQLITE_DONE, or an error. */
static int ctCursorTake(CtCursor *pCur){
  int rc = ctCursorPeek(pCur);
  if( rc ) return rc;
  switch( pCur->eAhead ){
    case CT_AHEAD_DONE:  return SQLITE_DONE;
    case CT_AHEAD_ERROR:
      pCur->eAhead = CT_AHEAD_DONE;
      rc = ctCursorError(pCur, pCur->zAheadWalkErr);
      pCur->zAheadWalkErr = 0;
      return rc;
  }
  sqlite3_free(pCur->zFile);
  sqlite3_free(pCur->zFileErr);
  pCur->zFile = pCur->zAheadFile;
  pCur->zFileErr = pCur->zAheadErr;
  pCur->eOwn = pCur->eAheadOwn;
  pCur->zOwnDb = pCur->zAheadOwnDb;
  pCur->nOwnSize = pCur->nAheadSize;
  pCur->zAheadFile = pCur->zAheadErr = 0;
  pCur->eAhead = CT_AHEAD_NONE;
  return SQLITE_ROW;
}

/* True if the scan will open zFile, a walk entry without error. */
static int ctCursorWants(CtCursor *pCur, const char *zFile, int bReport){
  return bReport || ctFilterFile(&pCur->filter, zFile);
}

/*
** With an inflate thread available, open the walk's next file now, in the
** spare reader, so its thread inflates while the current file is parsed.
** Whatever the open says is kept (rcAhead) and acted on only when the scan
** gets to that file, so errors are reported in walk order as always.
*/
static int ctCursorReadAhead(CtCursor *pCur){
  CtReader *pSpare = pCur->pRdr==&pCur->aRdr[0] ? &pCur->aRdr[1] : &pCur->aRdr[0];
  int rc;
  if( pCur->opt.nThreads==0 || pCur->bAheadOpen ) return SQLITE_OK;
  rc = ctCursorPeek(pCur);
  if( rc ) return rc;
  if( pCur->eAhead!=CT_AHEAD_ENTRY || pCur->zAheadErr || pCur->eAheadOwn
   || !ctCursorWants(pCur, pCur->zAheadFile, 0) ){
    return SQLITE_OK;
  }
  pCur->rcAhead = ctReaderOpen(pSpare, pCur->zAheadFile,
                               (size_t)pCur->opt.nBuffer,
                               (size_t)pCur->opt.mxRecord, 1);
  pCur->bAheadOpen = 1;
  return SQLITE_OK;
}

/* Open the current file in pRdr: take the read-ahead reader if it holds
** this very file, else open it now. */
static int ctCursorOpenCurrent(CtCursor *pCur){
  CtReader *pSpare = pCur->pRdr==&pCur->aRdr[0] ? &pCur->aRdr[1] : &pCur->aRdr[0];
  pCur->bReaderOpen = 1;
  if( pCur->bAheadOpen ){
    pCur->bAheadOpen = 0;
    if( pSpare->zPath==pCur->zFile ){
      pCur->pRdr = pSpare;
      return pCur->rcAhead;
    }
    ctReaderEnd(pSpare);
  }
  return ctReaderOpen(pCur->pRdr, pCur->zFile, (size_t)pCur->opt.nBuffer,
                      (size_t)pCur->opt.mxRecord, pCur->opt.nThreads>0);
}

/* True if the current file's name or place says it is a CloudTrail log,
** so that not reading as CloudTrail makes it damaged: a CloudTrail name or
** S3 place; or a ".json.gz" name, unless it holds JSON of something else
** (AWS Config delivers such files too).  Never for this connection's own
** database files. */
static int ctCursorLogNamed(CtCursor *pCur){
  int e = ctIsLogName(pCur->zFile);
  if( pCur->eOwn ) return 0;
  if( e==CT_LOGNAME_GZ ) return !pCur->pRdr->bOtherJson;
  return e==CT_LOGNAME_CLOUDTRAIL;
}

/* True if a file that is not CloudTrail fails the scan rather than being
** passed over: when PATH named it, when not_cloudtrail=error, and always
** when its name or place says it is a CloudTrail log (then it is damaged). */
static int ctCursorRefuses(CtCursor *pCur){
  if( ctCursorLogNamed(pCur) ) return 1;
  if( pCur->opt.eNotCt!=CT_NOTCT_AUTO ) return pCur->opt.eNotCt==CT_NOTCT_ERROR;
  return ctWalkIsSingle(pCur->pWalk);
}

/* The format and note of the current entry when it is one of this
** connection's database files. */
static int ctOwnFormat(int eOwn){
  switch( eOwn ){
    case CT_OWN_WAL:     return CT_FMT_SQLITE_WAL;
    case CT_OWN_SHM:     return CT_FMT_SQLITE_SHM;
    case CT_OWN_JOURNAL: return CT_FMT_SQLITE_JOURNAL;
    default:             return CT_FMT_SQLITE;
  }
}
static char *ctOwnNote(CtCursor *pCur){
  char *z = ctOwnDbNote(pCur->eOwn, pCur->zOwnDb);
  return z ? sqlite3_mprintf("%z (not read)", z) : 0;
}

/* "not CloudTrail: NOTE" for the current entry, and what its name
** implies: cloudtrail_files' error; the scan's, after "cloudtrail: FILE: ". */
static char *ctNotCloudTrail(CtCursor *pCur, const char *zNote){
  return sqlite3_mprintf("not CloudTrail: %s%s", zNote ? zNote : "",
      ctCursorLogNamed(pCur) ? " (its name says it is a CloudTrail log, so "
                               "it is damaged)" : "");
}

/* The scan's message for a file that is not CloudTrail. */
static char *ctNotCloudTrailError(CtCursor *pCur, const char *zNote){
  char *z = ctNotCloudTrail(pCur, zNote);
  return z ? sqlite3_mprintf("cloudtrail: %s: %z", pCur->zFile, z) : 0;
}

/*
** The current file failed with zMsg ("cloudtrail: FILE: …", taken over),
** after nRecord records.  Strict: the scan fails, and for a file a walk
** found the message says how to read past it.  errors=skip: a warning
** line on stderr (unless quiet=1) and sqlite3_log(), then SQLITE_OK to go
** on; cloudtrail_files reports the file in any case.
*/
static int ctCursorFileFailed(CtCursor *pCur, char *zMsg, sqlite3_int64 nRecord){
  if( zMsg==0 ) return SQLITE_NOMEM;
  if( !pCur->opt.bSkip ){
    /* A glob over the folder is suggested for a file that is not a log
    ** found by a directory walk: it would leave such files out. */
    int bGlob = !ctWalkIsGlob(pCur->pWalk) && !ctIsLogName(pCur->zFile);
    if( ctWalkIsSingle(pCur->pWalk) ) return ctCursorError(pCur, zMsg);
    return ctCursorError(pCur, sqlite3_mprintf("%z (errors=skip reads past "
        "it; cloudtrail_files('%q') lists every file's problem%s%q%s)", zMsg,
        pCur->zPath, bGlob ? "; or read only the logs, with a glob such as '" : "",
        bGlob ? pCur->zPath : "", bGlob ? "/**/*_CloudTrail_*'" : ""));
  }
  sqlite3_log(SQLITE_WARNING, "%s (skipped after %lld records)", zMsg, nRecord);
  if( !pCur->opt.bQuiet ){
    fprintf(stderr, "%s (errors=skip: skipped after %lld records; "
            "cloudtrail_files lists it)\n", zMsg, (long long)nRecord);
  }
  sqlite3_free(zMsg);
  return SQLITE_OK;
}

/*
** Move to the next file of the walk and open a reader on it.  Returns
** SQLITE_ROW when a reader is open, SQLITE_DONE at the end of the walk,
** or an error.  Unreadable entries fail the scan in strict mode and are
** skipped (with a warning) with errors=skip; cloudtrail_files never fails
** on them but reports them, so it passes bReport, and then also gets the
** connection's own database files, which are never opened.  Files the
** pushed-down event_time bound rules out are not opened (ct_filter.c).
*/
static int ctCursorNextFile(CtCursor *pCur, int bReport){
  for(;;){
    int rc = ctCursorTake(pCur);
    if( rc!=SQLITE_ROW ) return rc;
    if( pCur->zFileErr==0 && pCur->eOwn ){
      char *zNote;
      if( bReport ) return SQLITE_ROW;
      if( ctCursorRefuses(pCur) ){
        zNote = ctOwnNote(pCur);
        if( zNote==0 ) return SQLITE_NOMEM;
        rc = ctCursorFileFailed(pCur, ctNotCloudTrailError(pCur, zNote), 0);
        sqlite3_free(zNote);
        if( rc ) return rc;
      }
      continue;
    }
    if( pCur->zFileErr==0 && !ctCursorWants(pCur, pCur->zFile, bReport) ){
      if( ctCursorInterrupted(pCur, CT_PING_FILE) ) return SQLITE_INTERRUPT;
      continue;
    }
    if( pCur->zFileErr==0 ){
      rc = ctCursorOpenCurrent(pCur);
      if( rc==SQLITE_NOMEM ) return rc;
      if( rc==SQLITE_OK && !bReport ){
        rc = ctCursorReadAhead(pCur);
        if( rc ) return rc;
        return SQLITE_ROW;
      }
      if( bReport ) return SQLITE_ROW;
      rc = ctCursorFileFailed(pCur, sqlite3_mprintf("%s", pCur->pRdr->zErr), 0);
      ctReaderEnd(pCur->pRdr);
      pCur->bReaderOpen = 0;
      if( rc ) return rc;
      continue;
    }
    if( bReport ) return SQLITE_ROW;
    rc = ctCursorFileFailed(pCur, sqlite3_mprintf("cloudtrail: %s: %s",
                                                  pCur->zFile, pCur->zFileErr), 0);
    if( rc ) return rc;
  }
}

/* Locate the current record's fields, once per record. */
static void ctCursorFields(CtCursor *pCur){
  CtReader *r = pCur->pRdr;
  if( pCur->bFields ) return;
  if( r->eKind==CT_KIND_ECS ) ctFieldsEcs(r->rec, &pCur->fields);
  else ctFieldsRaw(r->rec, r->bMem ? &r->mem : 0, &pCur->fields);
  pCur->bFields = 1;
}

/* cloudtrail: advance to the next record of any file. */
static int ctEventsNext(CtCursor *pCur){
  for(;;){
    int rc;
    if( pCur->bReaderOpen ){
      rc = ctReaderNext(pCur->pRdr);
      if( rc==SQLITE_ROW ){
        pCur->bFields = 0;
        if( pCur->filter.nTerm>0 ){
          /* Pushed constraints only name top-level fields of a raw record,
          ** so only those are located here; ECS documents need the lot. */
          char aBuf[CT_FILTER_SCRATCH];
          CtReader *r = pCur->pRdr;
          if( r->eKind==CT_KIND_ECS ){
            ctCursorFields(pCur);
          }else{
            ctFieldsRawPart(r->rec, r->bMem ? &r->mem : 0, &pCur->fields, 1);
          }
          if( !ctFilterRecord(&pCur->filter, &pCur->fields, aBuf, sizeof(aBuf))
           && ++pCur->nSkipped<CT_YIELD_AFTER ){
            if( ctCursorInterrupted(pCur, 1) ) return SQLITE_INTERRUPT;
            continue;
          }
          pCur->nSkipped = 0;
        }
        pCur->iRowid++;
        return SQLITE_OK;
      }
      if( rc==SQLITE_NOMEM ) return rc;
      if( rc!=SQLITE_DONE
       || (ctFormatIsOther(pCur->pRdr->eFormat) && ctCursorRefuses(pCur)) ){
        char *zMsg = rc!=SQLITE_DONE ? sqlite3_mprintf("%s", pCur->pRdr->zErr)
                                     : ctNotCloudTrailError(pCur, pCur->pRdr->zNote);
        rc = ctCursorFileFailed(pCur, zMsg, pCur->pRdr->nRecord);
        if( rc ) return rc;
      }
      ctReaderEnd(pCur->pRdr);
      pCur->bReaderOpen = 0;
    }
    rc = ctCursorNextFile(pCur, 0);
    if( rc==SQLITE_DONE ){
      pCur->bEof = 1;
      return SQLITE_OK;
    }
    if( rc!=SQLITE_ROW ) return rc;
  }
}

/* Make sure the scratch buffer holds n bytes. */
static int ctScratch(CtCursor *pCur, size_t n){
  if( n>pCur->nScratch ){
    size_t nNew = n<256 ? 256 : n;
    char *aNew = sqlite3_realloc64(pCur->aScratch, nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    pCur->aScratch = aNew;
    pCur->nScratch = nNew;
  }
  return SQLITE_OK;
}

/* Decode the JSON string body s into the scratch buffer; *pn its length. */
static const char *ctDecode(CtCursor *pCur, CtSpan s, size_t *pn){
  if( memchr(s.z, '\\', s.n)==0 ){
    *pn = s.n;
    return s.z;
  }
  if( ctScratch(pCur, s.n) ) return 0;
  *pn = ct_json_unescape(s.z, s.n, pCur->aScratch);
  return pCur->aScratch;
}

/* The current record's event time as a decoded string in *pz, *pn (valid
** until the next decode), or *pz 0 when it has none.  SQLITE_NOMEM. */
static int ctEventTime(CtCursor *pCur, const char **pz, size_t *pn){
  CtSpan v;
  if( pCur->pRdr->eKind==CT_KIND_ECS ) v = ct_json_lookup(pCur->pRdr->rec, "@timestamp");
  else{
    ctFieldsRaw(pCur->pRdr->rec, pCur->pRdr->bMem ? &pCur->pRdr->mem : 0,
                &pCur->fields);
    v = pCur->fields.a[CT_F_EVENT_TIME];
  }
  v = ctJsonStringBody(v);
  *pz = 0;
  if( v.z==0 ) return SQLITE_OK;
  *pz = ctDecode(pCur, v, pn);
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
static int ctFilesNext(CtCursor *pCur){
  CtFileInfo *pI = &pCur->info;
  int rc;
  if( pCur->bReaderOpen ){
    ctReaderEnd(pCur->pRdr);
    pCur->bReaderOpen = 0;
  }
  ctFileInfoClear(pI);
  rc = ctCursorNextFile(pCur, 1);
  if( rc==SQLITE_DONE ){
    pCur->bEof = 1;
    return SQLITE_OK;
  }
  if( rc!=SQLITE_ROW ) return rc;
  pCur->iRowid++;
  pI->nBytes = -1;
  pI->nCompressed = -1;
  if( pCur->zFileErr ){
    /* The walk could not treat it as a file at all. */
    pI->zError = sqlite3_mprintf("%s", pCur->zFileErr);
    return pI->zError ? SQLITE_OK : SQLITE_NOMEM;
  }
  if( pCur->eOwn ){
    /* One of this connection's database files: listed, never opened. */
    pI->eFormat = ctOwnFormat(pCur->eOwn);
    pI->nCompressed = pCur->nOwnSize;
    pI->zNote = ctOwnNote(pCur);
    if( pI->zNote==0 ) return SQLITE_NOMEM;
    if( ctCursorRefuses(pCur) ){
      pI->zError = ctNotCloudTrail(pCur, pI->zNote);
      if( pI->zError==0 ) return SQLITE_NOMEM;
    }
    return SQLITE_OK;
  }
  rc = pCur->pRdr->rc ? pCur->pRdr->rc : SQLITE_ROW;
  while( rc==SQLITE_ROW ){
    const char *zT;
    size_t nT;
    rc = ctReaderNext(pCur->pRdr);
    if( rc!=SQLITE_ROW ) break;
    if( ctCursorInterrupted(pCur, 1) ) return SQLITE_INTERRUPT;
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
  pI->eFormat = pCur->pRdr->eFormat;
  pI->bGzip = pCur->pRdr->s.bGzip;
  pI->nCompressed = pCur->pRdr->s.nFileSize>=0 ? pCur->pRdr->s.nFileSize
                                             : ctStreamFileRead(&pCur->pRdr->s);
  pI->nRecords = pCur->pRdr->nRecord;
  if( rc==SQLITE_DONE ){
    /* Known only for a file read to its end: one recognised from its
    ** first bytes as not CloudTrail is not read further. */
    if( !pCur->pRdr->bStopped ){
      pI->nBytes = pCur->pRdr->s.iBase + (sqlite3_int64)pCur->pRdr->s.nData;
    }
  }else{
    pI->zError = sqlite3_mprintf("%s", ctBareError(pCur));
    if( pI->zError==0 ) return SQLITE_NOMEM;
  }
  if( ctFormatIsOther(pI->eFormat) ){
    pI->zNote = sqlite3_mprintf("%s", pCur->pRdr->zNote ? pCur->pRdr->zNote : "");
    if( pI->zNote==0 ) return SQLITE_NOMEM;
    if( rc==SQLITE_DONE && ctCursorRefuses(pCur) ){
      pI->zError = ctNotCloudTrail(pCur, pI->zNote);
      if( pI->zError==0 ) return SQLITE_NOMEM;
    }
  }
  return SQLITE_OK;
}

/*
** Start a scan.  argv[] holds PATH and/or OPTIONS as idxNum says; missing
** ones come from CREATE VIRTUAL TABLE.
*/
static int ctVtabFilter(sqlite3_vtab_cursor *cur, int idxNum,
                        const char *idxStr, int argc, sqlite3_value **argv){
  CtCursor *pCur = (CtCursor*)cur;
  CtVtab *pTab = (CtVtab*)cur->pVtab;
  const char *zPath = pTab->zPath;
  char *zErr = 0;
  int rc, iArg = 0;
  sqlite3_int64 mxLen;
  (void)argc;
  ctCursorReset(pCur);
  pCur->opt = pTab->opt;
  pCur->mArgs = idxNum & 3;
  if( idxNum & 1 ){
    zPath = (const char*)sqlite3_value_text(argv[iArg++]);
    if( zPath==0 ){
      return ctCursorError(pCur, sqlite3_mprintf("cloudtrail: PATH is NULL"));
    }
  }
  if( zPath==0 ){
    return ctCursorError(pCur, sqlite3_mprintf("cloudtrail: no PATH: use "
        "%s('dir') or CREATE VIRTUAL TABLE t USING %s('dir')",
        pTab->bFiles ? "cloudtrail_files" : "cloudtrail",
        pTab->bFiles ? "cloudtrail_files" : "cloudtrail"));
  }
  pCur->zPath = sqlite3_mprintf("%s", zPath);
  if( pCur->zPath==0 ) return SQLITE_NOMEM;
  if( idxNum & 2 ){
    const char *zOpt = (const char*)sqlite3_value_text(argv[iArg++]);
    if( zOpt ){
      pCur->zOptions = sqlite3_mprintf("%s", zOpt);
      if( pCur->zOptions==0 ) return SQLITE_NOMEM;
      rc = ctOptionsParse(&pCur->opt, zOpt, &zErr);
      if( rc ) return zErr ? ctCursorError(pCur, zErr) : rc;
    }
  }
  /* Every record becomes a TEXT value, so none may exceed the length
  ** limit of this connection. */
  mxLen = sqlite3_limit(pTab->db, SQLITE_LIMIT_LENGTH, -1);
  if( pCur->opt.mxRecord>mxLen ){
    if( pCur->opt.mxRecord!=CT_DEFAULT_MAX_RECORD ){
      return ctCursorError(pCur, sqlite3_mprintf("cloudtrail: max_record_size"
          " %lld exceeds SQLITE_LIMIT_LENGTH (%lld)", pCur->opt.mxRecord, mxLen));
    }
    pCur->opt.mxRecord = mxLen;
  }
  if( pCur->opt.nBuffer>pCur->opt.mxRecord ) pCur->opt.nBuffer = pCur->opt.mxRecord;
  if( !pTab->bFiles ){
    rc = ctFilterInit(&pCur->filter, idxStr, argv+iArg, pCur->opt.bPrune, &zErr);
    if( rc ) return zErr ? ctCursorError(pCur, zErr) : rc;
  }
  rc = ctWalkOpen(pCur->zPath, &pCur->pWalk, &zErr);
  if( rc ) return zErr ? ctCursorError(pCur, zErr) : rc;
  rc = ctOwnDbLoad(pTab->db, &pCur->pOwn);
  if( rc && rc!=SQLITE_NOMEM ){
    return ctCursorError(pCur, sqlite3_mprintf("cloudtrail: cannot list this "
        "connection's database files (PRAGMA database_list): %s",
        sqlite3_errmsg(pTab->db)));
  }
  if( rc ) return rc;
  pCur->bEof = 0;
  return pTab->bFiles ? ctFilesNext(pCur) : ctEventsNext(pCur);
}

static int ctVtabNext(sqlite3_vtab_cursor *cur){
  CtCursor *pCur = (CtCursor*)cur;
  CtVtab *pTab = (CtVtab*)cur->pVtab;
  return pTab->bFiles ? ctFilesNext(pCur) : ctEventsNext(pCur);
}

static int ctVtabEof(sqlite3_vtab_cursor *cur){
  return ((CtCursor*)cur)->bEof;
}

static int ctVtabRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((CtCursor*)cur)->iRowid;
  return SQLITE_OK;
}

/* Return a JSON value as SQL: strings decoded, null as NULL, anything else
** (numbers, booleans, objects) as its JSON text. */
static void ctResultJson(sqlite3_context *ctx, CtCursor *pCur, CtSpan v){
  CtSpan s;
  size_t n;
  const char *z;
  if( ct_json_is_null(v) ) return;
  s = ctJsonStringBody(v);
  if( s.z==0 ){
    sqlite3_result_text(ctx, v.z, (int)v.n, SQLITE_TRANSIENT);
    return;
  }
  z = ctDecode(pCur, s, &n);
  if( z==0 ){ sqlite3_result_error_nomem(ctx); return; }
  sqlite3_result_text(ctx, z, (int)n, SQLITE_TRANSIENT);
}

/* read_only: JSON true/false (or the strings "true"/"false") as 1/0. */
static void ctResultBool(sqlite3_context *ctx, CtSpan v){
  CtSpan s = ctJsonStringBody(v);
  if( s.z ) v = s;
  if( v.z && v.n==4 && memcmp(v.z, "true", 4)==0 ) sqlite3_result_int(ctx, 1);
  else if( v.z && v.n==5 && memcmp(v.z, "false", 5)==0 ) sqlite3_result_int(ctx, 0);
}

/* outcome of a raw record (see ctOutcomeRaw()). */
static void ctResultOutcome(sqlite3_context *ctx, CtCursor *pCur){
  int bLower;
  const char *zFixed = ctOutcomeRaw(&pCur->fields, &bLower);
  size_t n, i;
  const char *z;
  char *zOut;
  if( zFixed ){
    sqlite3_result_text(ctx, zFixed, -1, SQLITE_STATIC);
    return;
  }
  z = ctDecode(pCur, ctJsonStringBody(pCur->fields.a[CT_F_CONSOLE_LOGIN]), &n);
  zOut = z ? sqlite3_malloc64(n+1) : 0;
  if( zOut==0 ){ sqlite3_result_error_nomem(ctx); return; }
  for(i=0; i<n; i++){
    char c = z[i];
    zOut[i] = (c>='A' && c<='Z') ? (char)(c+32) : c;
  }
  sqlite3_result_text(ctx, zOut, (int)n, sqlite3_free);
}

/* session_issuer_name of an ECS document: the last '/' segment of the
** issuer ARN (a role ARN ends with the role name). */
static void ctResultIssuerName(sqlite3_context *ctx, CtCursor *pCur){
  CtSpan s = ctJsonStringBody(pCur->fields.a[CT_F_ISSUER_ARN]);
  size_t n, i;
  const char *z;
  if( s.z==0 ) return;
  z = ctDecode(pCur, s, &n);
  if( z==0 ){ sqlite3_result_error_nomem(ctx); return; }
  for(i=n; i>0 && z[i-1]!='/'; i--){}
  if( i>0 ) sqlite3_result_text(ctx, z+i, (int)(n-i), SQLITE_TRANSIENT);
}

/* The hidden column PATH (k 0) or OPTIONS (k 1).  A table made by CREATE
** VIRTUAL TABLE reads back its own PATH and options when a query gives
** none (they describe its rows); the table-valued form has no such values,
** so reading an argument it was not given is an error (ctResultArgument()). */
static int ctCursorArgument(CtCursor *pCur, sqlite3_context *ctx, int k){
  CtVtab *pTab = (CtVtab*)pCur->base.pVtab;
  int bGiven = (pCur->mArgs>>k)&1;
  if( !bGiven && pTab->zPath ){
    const char *z = k ? pTab->zOptions : pTab->zPath;
    if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
    return SQLITE_OK;
  }
  return ctResultArgument(ctx, pTab->bFiles ? "cloudtrail_files" : "cloudtrail",
                          k ? "options" : "path", bGiven,
                          k ? pCur->zOptions : pCur->zPath);
}

static int ctEventsColumn(CtCursor *pCur, sqlite3_context *ctx, int i){
  CtReader *r = pCur->pRdr;
  int bEcs = r->eKind==CT_KIND_ECS;
  switch( i ){
    case CT_COL_RAW:
      sqlite3_result_text(ctx, r->rec.z, (int)r->rec.n, SQLITE_TRANSIENT);
      sqlite3_result_subtype(ctx, CT_SUBTYPE_RECORD);
      return SQLITE_OK;
    case CT_COL_FILE:
      sqlite3_result_text(ctx, pCur->zFile, -1, SQLITE_TRANSIENT);
      return SQLITE_OK;
    case CT_COL_RECORD_INDEX:
      sqlite3_result_int64(ctx, r->iRecord);
      return SQLITE_OK;
    case CT_COL_PATH:
    case CT_COL_OPTIONS:
      return ctCursorArgument(pCur, ctx, i-CT_COL_PATH);
  }
  ctCursorFields(pCur);
  if( i==CT_F_READ_ONLY ){
    ctResultBool(ctx, pCur->fields.a[i]);
  }else if( i==CT_F_OUTCOME && !bEcs ){
    ctResultOutcome(ctx, pCur);
  }else if( i==CT_F_ISSUER_NAME && bEcs ){
    ctResultIssuerName(ctx, pCur);
  }else{
    ctResultJson(ctx, pCur, pCur->fields.a[i]);
  }
  return SQLITE_OK;
}

static int ctFilesColumn(CtCursor *pCur, sqlite3_context *ctx, int i){
  CtFileInfo *pI = &pCur->info;
  switch( i ){
    case CT_FCOL_FILE:
      sqlite3_result_text(ctx, pCur->zFile, -1, SQLITE_TRANSIENT);
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
      return ctCursorArgument(pCur, ctx, i-CT_FCOL_PATH);
  }
  return SQLITE_OK;
}

static int ctVtabColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  CtCursor *pCur = (CtCursor*)cur;
  if( ((CtVtab*)cur->pVtab)->bFiles ) return ctFilesColumn(pCur, ctx, i);
  return ctEventsColumn(pCur, ctx, i);
}

static sqlite3_module ctModule = {
  0,                  /* iVersion */
  ctVtabConnect,      /* xCreate: same as xConnect, so also eponymous */
  ctVtabConnect,      /* xConnect */
  ctVtabBestIndex,
  ctVtabDisconnect,
  ctVtabDisconnect,   /* xDestroy */
  ctVtabOpen,
  ctVtabClose,
  ctVtabFilter,
  ctVtabNext,
  ctVtabEof,
  ctVtabColumn,
  ctVtabRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

/*
** Register both tables.  They read files, so they are never marked
** SQLITE_VTAB_INNOCUOUS: with trusted_schema=OFF the schema cannot use them.
*/
int ctRegisterVtabs(sqlite3 *db){
  char *zSchema = ctFieldsSchema();
  int rc;
  if( zSchema==0 ) return SQLITE_NOMEM;
  /* The module owns the schema text from here on, even on failure. */
  rc = sqlite3_create_module_v2(db, "cloudtrail", &ctModule, zSchema,
                                sqlite3_free);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_module(db, "cloudtrail_files", &ctModule, &ctFilesMarker);
  }
  return rc;
}
