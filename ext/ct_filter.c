/*
** ct_filter.c — constraints the planner hands to the cloudtrail table.
**
** Pushed down: event_time with =, >, >=, <, <=, BETWEEN; event_name and
** event_source with = and IN.  A record that cannot satisfy them is skipped
** before any column is built.  SQLite still checks every constraint on the
** rows it gets (omit stays 0), so a pushed constraint may only ever skip
** what provably fails it: values are compared exactly as SQLite compares a
** TEXT column under BINARY collation, and anything else (a non-text value,
** another collation, a value too long to decode here) is not pushed or not
** used.
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
** PLAN shows: "event_time>=,event_name IN,". */
static const char *const ctOpName[] = { "=", ">", ">=", "<", "<=", " IN" };

static const char *ctFieldName(int iField){
  switch( iField ){
    case CT_F_EVENT_TIME:   return "event_time";
    case CT_F_EVENT_SOURCE: return "event_source";
    default:                return "event_name";
  }
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
    int op = -1;
    const char *zColl;
    if( !pC->usable ) continue;
    if( pC->iColumn!=CT_F_EVENT_TIME && pC->iColumn!=CT_F_EVENT_NAME
     && pC->iColumn!=CT_F_EVENT_SOURCE ) continue;
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
    if( zColl && sqlite3_stricmp(zColl, "BINARY")!=0 ) continue;
    if( op==CT_OP_EQ && sqlite3_vtab_in(pInfo, i, -1) ){
      sqlite3_vtab_in(pInfo, i, 1);
      op = CT_OP_IN;
    }
    pInfo->aConstraintUsage[i].argvIndex = iArg + ++nTerm;
    z = sqlite3_mprintf("%z%s%s,", z, ctFieldName(pC->iColumn), ctOpName[op]);
    if( z==0 ) return -1;
  }
  *pzIdx = z;
  return nTerm;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static sqlite3_int64 ctDaysFromCivil(int y, int m, int d){
  sqlite3_int64 era, yoe, doy, doe;
  y -= m<=2;
  era = (y>=0 ? y : y-399) / 400;
  yoe = y - era*400;
  doy = (153*(m + (m>2 ? -3 : 9)) + 2)/5 + d - 1;
  doe = yoe*365 + yoe/4 - yoe/100 + doy;
  return era*146097 + doe - 719468;
}

/* Parse n digits at z into *pV if they are all digits in [lo,hi]. */
static int ctDigits(const char *z, int n, int lo, int hi, int *pV){
  int v = 0, k;
  for(k=0; k<n; k++){
    if( z[k]<'0' || z[k]>'9' ) return 0;
    v = v*10 + (z[k]-'0');
  }
  if( v<lo || v>hi ) return 0;
  *pV = v;
  return 1;
}

/*
** The earliest time (epoch seconds) whose CloudTrail eventTime text
** ("YYYY-MM-DDTHH:MM:SSZ") can compare >= the text z: the components of z
** that parse, the rest zero.  Fixed-width digits sort as text the way they
** do as numbers, so this is a safe lower bound.  Returns 0 if z does not
** start with a date.
*/
static int ctTextFloor(const char *z, int n, sqlite3_int64 *pT){
  int y, mo, d, h = 0, mi = 0, s = 0;
  if( n<10 || !ctDigits(z, 4, 0, 9999, &y) || z[4]!='-'
   || !ctDigits(z+5, 2, 1, 12, &mo) || z[7]!='-' || !ctDigits(z+8, 2, 1, 31, &d) ){
    return 0;
  }
  if( n>=13 && z[10]=='T' && ctDigits(z+11, 2, 0, 23, &h) ){
    if( n>=16 && z[13]==':' && ctDigits(z+14, 2, 0, 59, &mi) ){
      if( n>=19 && z[16]==':' && !ctDigits(z+17, 2, 0, 59, &s) ) s = 0;
    }
  }
  *pT = ctDaysFromCivil(y, mo, d)*86400 + h*3600 + mi*60 + s;
  return 1;
}

/* Read term t's values from v (an IN list when op is CT_OP_IN).  Returns
** SQLITE_OK, SQLITE_NOMEM, or SQLITE_DONE if the term cannot be used. */
static int ctTermValues(CtFilterTerm *t, sqlite3_value *v){
  sqlite3_value *pVal = 0;
  int rc = SQLITE_OK, bIn = t->op==CT_OP_IN;
  if( bIn ) rc = sqlite3_vtab_in_first(v, &pVal);
  else pVal = v;
  while( rc==SQLITE_OK && pVal ){
    char **azNew;
    int *anNew;
    if( sqlite3_value_type(pVal)!=SQLITE_TEXT ) return SQLITE_DONE;
    azNew = sqlite3_realloc64(t->azVal, (t->nVal+1)*sizeof(char*));
    if( azNew==0 ) return SQLITE_NOMEM;
    t->azVal = azNew;
    anNew = sqlite3_realloc64(t->anVal, (t->nVal+1)*sizeof(int));
    if( anNew==0 ) return SQLITE_NOMEM;
    t->anVal = anNew;
    t->anVal[t->nVal] = sqlite3_value_bytes(pVal);
    t->azVal[t->nVal] = sqlite3_malloc64(t->anVal[t->nVal]+1);
    if( t->azVal[t->nVal]==0 ) return SQLITE_NOMEM;
    memcpy(t->azVal[t->nVal], sqlite3_value_text(pVal), t->anVal[t->nVal]+1);
    t->nVal++;
    if( !bIn ) break;
    rc = sqlite3_vtab_in_next(v, &pVal);
  }
  return rc==SQLITE_DONE || rc==SQLITE_OK ? SQLITE_OK : rc;
}

static void ctTermClear(CtFilterTerm *t){
  int k;
  for(k=0; k<t->nVal; k++) sqlite3_free(t->azVal[k]);
  sqlite3_free(t->azVal);
  sqlite3_free(t->anVal);
  memset(t, 0, sizeof(*t));
}

/*
** Build the filter from the plan's idxStr and the values in argv[] (the
** first pushed term's value is argv[0]).  bPrune enables file pruning.
*/
int ctFilterInit(CtFilter *p, const char *zIdx, sqlite3_value **argv,
                 int bPrune){
  int iArg = 0;
  sqlite3_int64 iLow = 0;
  int bLow = 0;
  memset(p, 0, sizeof(*p));
  while( zIdx && *zIdx && p->nTerm<CT_MAX_FILTERS ){
    CtFilterTerm *t = &p->aTerm[p->nTerm];
    const char *zEnd = strchr(zIdx, ',');
    int rc, f, op;
    if( zEnd==0 ) break;
    t->iField = -1;
    for(f=0; f<3 && t->iField<0; f++){
      int iF = f==0 ? CT_F_EVENT_TIME : f==1 ? CT_F_EVENT_SOURCE : CT_F_EVENT_NAME;
      size_t nF = strlen(ctFieldName(iF));
      if( strncmp(zIdx, ctFieldName(iF), nF)!=0 ) continue;
      for(op=0; op<=CT_OP_IN; op++){
        if( (size_t)(zEnd-zIdx)==nF+strlen(ctOpName[op])
         && strncmp(zIdx+nF, ctOpName[op], strlen(ctOpName[op]))==0 ){
          t->iField = iF;
          t->op = op;
        }
      }
    }
    zIdx = zEnd+1;
    if( t->iField<0 ){ iArg++; continue; }
    rc = ctTermValues(t, argv[iArg++]);
    if( rc==SQLITE_NOMEM ){ ctTermClear(t); ctFilterClear(p); return rc; }
    if( rc!=SQLITE_OK || t->nVal==0 ){ ctTermClear(t); continue; }
    if( t->iField==CT_F_EVENT_TIME
     && (t->op==CT_OP_EQ || t->op==CT_OP_GT || t->op==CT_OP_GE) ){
      sqlite3_int64 iT;
      if( ctTextFloor(t->azVal[0], t->anVal[0], &iT) && (!bLow || iT>iLow) ){
        iLow = iT;
        bLow = 1;
      }
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
      int c = ctCmpText(z, n, t->azVal[k], t->anVal[k]);
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
** "_CloudTrail-Insight_", as epoch seconds in *pT.  0 if there is none.
*/
int ctDeliveryStamp(const char *zBase, sqlite3_int64 *pT){
  const char *z = strstr(zBase, "_CloudTrail_");
  int y, mo, d, h, mi;
  if( z==0 ) z = strstr(zBase, "_CloudTrail-Insight_");
  if( z==0 ) return 0;
  for(z=strchr(z+1, '_'); z; z=strchr(z+1, '_')){
    if( strlen(z)>=16 && z[9]=='T' && z[14]=='Z' && z[15]=='_'
     && ctDigits(z+1, 4, 0, 9999, &y) && ctDigits(z+5, 2, 1, 12, &mo)
     && ctDigits(z+7, 2, 1, 31, &d) && ctDigits(z+10, 2, 0, 23, &h)
     && ctDigits(z+12, 2, 0, 59, &mi) ){
      *pT = ctDaysFromCivil(y, mo, d)*86400 + h*3600 + mi*60;
      return 1;
    }
  }
  return 0;
}

/*
** Epoch seconds of exactly "YYYY-MM-DDTHH:MM:SSZ", the form of a digest's
** digestStartTime and digestEndTime.  0 if z is anything else.
*/
int ctIsoSeconds(const char *z, sqlite3_int64 *pT){
  if( z==0 || strlen(z)!=20 || z[10]!='T' || z[13]!=':' || z[16]!=':'
   || z[19]!='Z' ){
    return 0;
  }
  return ctTextFloor(z, 20, pT);
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
