/*
** ct_scan.h — a scan of PATH, as the cloudtrail and cloudtrail_files
** tables make it: the table's PATH and options, and the cursor's sequence
** of files (the walk, the read-ahead, pruning, this connection's own
** database files, files that are not CloudTrail, the skip policy).
**
**   SELECT file, error FROM cloudtrail_files('fixtures', 'errors=skip');
*/
#ifndef CT_SCAN_H
#define CT_SCAN_H
#include "sqlite3ext.h"
#include "ct_fields.h"
#include "ct_filter.h"
#include "ct_options.h"
#include "ct_reader.h"
#include "ct_walk.h"

/* A table of either kind: the PATH and options CREATE VIRTUAL TABLE gave. */
typedef struct CtScanTab CtScanTab;
struct CtScanTab {
  sqlite3_vtab base;
  sqlite3 *db;
  const char *zModule;    /* "cloudtrail" or "cloudtrail_files" (static) */
  int iPathCol;           /* the hidden PATH column; OPTIONS is the next */
  char *zPath;            /* PATH given to CREATE VIRTUAL TABLE, or 0 */
  char *zOptions;         /* its options, as text for the hidden column */
  CtOptions opt;          /* options given to CREATE VIRTUAL TABLE */
};

/* The cursor's part that is the scan; each table's cursor starts with it. */
typedef struct CtScan CtScan;
struct CtScan {
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
  int eAhead;             /* CT_AHEAD_* in ct_scan.c */
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
  CtFilter filter;        /* constraints pushed down (cloudtrail only) */
  int nSincePing;         /* work units since ctScanInterrupted() looked */
  sqlite3_stmt *pPing;    /* "SELECT 1", to see sqlite3_interrupt() */
  char *aScratch;         /* decoded strings */
  size_t nScratch;
};

int ctScanConnect(sqlite3 *db, const char *zModule, const char *zSchema,
                  int iPathCol, int argc, const char *const *argv,
                  sqlite3_vtab **ppVtab, char **pzErr);
int ctScanDisconnect(sqlite3_vtab *pVtab);
int ctScanBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo,
                    int *pnArg);
int ctScanCursorNew(size_t nByte, sqlite3_vtab_cursor **ppCursor);
void ctScanCursorFree(CtScan *pCur);
int ctScanEof(sqlite3_vtab_cursor *cur);
int ctScanRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid);
int ctScanBegin(CtScan *pCur, int idxNum, sqlite3_value **argv, int *piArg);
int ctScanStart(CtScan *pCur);
int ctScanNextFile(CtScan *pCur, int bReport);
void ctScanEndFile(CtScan *pCur);
int ctScanFileFailed(CtScan *pCur, char *zMsg, sqlite3_int64 nRecord);
int ctScanRefuses(CtScan *pCur);
char *ctScanNotCloudTrail(CtScan *pCur, const char *zNote);
char *ctScanNotCloudTrailError(CtScan *pCur, const char *zNote);
int ctScanOwnFormat(int eOwn);
char *ctScanOwnNote(CtScan *pCur);
const char *ctScanBareError(CtScan *pCur);
int ctScanInterrupted(CtScan *pCur, int nUnits);
const char *ctScanDecode(CtScan *pCur, CtSpan s, size_t *pn);
int ctScanArgument(CtScan *pCur, sqlite3_context *ctx, int k);

#endif
