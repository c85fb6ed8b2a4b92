/*
** ct_filter.c — constraints the planner hands to the cloudtrail table.
**
** Pushed down: event_time with =, >, >=, <, <=, BETWEEN and IN; event_name
** and event_source with = and IN.  A record that cannot satisfy them is
** skipped before any column is built.  SQLite still checks every constraint
** on the rows it gets (omit stays 0), so a pushed constraint may only ever
** skip what provably fails it: values are compared exactly as SQLite
** compares the column — event_time under its collation cloudtrail_time (as
** instants, ct_time.c) or an explicit COLLATE BINARY, the others as TEXT
** under BINARY — and anything else (another collation, a value too long to
** decode here) is not pushed or not used.
**
** An event_time bound under cloudtrail_time must be a time: a number or a
** text that is not a time fails the query with an error naming it, where
** SQLite alone would silently order it before every time.
**
** A lower bound on event_time also prunes files: CloudTrail names each S3
** delivery file after its delivery time (…_CloudTrail_<region>_YYYYMMDDTHHMMZ_…),
** and no event is delivered before it happens, so a file delivered before
** the bound minus a safety margin holds nothing the query can return.
** Upper bounds never prune (CloudTrail delivers late).
*/
#include <string.h>
#include "ct_filter.h"
SQLITE_EXTENSION_INIT3

/* Slack between an event's time and its file's delivery stamp that pruning
** allows: the stamp has minute resolution, and the event and delivery
** clocks are different AWS services.  Fifteen minutes is far beyond their
** skew while still pruning all but a sliver of a long corpus. */
#define CT_PRUNE_MARGIN (15*60 + 60)

/* Names of pushed columns and operators in idxStr, which EXPLAIN QUERY
** PLAN shows: "event_time>=,event_name IN,".  An event_time term under
** COLLATE BINARY (text order, not instants) carries CT_BINARY_MARK. */
static const char *const ctOpName[] = { "=", ">", ">=", "<", "<=", " IN" };
#define CT_BINARY_MARK " BINARY"

/* True if the planner may push constraints on column iCol (CT_FF_PUSH in
** the table of fields: top-level keys of a raw record). */
static int ctPushable(int iCol){
  return iCol>=0 && iCol<CT_F_NCOLUMN
      && (ctFieldTable[iCol].mFlags & CT_FF_PUSH)!=0;
}

/*
** Choose the constraints to push.  Pushed ones get argvIndex values from
** iArg+1 on, in the order their terms appear in *pzIdx ("column op," per
** term).  Returns the number of terms pushed, or -1 if out of memory.
*/
int ctFilterPlan(sqlite3_index_info *pInfo, int iArg, char **pzIdx){
  int i, nTerm = 0;
  char *z = 0;
  for(i=0; i<pInfo->nConstraint && nTerm<CT_MAX_FILTERS; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    int op = -1, bBinary;
    const char *zColl;
    if( !pC->usable ) continue;
    if( !ctPushable(pC->iColumn) ) continue;
    switch( pC->op ){
      case SQLITE_INDEX_CONSTRAINT_EQ: op = CT_OP_EQ; break;
      case SQLITE_INDEX_CONSTRAINT_GT: op = CT_OP_GT; break;
      case SQLITE_INDEX_CONSTRAINT_GE: op = CT_OP_GE; break;
      case SQLITE_INDEX_CONSTRAINT_LT: op = CT_OP_LT; break;
      case SQLITE_INDEX_CONSTRAINT_LE: op = CT_OP_LE; break;
    }
    if( op<0 ) continue;
    if( pC->iColumn!=CT_F_EVENT_TIME && op!=CT_OP_EQ ) continue;
    zColl = sqlite3_vtab_collation(pInfo, i);
    bBinary = zColl==0 || sqlite3_stricmp(zColl, "BINARY")==0;
    if( !bBinary && (pC->iColumn!=CT_F_EVENT_TIME
                     || sqlite3_stricmp(zColl, CT_TIME_COLLATION)!=0) ){
      continue;
    }
    if( op==CT_OP_EQ && sqlite3_vtab_in(pInfo, i, -1) ){
      sqlite3_vtab_in(pInfo, i, 1);
      op = CT_OP_IN;
    }
    pInfo->aConstraintUsage[i].argvIndex = iArg + ++nTerm;
    z = sqlite3_mprintf("%z%s%s%s,", z, ctFieldTable[pC->iColumn].zName, ctOpName[op],
                        bBinary && pC->iColumn==CT_F_EVENT_TIME ? CT_BINARY_MARK : "");
    if( z==0 ) return -1;
  }
  *pzIdx = z;
  return nTerm;
}

/* An error about the event_time bound pVal, naming it: zWhy says why it
** is not a time, or is 0 for a number.  SQLITE_ERROR (or SQLITE_NOMEM). */
static int ctBoundError(char **pzErr, sqlite3_value *pVal, const char *zWhy){
  const char *z = (const char*)sqlite3_value_text(pVal);
  if( z==0 ) return SQLITE_NOMEM;
  if( zWhy==0 ){
    *pzErr = sqlite3_mprintf("cloudtrail: event_time is compared with the "
        "number %s: write the bound as a time in text, such as "
        "'2023-07-10T16:00:00Z' (for Unix seconds: datetime(%s, 'unixepoch'))",
        z, z);
  }else{
    *pzErr = sqlite3_mprintf("cloudtrail: event_time bound '%s' is not a time"
        " (%s): write it as '2023-07-10T16:00:00Z' or '2023-07-10 16:00:00'"
        " (UTC; docs/time.md lists the forms)", z, zWhy);
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* Append one value to term t; for an instant term, parse it first.
** SQLITE_OK, SQLITE_NOMEM, SQLITE_ERROR (*pzErr) for a bound that is not a
** time, SQLITE_DONE if the term cannot be used. */
static int ctTermAdd(CtFilterTerm *t, sqlite3_value *pVal, char **pzErr){
  int n, eType = sqlite3_value_type(pVal);
  const char *z;
  void *pNew;
  if( eType==SQLITE_NULL ) return SQLITE_DONE;   /* matches nothing anyway */
  if( t->bInstant && eType!=SQLITE_TEXT ){
    return ctBoundError(pzErr, pVal, eType==SQLITE_BLOB ? "a BLOB" : 0);
  }
  if( eType!=SQLITE_TEXT ) return SQLITE_DONE;
  z = (const char*)sqlite3_value_text(pVal);
  n = sqlite3_value_bytes(pVal);
  if( z==0 ) return SQLITE_NOMEM;
  if( (pNew = sqlite3_realloc64(t->azVal, (t->nVal+1)*sizeof(char*)))==0 ) return SQLITE_NOMEM;
  t->azVal = pNew;
  if( (pNew = sqlite3_realloc64(t->anVal, (t->nVal+1)*sizeof(int)))==0 ) return SQLITE_NOMEM;
  t->anVal = pNew;
  if( (pNew = sqlite3_realloc64(t->aTime, (t->nVal+1)*sizeof(CtInstant)))==0 ) return SQLITE_NOMEM;
  t->aTime = pNew;
  if( t->bInstant ){
    const char *zWhy = 0;
    if( !ctTimeParse(z, n, &t->aTime[t->nVal], &zWhy) ){
      return ctBoundError(pzErr, pVal, zWhy);
    }
  }
  t->anVal[t->nVal] = n;
  t->azVal[t->nVal] = sqlite3_malloc64(n+1);
  if( t->azVal[t->nVal]==0 ) return SQLITE_NOMEM;
  memcpy(t->azVal[t->nVal], z, n+1);
  t->nVal++;
  return SQLITE_OK;
}

/* Read term t's values from v (an IN list when op is CT_OP_IN).  Returns
** as ctTermAdd(), but SQLITE_OK at the end of an IN list. */
static int ctTermValues(CtFilterTerm *t, sqlite3_value *v, char **pzErr){
  sqlite3_value *pVal = 0;
  int rc = SQLITE_OK, bIn = t->op==CT_OP_IN;
  if( bIn ) rc = sqlite3_vtab_in_first(v, &pVal);
  else pVal = v;
  while( rc==SQLITE_OK && pVal ){
    /* A NULL in an IN list matches nothing: the other values still count. */
    if( !bIn || sqlite3_value_type(pVal)!=SQLITE_NULL ){
      rc = ctTermAdd(t, pVal, pzErr);
      if( rc!=SQLITE_OK || !bIn ) break;
    }
    rc = sqlite3_vtab_in_next(v, &pVal);
  }
  return rc==SQLITE_DONE && bIn ? SQLITE_OK : rc;
}

static void ctTermClear(CtFilterTerm *t){
  int k;
  for(k=0; k<t->nVal; k++) sqlite3_free(t->azVal[k]);
  sqlite3_free(t->azVal);
  sqlite3_free(t->anVal);
  sqlite3_free(t->aTime);
  memset(t, 0, sizeof(*t));
}

/* Parse one idxStr term, "column op[ BINARY]" of zIdx[0..n), into t. */
static int ctTermParse(CtFilterTerm *t, const char *zIdx, size_t n){
  size_t nMark = strlen(CT_BINARY_MARK);
  int f, op;
  for(f=0; f<CT_F_NCOLUMN; f++){
    const char *zF = ctFieldTable[f].zName;
    size_t nF;
    if( !ctPushable(f) ) continue;
    nF = strlen(zF);
    if( strncmp(zIdx, zF, nF)!=0 ) continue;
    for(op=0; op<=CT_OP_IN; op++){
      size_t nOp = strlen(ctOpName[op]);
      int bMark = n==nF+nOp+nMark && memcmp(zIdx+n-nMark, CT_BINARY_MARK, nMark)==0;
      if( (n==nF+nOp || bMark) && strncmp(zIdx+nF, ctOpName[op], nOp)==0 ){
        t->iField = f;
        t->op = op;
        t->bInstant = f==CT_F_EVENT_TIME && !bMark;
        return 1;
      }
    }
  }
  return 0;
}

/*
** Build the filter from the plan's idxStr and the values in argv[] (the
** first pushed term's value is argv[0]).  bPrune enables file pruning.
** SQLITE_ERROR with *pzErr when an event_time bound is not a time.
*/
int ctFilterInit(CtFilter *p, const char *zIdx, sqlite3_value **argv,
                 int bPrune, char **pzErr){
  int iArg = 0, bLow = 0;
  sqlite3_int64 iLow = 0;
  memset(p, 0, sizeof(*p));
  while( zIdx && *zIdx && p->nTerm<CT_MAX_FILTERS ){
    CtFilterTerm *t = &p->aTerm[p->nTerm];
    const char *zEnd = strchr(zIdx, ',');
    int rc, k;
    if( zEnd==0 ) break;
    memset(t, 0, sizeof(*t));
    rc = ctTermParse(t, zIdx, (size_t)(zEnd-zIdx));
    zIdx = zEnd+1;
    if( !rc ){ iArg++; continue; }
    rc = ctTermValues(t, argv[iArg++], pzErr);
    if( rc==SQLITE_NOMEM || rc==SQLITE_ERROR ){
      ctTermClear(t);
      ctFilterClear(p);
      return rc;
    }
    if( rc!=SQLITE_OK || t->nVal==0 ){ ctTermClear(t); continue; }
    if( t->bInstant && t->op!=CT_OP_LT && t->op!=CT_OP_LE ){
      /* A lower bound: every value (of an IN list too) is at least the
      ** least of them. */
      sqlite3_int64 iMin = t->aTime[0].iSec;
      for(k=1; k<t->nVal; k++){
        if( t->aTime[k].iSec<iMin ) iMin = t->aTime[k].iSec;
      }
      if( !bLow || iMin>iLow ){ iLow = iMin; bLow = 1; }
    }
    p->nTerm++;
  }
  p->bPrune = bPrune && bLow;
  p->iPruneBefore = iLow - CT_PRUNE_MARGIN;
  return SQLITE_OK;
}

void ctFilterClear(CtFilter *p){
  int i;
  for(i=0; i<p->nTerm; i++) ctTermClear(&p->aTerm[i]);
  memset(p, 0, sizeof(*p));
}

/* SQLite's BINARY collation. */
static int ctCmpText(const char *a, int na, const char *b, int nb){
  int c = memcmp(a, b, (size_t)(na<nb ? na : nb));
  return c ? c : na - nb;
}

/* Term t's value k against the column text z[0..n), as SQLite compares. */
static int ctTermCmp(const CtFilterTerm *t, int k, const char *z, int n){
  if( t->bInstant ) return ctTimeCompareInstant(z, n, &t->aTime[k]);
  return ctCmpText(z, n, t->azVal[k], t->anVal[k]);
}

/*
** 1 if the record whose fields are *pF may satisfy every term, 0 if it
** certainly does not.  aBuf (nBuf bytes) is scratch for decoding strings;
** a string too long for it is given the benefit of the doubt.
*/
int ctFilterRecord(const CtFilter *p, const CtFields *pF, char *aBuf,
                   size_t nBuf){
  int i, k;
  for(i=0; i<p->nTerm; i++){
    const CtFilterTerm *t = &p->aTerm[i];
    CtSpan v = pF->a[t->iField], b;
    const char *z;
    int n, bOk = 0;
    if( ct_json_is_null(v) ) return 0;      /* NULL satisfies no comparison */
    b = ctJsonStringBody(v);
    if( b.z==0 ){
      z = v.z;
      n = (int)v.n;
    }else if( memchr(b.z, '\\', b.n)==0 ){
      z = b.z;
      n = (int)b.n;
    }else if( b.n<=nBuf ){
      n = (int)ct_json_unescape(b.z, b.n, aBuf);
      z = aBuf;
    }else{
      continue;
    }
    for(k=0; k<t->nVal && !bOk; k++){
      int c = ctTermCmp(t, k, z, n);
      switch( t->op ){
        case CT_OP_EQ: case CT_OP_IN: bOk = c==0; break;
        case CT_OP_GT: bOk = c>0;  break;
        case CT_OP_GE: bOk = c>=0; break;
        case CT_OP_LT: bOk = c<0;  break;
        case CT_OP_LE: bOk = c<=0; break;
      }
    }
    if( !bOk ) return 0;
  }
  return 1;
}

/*
** The delivery stamp of a CloudTrail S3 file name (zBase, no directory):
** the "_YYYYMMDDTHHMMZ_" field after "_CloudTrail_" or
** "_CloudTrail-Insight_", as epoch seconds in *pT.  0 if there is none, or
** if it is not a real time (then the file is never pruned).
*/
int ctDeliveryStamp(const char *zBase, sqlite3_int64 *pT){
  const char *z = strstr(zBase, "_CloudTrail_");
  CtInstant t;
  if( z==0 ) z = strstr(zBase, "_CloudTrail-Insight_");
  if( z==0 ) return 0;
  for(z=strchr(z+1, '_'); z; z=strchr(z+1, '_')){
    if( strlen(z)>=16 && z[9]=='T' && z[14]=='Z' && z[15]=='_'
     && ctTimeParse(z+1, 14, &t, 0) ){
      *pT = t.iSec;
      return 1;
    }
  }
  return 0;
}

/*
** 0 if the file can be skipped: its name is a CloudTrail delivery name
** whose time stamp lies before the pruning bound.  1 otherwise.
*/
int ctFilterFile(const CtFilter *p, const char *zPath){
  const char *zBase = strrchr(zPath, '/');
  sqlite3_int64 iStamp;
  if( !p->bPrune ) return 1;
  zBase = zBase ? zBase+1 : zPath;
  if( !ctDeliveryStamp(zBase, &iStamp) ) return 1;
  return iStamp>=p->iPruneBefore;
}
