/*
** ct_scan.c — a scan of PATH, the part the cloudtrail and cloudtrail_files
** tables share: their PATH and options (given to CREATE VIRTUAL TABLE or to
** the table-valued function), and the cursor's sequence of files.
**
**   SELECT count(*) FROM cloudtrail('fixtures/demo', 'errors=skip');
**   CREATE VIRTUAL TABLE temp.ev USING cloudtrail('fixtures/demo', errors=skip);
**
** A cursor walks the files (ct_walk.c), reads each with a reader
** (ct_reader.c), and keeps a second reader to open the next file early
** (read-ahead) so its inflate thread overlaps the current file's parsing.
** Files the pushed-down event_time bound rules out are not opened
** (ct_filter.c); this connection's own database files are never opened;
** a file that is not CloudTrail is passed over or fails the scan
** (ctScanRefuses()); a file that fails is an error, or with errors=skip a
** warning (ctScanFileFailed()).  Long stretches of work inside one call
** still let SQLite see interrupts (ctScanInterrupted()).
*/
#include <stdio.h>
#include <string.h>
#include "ct_module.h"
#include "ct_scan.h"
SQLITE_EXTENSION_INIT3

/* State of the read-ahead entry. */
#define CT_AHEAD_NONE  0
#define CT_AHEAD_ENTRY 1      /* zAheadFile (and zAheadErr) hold the next entry */
#define CT_AHEAD_DONE  2      /* the walk has no more entries */
#define CT_AHEAD_ERROR 3      /* the walk failed: zAheadWalkErr */

/* Append the option text z[0..n) to p->zOptions (the hidden column's
** value), comma-separated. */
static int ctScanKeepOption(CtScanTab *p, const char *z, size_t n){
  p->zOptions = p->zOptions
      ? sqlite3_mprintf("%z, %.*s", p->zOptions, (int)n, z)
      : sqlite3_mprintf("%.*s", (int)n, z);
  return p->zOptions ? SQLITE_OK : SQLITE_NOMEM;
}

/* Take z[0..n) (quoted or not) as the table's PATH. */
static int ctScanSetPath(CtScanTab *p, const char *z, size_t n, char **pzErr){
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
static int ctScanArg(CtScanTab *p, const char *z, size_t n, char **pzErr){
  const char *zEq = memchr(z, '=', n);
  int rc;
  if( z[0]=='\'' || z[0]=='"' || zEq==0 ){
    char *zText;
    if( p->zPath==0 || zEq==0 ) return ctScanSetPath(p, z, n, pzErr);
    zText = ctDequote(z, n);
    if( zText==0 ) return SQLITE_NOMEM;
    rc = ctOptionsParse(&p->opt, zText, pzErr);
    if( rc==SQLITE_OK ) rc = ctScanKeepOption(p, zText, strlen(zText));
    sqlite3_free(zText);
    return rc;
  }else{
    size_t nKey = (size_t)(zEq-z), iVal = nKey+1;
    while( nKey>0 && z[nKey-1]==' ' ) nKey--;
    while( iVal<n && z[iVal]==' ' ) iVal++;
    if( nKey==4 && memcmp(z, "path", 4)==0 ){
      return ctScanSetPath(p, z+iVal, n-iVal, pzErr);
    }
    rc = ctOptionsSet(&p->opt, z, nKey, z+iVal, n-iVal, pzErr);
    return rc ? rc : ctScanKeepOption(p, z, n);
  }
}

/*
** xCreate and xConnect of table zModule, declared as zSchema, whose hidden
** PATH column is iPathCol (OPTIONS the next).  Arguments after the module
** name: a PATH (quoted or bare, or path=…) and options, each key=value or
** all in one quoted string (see ctScanArg()).
*/
int ctScanConnect(sqlite3 *db, const char *zModule, const char *zSchema,
                  int iPathCol, int argc, const char *const *argv,
                  sqlite3_vtab **ppVtab, char **pzErr){
  CtScanTab *pNew;
  int rc, i;
  rc = sqlite3_declare_vtab(db, zSchema);
  if( rc ) return rc;
  pNew = sqlite3_malloc64(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->db = db;
  pNew->zModule = zModule;
  pNew->iPathCol = iPathCol;
  ctOptionsInit(&pNew->opt);
  for(i=3; i<argc && rc==SQLITE_OK; i++){
    const char *z = argv[i];
    size_t n = strlen(z);
    while( n>0 && (z[n-1]==' ' || z[n-1]=='\t' || z[n-1]=='\n') ) n--;
    while( n>0 && (z[0]==' ' || z[0]=='\t' || z[0]=='\n') ){ z++; n--; }
    if( n>0 ) rc = ctScanArg(pNew, z, n, pzErr);
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

int ctScanDisconnect(sqlite3_vtab *pVtab){
  CtScanTab *p = (CtScanTab*)pVtab;
  sqlite3_free(p->zPath);
  sqlite3_free(p->zOptions);
  sqlite3_free(p);
  return SQLITE_OK;
}

/*
** The arguments part of xBestIndex: equality on the hidden PATH and
** OPTIONS columns is passed to xFilter as argv[] in that order
** (ctPlanArgs()), idxNum bit 1: PATH given, bit 2: OPTIONS given; *pnArg
** gets how many.  A plan without PATH, when CREATE VIRTUAL TABLE gave none,
** is made too dear to be chosen (xFilter would say it is missing).
*/
int ctScanBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo,
                    int *pnArg){
  CtScanTab *p = (CtScanTab*)pVtab;
  int mArgs, rc;
  rc = ctPlanArgs(pInfo, p->iPathCol, 2, 0, &mArgs);
  if( rc ) return rc;
  pInfo->idxNum = mArgs;
  *pnArg = (mArgs & 1) + ((mArgs>>1) & 1);
  if( !(mArgs & 1) && p->zPath==0 ){
    pInfo->estimatedCost = 1e300;
    pInfo->estimatedRows = 1;
    return SQLITE_OK;
  }
  pInfo->estimatedCost = 1e6;
  pInfo->estimatedRows = 100000;
  return SQLITE_OK;
}

/* xOpen of either table: a zeroed cursor of nByte bytes, which starts
** with a CtScan. */
int ctScanCursorNew(size_t nByte, sqlite3_vtab_cursor **ppCursor){
  CtScan *pCur = sqlite3_malloc64(nByte);
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, nByte);
  pCur->aRdr[0].s.fd = pCur->aRdr[1].s.fd = -1;
  pCur->pRdr = &pCur->aRdr[0];
  *ppCursor = &pCur->base;
  return SQLITE_OK;
}

/* The one reset path: release everything a scan holds. */
static void ctScanReset(CtScan *pCur){
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
  ctFilterClear(&pCur->filter);
  sqlite3_free(pCur->zPath);
  sqlite3_free(pCur->zOptions);
  pCur->zPath = pCur->zOptions = 0;
  pCur->iRowid = 0;
  pCur->bEof = 1;
}

/* xClose's part: release the scan and the cursor itself. */
void ctScanCursorFree(CtScan *pCur){
  ctScanReset(pCur);
  sqlite3_finalize(pCur->pPing);
  sqlite3_free(pCur->aScratch);
  sqlite3_free(pCur);
}

/* Set the table's error message, taking ownership of zMsg (0 after an
** out-of-memory): SQLITE_ERROR, or SQLITE_NOMEM. */
static int ctScanError(CtScan *pCur, char *zMsg){
  return ctVtabErrorTake(pCur->base.pVtab, SQLITE_ERROR, zMsg);
}

/* The message of a reader error without its "cloudtrail: FILE: " prefix. */
const char *ctScanBareError(CtScan *pCur){
  const char *z = pCur->pRdr->zErr;
  size_t nPrefix = strlen("cloudtrail: ") + strlen(pCur->zFile) + 2;
  if( z==0 ) return "out of memory";
  return strlen(z)>=nPrefix ? z+nPrefix : z;
}

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
int ctScanInterrupted(CtScan *pCur, int nUnits){
  int rc;
  pCur->nSincePing += nUnits;
  if( pCur->nSincePing<CT_PING_EVERY ) return 0;
  pCur->nSincePing = 0;
  if( pCur->pPing==0 ){
    sqlite3 *db = ((CtScanTab*)pCur->base.pVtab)->db;
    if( sqlite3_prepare_v2(db, "SELECT 1", -1, &pCur->pPing, 0)!=SQLITE_OK ){
      return 0;
    }
  }
  rc = sqlite3_step(pCur->pPing);
  sqlite3_reset(pCur->pPing);
  return rc==SQLITE_INTERRUPT;
}

/* Read the walk's next entry into the read-ahead slot, if it is empty. */
static int ctScanPeek(CtScan *pCur){
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
static int ctScanTake(CtScan *pCur){
  int rc = ctScanPeek(pCur);
  if( rc ) return rc;
  switch( pCur->eAhead ){
    case CT_AHEAD_DONE:  return SQLITE_DONE;
    case CT_AHEAD_ERROR:
      pCur->eAhead = CT_AHEAD_DONE;
      rc = ctScanError(pCur, pCur->zAheadWalkErr);
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
static int ctScanWants(CtScan *pCur, const char *zFile, int bReport){
  return bReport || ctFilterFile(&pCur->filter, zFile);
}

/*
** With an inflate thread available, open the walk's next file now, in the
** spare reader, so its thread inflates while the current file is parsed.
** Whatever the open says is kept (rcAhead) and acted on only when the scan
** gets to that file, so errors are reported in walk order as always.
*/
static int ctScanReadAhead(CtScan *pCur){
  CtReader *pSpare = pCur->pRdr==&pCur->aRdr[0] ? &pCur->aRdr[1] : &pCur->aRdr[0];
  int rc;
  if( pCur->opt.nThreads==0 || pCur->bAheadOpen ) return SQLITE_OK;
  rc = ctScanPeek(pCur);
  if( rc ) return rc;
  if( pCur->eAhead!=CT_AHEAD_ENTRY || pCur->zAheadErr || pCur->eAheadOwn
   || !ctScanWants(pCur, pCur->zAheadFile, 0) ){
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
static int ctScanOpenCurrent(CtScan *pCur){
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
static int ctScanLogNamed(CtScan *pCur){
  int e = ctIsLogName(pCur->zFile);
  if( pCur->eOwn ) return 0;
  if( e==CT_LOGNAME_GZ ) return !pCur->pRdr->bOtherJson;
  return e==CT_LOGNAME_CLOUDTRAIL;
}

/* True if a file that is not CloudTrail fails the scan rather than being
** passed over: when PATH named it, when not_cloudtrail=error, and always
** when its name or place says it is a CloudTrail log (then it is damaged). */
int ctScanRefuses(CtScan *pCur){
  if( ctScanLogNamed(pCur) ) return 1;
  if( pCur->opt.eNotCt!=CT_NOTCT_AUTO ) return pCur->opt.eNotCt==CT_NOTCT_ERROR;
  return ctWalkIsSingle(pCur->pWalk);
}

/* The format and note of the current entry when it is one of this
** connection's database files. */
int ctScanOwnFormat(int eOwn){
  switch( eOwn ){
    case CT_OWN_WAL:     return CT_FMT_SQLITE_WAL;
    case CT_OWN_SHM:     return CT_FMT_SQLITE_SHM;
    case CT_OWN_JOURNAL: return CT_FMT_SQLITE_JOURNAL;
    default:             return CT_FMT_SQLITE;
  }
}
char *ctScanOwnNote(CtScan *pCur){
  char *z = ctOwnDbNote(pCur->eOwn, pCur->zOwnDb);
  return z ? sqlite3_mprintf("%z (not read)", z) : 0;
}

/* "not CloudTrail: NOTE" for the current entry, and what its name
** implies: cloudtrail_files' error; the scan's, after "cloudtrail: FILE: ". */
char *ctScanNotCloudTrail(CtScan *pCur, const char *zNote){
  return sqlite3_mprintf("not CloudTrail: %s%s", zNote ? zNote : "",
      ctScanLogNamed(pCur) ? " (its name says it is a CloudTrail log, so "
                               "it is damaged)" : "");
}

/* The scan's message for a file that is not CloudTrail. */
char *ctScanNotCloudTrailError(CtScan *pCur, const char *zNote){
  char *z = ctScanNotCloudTrail(pCur, zNote);
  return z ? sqlite3_mprintf("cloudtrail: %s: %z", pCur->zFile, z) : 0;
}

/*
** The current file failed with zMsg ("cloudtrail: FILE: …", taken over),
** after nRecord records.  Strict: the scan fails, and for a file a walk
** found the message says how to read past it.  errors=skip: a warning
** line on stderr (unless quiet=1) and sqlite3_log(), then SQLITE_OK to go
** on; cloudtrail_files reports the file in any case.
*/
int ctScanFileFailed(CtScan *pCur, char *zMsg, sqlite3_int64 nRecord){
  if( zMsg==0 ) return SQLITE_NOMEM;
  if( !pCur->opt.bSkip ){
    /* A glob over the folder is suggested for a file that is not a log
    ** found by a directory walk: it would leave such files out. */
    int bGlob = !ctWalkIsGlob(pCur->pWalk) && !ctIsLogName(pCur->zFile);
    if( ctWalkIsSingle(pCur->pWalk) ) return ctScanError(pCur, zMsg);
    return ctScanError(pCur, sqlite3_mprintf("%z (errors=skip reads past "
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
int ctScanNextFile(CtScan *pCur, int bReport){
  for(;;){
    int rc = ctScanTake(pCur);
    if( rc!=SQLITE_ROW ) return rc;
    if( pCur->zFileErr==0 && pCur->eOwn ){
      char *zNote;
      if( bReport ) return SQLITE_ROW;
      if( ctScanRefuses(pCur) ){
        zNote = ctScanOwnNote(pCur);
        if( zNote==0 ) return SQLITE_NOMEM;
        rc = ctScanFileFailed(pCur, ctScanNotCloudTrailError(pCur, zNote), 0);
        sqlite3_free(zNote);
        if( rc ) return rc;
      }
      continue;
    }
    if( pCur->zFileErr==0 && !ctScanWants(pCur, pCur->zFile, bReport) ){
      if( ctScanInterrupted(pCur, CT_PING_FILE) ) return SQLITE_INTERRUPT;
      continue;
    }
    if( pCur->zFileErr==0 ){
      rc = ctScanOpenCurrent(pCur);
      if( rc==SQLITE_NOMEM ) return rc;
      if( rc==SQLITE_OK && !bReport ){
        rc = ctScanReadAhead(pCur);
        if( rc ) return rc;
        return SQLITE_ROW;
      }
      if( bReport ) return SQLITE_ROW;
      rc = ctScanFileFailed(pCur, sqlite3_mprintf("%s", pCur->pRdr->zErr), 0);
      ctReaderEnd(pCur->pRdr);
      pCur->bReaderOpen = 0;
      if( rc ) return rc;
      continue;
    }
    if( bReport ) return SQLITE_ROW;
    rc = ctScanFileFailed(pCur, sqlite3_mprintf("cloudtrail: %s: %s",
                                                  pCur->zFile, pCur->zFileErr), 0);
    if( rc ) return rc;
  }
}

/* Make sure the scratch buffer holds n bytes. */
static int ctScanScratch(CtScan *pCur, size_t n){
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
const char *ctScanDecode(CtScan *pCur, CtSpan s, size_t *pn){
  if( memchr(s.z, '\\', s.n)==0 ){
    *pn = s.n;
    return s.z;
  }
  if( ctScanScratch(pCur, s.n) ) return 0;
  *pn = ct_json_unescape(s.z, s.n, pCur->aScratch);
  return pCur->aScratch;
}

/*
** The start of xFilter: the scan's PATH and OPTIONS from argv[] as idxNum
** says (missing ones come from CREATE VIRTUAL TABLE), its options checked
** against this connection's limits.  *piArg gets the index in argv[] of
** the first value after them.
*/
int ctScanBegin(CtScan *pCur, int idxNum, sqlite3_value **argv, int *piArg){
  CtScanTab *pTab = (CtScanTab*)pCur->base.pVtab;
  const char *zPath = pTab->zPath;
  char *zErr = 0;
  int rc, iArg = 0;
  sqlite3_int64 mxLen;
  ctScanReset(pCur);
  pCur->opt = pTab->opt;
  pCur->mArgs = idxNum & 3;
  if( idxNum & 1 ){
    zPath = (const char*)sqlite3_value_text(argv[iArg++]);
    if( zPath==0 ){
      return ctScanError(pCur, sqlite3_mprintf("cloudtrail: PATH is NULL"));
    }
  }
  if( zPath==0 ){
    return ctScanError(pCur, sqlite3_mprintf("cloudtrail: no PATH: use "
        "%s('dir') or CREATE VIRTUAL TABLE t USING %s('dir')",
        pTab->zModule, pTab->zModule));
  }
  pCur->zPath = sqlite3_mprintf("%s", zPath);
  if( pCur->zPath==0 ) return SQLITE_NOMEM;
  if( idxNum & 2 ){
    const char *zOpt = (const char*)sqlite3_value_text(argv[iArg++]);
    if( zOpt ){
      pCur->zOptions = sqlite3_mprintf("%s", zOpt);
      if( pCur->zOptions==0 ) return SQLITE_NOMEM;
      rc = ctOptionsParse(&pCur->opt, zOpt, &zErr);
      if( rc ) return zErr ? ctScanError(pCur, zErr) : rc;
    }
  }
  /* Every record becomes a TEXT value, so none may exceed the length
  ** limit of this connection. */
  mxLen = sqlite3_limit(pTab->db, SQLITE_LIMIT_LENGTH, -1);
  if( pCur->opt.mxRecord>mxLen ){
    if( pCur->opt.mxRecord!=CT_DEFAULT_MAX_RECORD ){
      return ctScanError(pCur, sqlite3_mprintf("cloudtrail: max_record_size"
          " %lld exceeds SQLITE_LIMIT_LENGTH (%lld)", pCur->opt.mxRecord, mxLen));
    }
    pCur->opt.mxRecord = mxLen;
  }
  if( pCur->opt.nBuffer>pCur->opt.mxRecord ) pCur->opt.nBuffer = pCur->opt.mxRecord;
  *piArg = iArg;
  return SQLITE_OK;
}

/* The rest of xFilter's part: open the walk and list this connection's
** database files; then the scan is at its start (no file yet). */
int ctScanStart(CtScan *pCur){
  CtScanTab *pTab = (CtScanTab*)pCur->base.pVtab;
  char *zErr = 0;
  int rc = ctWalkOpen(pCur->zPath, &pCur->pWalk, &zErr);
  if( rc ) return zErr ? ctScanError(pCur, zErr) : rc;
  rc = ctOwnDbLoad(pTab->db, &pCur->pOwn);
  if( rc && rc!=SQLITE_NOMEM ){
    return ctScanError(pCur, sqlite3_mprintf("cloudtrail: cannot list this "
        "connection's database files (PRAGMA database_list): %s",
        sqlite3_errmsg(pTab->db)));
  }
  if( rc ) return rc;
  pCur->bEof = 0;
  return SQLITE_OK;
}

/* The current file is done with: its reader keeps its buffers. */
void ctScanEndFile(CtScan *pCur){
  ctReaderEnd(pCur->pRdr);
  pCur->bReaderOpen = 0;
}

int ctScanEof(sqlite3_vtab_cursor *cur){
  return ((CtScan*)cur)->bEof;
}

int ctScanRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((CtScan*)cur)->iRowid;
  return SQLITE_OK;
}

/* The hidden column PATH (k 0) or OPTIONS (k 1).  A table made by CREATE
** VIRTUAL TABLE reads back its own PATH and options when a query gives
** none (they describe its rows); the table-valued form has no such values,
** so reading an argument it was not given is an error (ctResultArgument()). */
int ctScanArgument(CtScan *pCur, sqlite3_context *ctx, int k){
  CtScanTab *pTab = (CtScanTab*)pCur->base.pVtab;
  int bGiven = (pCur->mArgs>>k)&1;
  if( !bGiven && pTab->zPath ){
    const char *z = k ? pTab->zOptions : pTab->zPath;
    if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
    return SQLITE_OK;
  }
  return ctResultArgument(ctx, pTab->zModule,
                          k ? "options" : "path", bGiven,
                          k ? pCur->zOptions : pCur->zPath);
}

