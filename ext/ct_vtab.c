/*
** ct_vtab.c — the virtual table cloudtrail: one row per record of every
** file below PATH, its columns from the table of fields (ct_fields.h).
**
**   SELECT event_time, event_name, principal_id, source_ip
**     FROM cloudtrail('fixtures/demo') WHERE event_name = 'ConsoleLogin';
**
** Eponymous (usable as a table-valued function, PATH and OPTIONS being
** hidden columns) and creatable (CREATE VIRTUAL TABLE t USING
** cloudtrail(PATH, key=value…)), so a case database can keep a table over
** its evidence folder.  The sequence of files is the scan's (ct_scan.c);
** here each record becomes a row.  Constraints the planner pushes down
** (ct_filter.c) skip records and prune files; long stretches of skipping
** still let SQLite see interrupts.
**
** Security: this table opens files named by its arguments, so it is NOT
** registered as innocuous.  With PRAGMA trusted_schema=OFF, a view or
** trigger stored in a database cannot use it; only SQL the user types
** can.  See docs/security.md.
*/
#include <string.h>
#include "ct_ecs.h"
#include "ct_fields.h"
#include "ct_filter.h"
#include "ct_module.h"
#include "ct_scan.h"
#include "ct_vtab.h"
SQLITE_EXTENSION_INIT3

/* Columns after the event fields (cloudtrail): see CT_FIELD_LIST. */
#define CT_COL_RAW          CT_F_RAW
#define CT_COL_FILE         CT_F_FILE
#define CT_COL_RECORD_INDEX CT_F_RECORD_INDEX
#define CT_COL_PATH         CT_F_PATH
#define CT_COL_OPTIONS      CT_F_OPTIONS

/* Strings up to this size are decoded on the stack to test pushed
** constraints; event times, names and sources are far shorter. */
#define CT_FILTER_SCRATCH 256

/* After this many records skipped in a row by pushed constraints, one is
** returned anyway: SQLite checks the constraints again and drops it, and in
** between it looks at sqlite3_interrupt() and the progress handler, which
** an extension built for SQLite 3.40 cannot query itself.  4096 records take
** about a millisecond to skip. */
#define CT_YIELD_AFTER 4096

/* A cursor of cloudtrail: the scan, and the current record's fields. */
typedef struct CtCursor CtCursor;
struct CtCursor {
  CtScan s;               /* first: the scan (ct_scan.c) */
  CtFields fields;        /* current record's fields … */
  int bFields;            /* … once located */
  int nSkipped;           /* records skipped since the last row returned */
  CtEcsOpts *pEcs;        /* the ecs column's options, if any were given */
  CtRecordRef ref;        /* what the record_ptr column points to */
};

static int ctVtabConnect(sqlite3 *db, void *pAux, int argc,
                         const char *const *argv, sqlite3_vtab **ppVtab,
                         char **pzErr){
  /* pAux: the schema, built from the table of fields at registration. */
  return ctScanConnect(db, "cloudtrail", (const char*)pAux, CT_COL_PATH,
                       argc, argv, ppVtab, pzErr);
}

/*
** The PATH and OPTIONS arguments (ctScanBestIndex()), then the
** constraints on event_time, event_name, event_source that ct_filter.c
** pushes: a plan that pushes more is cheaper, so the planner prefers it.
*/
static int ctVtabBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  CtScanTab *p = (CtScanTab*)pVtab;
  char *zIdx = 0;
  int nArg, nTerm;
  int rc = ctScanBestIndex(pVtab, pInfo, &nArg);
  if( rc ) return rc;
  if( !(pInfo->idxNum & 1) && p->zPath==0 ) return SQLITE_OK;
  nTerm = ctFilterPlan(pInfo, nArg, &zIdx);
  if( nTerm<0 ) return SQLITE_NOMEM;
  if( nTerm>0 ){
    pInfo->idxStr = zIdx;
    pInfo->needToFreeIdxStr = 1;
    pInfo->estimatedCost = 1e6 / (1 + nTerm);
    pInfo->estimatedRows = 100000 / (1 + 9*nTerm);
  }
  return SQLITE_OK;
}

static int ctVtabOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor){
  (void)pVtab;
  return ctScanCursorNew(sizeof(CtCursor), ppCursor);
}

static int ctVtabClose(sqlite3_vtab_cursor *cur){
  ctEcsOptsFree(((CtCursor*)cur)->pEcs);
  ctScanCursorFree((CtScan*)cur);
  return SQLITE_OK;
}

/* Locate the current record's fields, once per record. */
static void ctCursorFields(CtCursor *pCur){
  CtReader *r = pCur->s.pRdr;
  if( pCur->bFields ) return;
  if( r->eKind==CT_KIND_ECS ) ctFieldsEcs(r->rec, &pCur->fields);
  else ctFieldsRaw(r->rec, r->bMem ? &r->mem : 0, &pCur->fields);
  pCur->bFields = 1;
}

/* The current file's reading ended with rc (SQLITE_DONE or an error):
** fail it if it must (ctScanFileFailed()), and end it.  SQLITE_OK to go
** on to the next file. */
static int ctEventsFileDone(CtCursor *pCur, int rc){
  CtReader *r = pCur->s.pRdr;
  if( rc!=SQLITE_DONE || (ctFormatIsOther(r->eFormat) && ctScanRefuses(&pCur->s)) ){
    char *zMsg = rc!=SQLITE_DONE ? sqlite3_mprintf("%s", r->zErr)
                                 : ctScanNotCloudTrailError(&pCur->s, r->zNote);
    rc = ctScanFileFailed(&pCur->s, zMsg, r->nRecord);
    if( rc ) return rc;
  }
  ctScanEndFile(&pCur->s);
  return SQLITE_OK;
}

/* cloudtrail: advance to the next record of any file. */
static int ctEventsNext(CtCursor *pCur){
  for(;;){
    int rc;
    if( pCur->s.bReaderOpen ){
      rc = ctReaderNext(pCur->s.pRdr);
      if( rc==SQLITE_ROW ){
        pCur->bFields = 0;
        if( pCur->s.filter.nTerm>0 ){
          /* Pushed constraints only name top-level fields of a raw record,
          ** so only those are located here; ECS documents need the lot. */
          char aBuf[CT_FILTER_SCRATCH];
          CtReader *r = pCur->s.pRdr;
          if( r->eKind==CT_KIND_ECS ){
            ctCursorFields(pCur);
          }else{
            ctFieldsRawPart(r->rec, r->bMem ? &r->mem : 0, &pCur->fields, 1);
          }
          if( !ctFilterRecord(&pCur->s.filter, &pCur->fields, aBuf, sizeof(aBuf))
           && ++pCur->nSkipped<CT_YIELD_AFTER ){
            if( ctScanInterrupted(&pCur->s, 1) ) return SQLITE_INTERRUPT;
            continue;
          }
          pCur->nSkipped = 0;
        }
        pCur->s.iRowid++;
        return SQLITE_OK;
      }
      if( rc==SQLITE_NOMEM ) return rc;
      rc = ctEventsFileDone(pCur, rc);
      if( rc ) return rc;
    }
    rc = ctScanNextFile(&pCur->s, 0);
    if( rc==SQLITE_DONE ){
      pCur->s.bEof = 1;
      return SQLITE_OK;
    }
    if( rc!=SQLITE_ROW ) return rc;
  }
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
  z = ctScanDecode(&pCur->s, s, &n);
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
  z = ctScanDecode(&pCur->s, ctJsonStringBody(pCur->fields.a[CT_F_CONSOLE_LOGIN]), &n);
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
  z = ctScanDecode(&pCur->s, s, &n);
  if( z==0 ){ sqlite3_result_error_nomem(ctx); return; }
  for(i=n; i>0 && z[i-1]!='/'; i--){}
  if( i>0 ) sqlite3_result_text(ctx, z+i, (int)(n-i), SQLITE_TRANSIENT);
}

static int ctEventsColumn(CtCursor *pCur, sqlite3_context *ctx, int i){
  CtReader *r = pCur->s.pRdr;
  int bEcs = r->eKind==CT_KIND_ECS;
  switch( i ){
    case CT_COL_RAW:
      sqlite3_result_text(ctx, r->rec.z, (int)r->rec.n, SQLITE_TRANSIENT);
      sqlite3_result_subtype(ctx, CT_SUBTYPE_RECORD);
      return SQLITE_OK;
    case CT_COL_FILE:
      sqlite3_result_text(ctx, pCur->s.zFile, -1, SQLITE_TRANSIENT);
      return SQLITE_OK;
    case CT_COL_RECORD_INDEX:
      sqlite3_result_int64(ctx, r->iRecord);
      return SQLITE_OK;
    case CT_COL_PATH:
    case CT_COL_OPTIONS:
      return ctScanArgument(&pCur->s, ctx, i-CT_COL_PATH);
    case CT_F_ECS:
      return ctEcsColumn(ctx, r->rec, pCur->pEcs ? ctEcsOptsConf(pCur->pEcs) : 0);
    case CT_F_RECORD_PTR:
      pCur->ref.rec = r->rec;
      pCur->ref.pMem = r->bMem ? &r->mem : 0;
      sqlite3_result_pointer(ctx, &pCur->ref, CT_RECORD_PTR_TYPE, 0);
      return SQLITE_OK;
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

/* The ecs column's options (pipeline=, retain=, geoip=, asn=) of this
** scan: the table's, then the query's, which win.  Opened here so that a
** bad value or database fails the query at its start. */
static int ctVtabEcsOptions(CtCursor *pCur){
  CtScanTab *pTab = (CtScanTab*)pCur->s.base.pVtab;
  char *zText, *zErr = 0;
  int rc;
  ctEcsOptsFree(pCur->pEcs);
  pCur->pEcs = 0;
  if( !pCur->s.opt.bEcs ) return SQLITE_OK;
  zText = sqlite3_mprintf("%s, %s", pTab->zOptions ? pTab->zOptions : "",
                          pCur->s.zOptions ? pCur->s.zOptions : "");
  if( zText==0 ) return SQLITE_NOMEM;
  rc = ctEcsOptsParse(zText, 1, 1, &pCur->pEcs, &zErr);
  sqlite3_free(zText);
  if( rc ) return zErr ? ctVtabErrorTake(&pTab->base, SQLITE_ERROR, zErr) : rc;
  return SQLITE_OK;
}

/* Start a scan: PATH and OPTIONS, then the pushed constraints' values. */
static int ctVtabFilter(sqlite3_vtab_cursor *cur, int idxNum,
                        const char *idxStr, int argc, sqlite3_value **argv){
  CtCursor *pCur = (CtCursor*)cur;
  char *zErr = 0;
  int rc, iArg = 0;
  (void)argc;
  pCur->bFields = 0;
  rc = ctScanBegin(&pCur->s, idxNum, argv, &iArg);
  if( rc ) return rc;
  rc = ctFilterInit(&pCur->s.filter, idxStr, argv+iArg, pCur->s.opt.bPrune, &zErr);
  if( rc ) return zErr ? ctVtabErrorTake(cur->pVtab, SQLITE_ERROR, zErr) : rc;
  rc = ctVtabEcsOptions(pCur);
  if( rc ) return rc;
  rc = ctScanStart(&pCur->s);
  if( rc ) return rc;
  return ctEventsNext(pCur);
}

static int ctVtabNext(sqlite3_vtab_cursor *cur){
  return ctEventsNext((CtCursor*)cur);
}

static int ctVtabColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  return ctEventsColumn((CtCursor*)cur, ctx, i);
}

static sqlite3_module ctModule = {
  .iVersion = 0,
  .xCreate = ctVtabConnect,     /* same as xConnect, so also eponymous */
  .xConnect = ctVtabConnect,
  .xBestIndex = ctVtabBestIndex,
  .xDisconnect = ctScanDisconnect,
  .xDestroy = ctScanDisconnect,
  .xOpen = ctVtabOpen,
  .xClose = ctVtabClose,
  .xFilter = ctVtabFilter,
  .xNext = ctVtabNext,
  .xEof = ctScanEof,
  .xColumn = ctVtabColumn,
  .xRowid = ctScanRowid,
};

/*
** Register the table.  It reads files, so it is never marked
** SQLITE_VTAB_INNOCUOUS: with trusted_schema=OFF the schema cannot use it.
** Its declared schema is built once, here, from the table of fields.
*/
int ctRegisterVtabs(sqlite3 *db){
  char *zSchema = ctFieldsSchema();
  if( zSchema==0 ) return SQLITE_NOMEM;
  /* The module owns the schema text from here on, even on failure. */
  return sqlite3_create_module_v2(db, "cloudtrail", &ctModule, zSchema,
                                  sqlite3_free);
}
