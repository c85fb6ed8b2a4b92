/*
** ct_detect.c — cloudtrail_detect(EVENTS, RULES [, OPTIONS]): one row per
** alert that Elastic's detection rules found in a case's evidence.
**
**   SELECT rule_name, severity, event_time, event_id, file, record_index
**     FROM cloudtrail_detect('AWSLogs/', 'detection-rules.ndjson')
**    ORDER BY event_time;
**   SELECT * FROM cloudtrail_detect('cloudtrail_events', 'rules/');  -- a case database
**
** EVENTS is a log PATH (read as the cloudtrail table reads it; OPTIONS such
** as errors=skip go to it) or the name of a table of the evidence database
** (columns raw, file, record_index, event_time, event_id).  RULES is what
** elastic_rules(RULES) lists; every supported rule runs, in one pass:
**   - query and single-event eql rules alert on each matching event;
**   - threshold, new_terms and eql sequence rules are replayed in event
**     time order as Elastic's scheduler would have run them (ctDetect*()
**     below, docs/detection.md "Stateful rules").
** All alerts are computed when the scan starts (they are few) and then
** returned.  The table reads files: not innocuous.
*/
#define _GNU_SOURCE 1      /* memmem() */
#include <string.h>
#include <stdlib.h>
#include <math.h>
#include "ct_detect.h"
#include "ct_erules.h"
#include "ct_filter.h"
#include "ct_jvalue.h"
#include "ct_vtab.h"
#include "ct_module.h"
#include "ct_needle.h"
#include "ct_options.h"
#include "ct_qeval.h"
#include "ct_time.h"
SQLITE_EXTENSION_INIT3

/* Rule kinds. */
#define CT_DK_EVENT     1     /* query, eql: each matching event */
#define CT_DK_THRESHOLD 2
#define CT_DK_NEWTERMS  3
#define CT_DK_SEQUENCE  4

/* Most combinations of multi-valued key fields one event contributes
** (an event with more is counted under the first ones; docs say so). */
#define CT_D_MAX_COMBOS 64
/* Most key fields of a threshold, new_terms or sequence rule. */
#define CT_D_MAX_KEYS 8

/* An event some rule needs: where it is, and its times. */
typedef struct CtDEvent CtDEvent;
struct CtDEvent {
  char *zTime, *zId;
  int iFile;                  /* CtDetect.azFile[] */
  sqlite3_int64 iRecord;
  double tEvent;              /* event time, ms since the epoch */
  double tClock;              /* the time the schedule sees (option time=) */
};

/* An event that matched a stateful rule's query. */
typedef struct CtDCand CtDCand;
struct CtDCand {
  int iEvent;
  double t;                   /* the event's time on the schedule's clock */
  int iKey;                   /* the key's number (ctDKeys()) */
  int iStep;                  /* sequence: the step (-1 until) */
  char *zKey;                 /* JSON array of the key values */
  char *zCard;                /* threshold cardinality value, or 0 */
};

/* One supported rule. */
typedef struct CtDRule CtDRule;
struct CtDRule {
  const CtERule *pER;
  int eKind;
  int iRule;                  /* in the program */
  int bIndexed;               /* found through CtDetect.aIdx */
  int nNeedles;               /* ctQProgNeedles(), for a rule not indexed */
  const char *const *azNeedles;
  size_t *aPair;
  CtSpan *aNeedleKey;         /* the top-level key holding each, z 0 if none */
  const char *zNeedle;
  size_t iPair;
  int nKey, aKey[CT_D_MAX_KEYS];   /* threshold/new_terms fields' slots */
  int iCardSlot;              /* threshold cardinality field, -1 */
  sqlite3_int64 nValue, nCard;     /* threshold value and cardinality value */
  CtDCand *aCand;
  int nCand, nCandAlloc;
};

/* One alert. */
typedef struct CtDAlert CtDAlert;
struct CtDAlert {
  int iRule;                  /* CtDetect.aRule[] */
  int iEvent;
  double tRun;                /* stateful: end of the run that alerted, else -1 */
  char *zGroup;               /* threshold: {"field":value,...} */
  sqlite3_int64 nCount, nCard;/* threshold: events, distinct values (-1) */
  char *zTerms;               /* new_terms: the new values, JSON array */
  char *zSeq;                 /* sequence: its events, JSON array */
};

/* Rules by dispatch literal (ctQProgDispatch()), sorted for bsearch. */
#define CT_D_MAX_INDEX 8          /* dispatch fields indexed; others evaluate always */
/* Up to this many rules, all with needles, are prefiltered on the text. */
#define CT_D_NEEDLE_RULES 8
typedef struct CtDEntry CtDEntry;
struct CtDEntry {
  const char *z;
  int n;
  int iRule;                  /* CtDetect.aRule[] */
  int bPrefix;                /* a value need only start with z[0..n) */
};
typedef struct CtDIndex CtDIndex;
struct CtDIndex {
  int iSlot;
  const char *zTopKey;        /* the raw top-level key the field copies, or 0 */
  size_t nTopKey;             /* its length */
  size_t iPair;               /* its rarest pair (ctNeedlePair()) */
  CtDEntry *a;                /* exact literals, sorted; then the prefixes */
  int n, nAlloc;
  int nExact;                 /* a[0..nExact) are exact, the rest prefixes */
};

typedef struct CtDetect CtDetect;
struct CtDetect {
  CtERuleSet *pSet;
  CtQProg *pProg;
  CtEcsOpts *pEcs;
  int bDelivery;              /* time=delivery */
  CtDRule *aRule;
  int nRule;
  CtDEvent *aEvent;
  int nEvent, nEventAlloc;
  char **azFile;
  int nFile, nFileAlloc;
  CtDAlert *aAlert;
  int nAlert, nAlertAlloc;
  int iRowEvent;              /* the current row's event, -1 until stored */
  int iTimeSlot, iIdSlot;     /* @timestamp and event.id */
  CtDIndex aIdx[CT_D_MAX_INDEX];   /* rules by the literals their dispatch field needs */
  int nIdx;
  unsigned char *aMarked;     /* per rule: may match the current event */
  int bNeedles;               /* few rules, each with a needle: test them first */
  int bText;                  /* every index on a top-level key: ctDTextMark() */
  sqlite3_int64 nRows, nSkipped;   /* events read; not events (digests…) */
};

/* Make room for one more element of *pa (n used of *pnAlloc). */
static int ctDGrow(void **pa, int *pnAlloc, int n, size_t szElem){
  if( n>=*pnAlloc ){
    int nNew = *pnAlloc*2 + 16;
    void *aNew = sqlite3_realloc64(*pa, szElem*(sqlite3_uint64)nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    *pa = aNew;
    *pnAlloc = nNew;
  }
  return SQLITE_OK;
}

static void ctDetectFree(CtDetect *p){
  int k, j;
  if( p==0 ) return;
  for(k=0; k<p->nRule; k++){
    for(j=0; j<p->aRule[k].nCand; j++){
      sqlite3_free(p->aRule[k].aCand[j].zKey);
      sqlite3_free(p->aRule[k].aCand[j].zCard);
    }
    sqlite3_free(p->aRule[k].aCand);
    sqlite3_free(p->aRule[k].aPair);
    sqlite3_free(p->aRule[k].aNeedleKey);
  }
  sqlite3_free(p->aRule);
  for(k=0; k<p->nEvent; k++){ sqlite3_free(p->aEvent[k].zTime); sqlite3_free(p->aEvent[k].zId); }
  sqlite3_free(p->aEvent);
  for(k=0; k<p->nFile; k++) sqlite3_free(p->azFile[k]);
  sqlite3_free(p->azFile);
  for(k=0; k<p->nAlert; k++){
    sqlite3_free(p->aAlert[k].zGroup);
    sqlite3_free(p->aAlert[k].zTerms);
    sqlite3_free(p->aAlert[k].zSeq);
  }
  sqlite3_free(p->aAlert);
  for(k=0; k<p->nIdx; k++) sqlite3_free(p->aIdx[k].a);
  sqlite3_free(p->aMarked);
  ctQProgFree(p->pProg);
  ctEcsOptsFree(p->pEcs);
  ctERulesFree(p->pSet);
  sqlite3_free(p);
}

/* Milliseconds since the epoch of the time z, or NAN. */
static double ctDTime(const char *z){
  CtInstant t;
  if( z==0 || !ctTimeParse(z, (int)strlen(z), &t, 0) ) return NAN;
  return (double)t.iSec*1000.0 + (double)(t.iAtto/1000000000000000LL);
}

/* ---------------------------------------------------------------------
** Rules: kinds and key fields
*/

/* Add the field named by the JSON string v as key slot of r. */
static int ctDKeyField(CtDetect *p, CtDRule *r, CtSpan v, char **pzErr){
  char *zField;
  size_t n;
  int rc;
  if( v.z==0 || v.z[0]!='"' ) return SQLITE_OK;
  if( r->nKey>=CT_D_MAX_KEYS ){
    *pzErr = sqlite3_mprintf("cloudtrail: rule %s groups by more than %d fields",
                             r->pER->zRuleId, CT_D_MAX_KEYS);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  zField = ctJvDecode(v, &n);
  if( zField==0 ) return SQLITE_NOMEM;
  rc = ctQProgSlot(p->pProg, zField, &r->aKey[r->nKey], pzErr);
  sqlite3_free(zField);
  if( rc==SQLITE_OK ) r->nKey++;
  return rc;
}

/* Each string of the JSON array (or the single string) z as a key field. */
static int ctDKeyFields(CtDetect *p, CtDRule *r, CtSpan v, char **pzErr){
  CtSpan e;
  size_t i = 1;
  int rc = SQLITE_OK;
  if( v.z==0 ) return SQLITE_OK;
  if( v.z[0]!='[' ) return ctDKeyField(p, r, v, pzErr);
  while( rc==SQLITE_OK && ct_json_next_element(v.z, v.n, &i, &e) ) rc = ctDKeyField(p, r, e, pzErr);
  return rc;
}

static sqlite3_int64 ctDJsonInt(CtSpan v, sqlite3_int64 iDefault){
  char aBuf[32];
  if( v.z==0 || v.n>=sizeof(aBuf) ) return iDefault;
  memcpy(aBuf, v.z, v.n);
  aBuf[v.n] = 0;
  return strtoll(aBuf, 0, 10);
}

/* threshold: {"field":[…],"value":N,"cardinality":[{"field":F,"value":M}]}. */
static int ctDThreshold(CtDetect *p, CtDRule *r, char **pzErr){
  CtSpan t = { r->pER->zThreshold, strlen(r->pER->zThreshold) }, card;
  int rc = ctDKeyFields(p, r, ct_json_lookup(t, "field"), pzErr);
  r->nValue = ctDJsonInt(ct_json_lookup(t, "value"), 1);
  card = ct_json_lookup(t, "cardinality");
  if( rc==SQLITE_OK && card.z && card.z[0]=='[' ){
    CtSpan e;
    size_t i = 1;
    if( ct_json_next_element(card.z, card.n, &i, &e) && e.z[0]=='{' ){
      CtSpan f = ct_json_lookup(e, "field");
      r->nCard = ctDJsonInt(ct_json_lookup(e, "value"), 0);
      if( f.z && f.z[0]=='"' ){
        size_t n;
        char *zField = ctJvDecode(f, &n);
        if( zField==0 ) return SQLITE_NOMEM;
        rc = ctQProgSlot(p->pProg, zField, &r->iCardSlot, pzErr);
        sqlite3_free(zField);
      }
    }
  }
  return rc;
}

/* Compile every supported rule of the set into one program. */
static int ctDRules(CtDetect *p, char **pzErr){
  int k, rc = ctQProgSlot(p->pProg, "@timestamp", &p->iTimeSlot, pzErr);
  if( rc==SQLITE_OK ) rc = ctQProgSlot(p->pProg, "event.id", &p->iIdSlot, pzErr);
  if( rc ) return rc;
  p->aRule = sqlite3_malloc64(sizeof(CtDRule)*(sqlite3_uint64)(p->pSet->n+1));
  if( p->aRule==0 ) return SQLITE_NOMEM;
  for(k=0; k<p->pSet->n && rc==SQLITE_OK; k++){
    const CtERule *e = &p->pSet->a[k];
    CtDRule *r = &p->aRule[p->nRule];
    if( !e->bSupported || e->pQuery==0 ) continue;
    memset(r, 0, sizeof(*r));
    r->pER = e;
    r->iCardSlot = -1;
    if( strcmp(e->zType, "threshold")==0 ) r->eKind = CT_DK_THRESHOLD;
    else if( strcmp(e->zType, "new_terms")==0 ) r->eKind = CT_DK_NEWTERMS;
    else if( e->pQuery->nStep>0 ) r->eKind = CT_DK_SEQUENCE;
    else r->eKind = CT_DK_EVENT;
    rc = ctQProgAdd(p->pProg, e->pQuery, e->zCategoryOverride, &r->iRule, pzErr);
    if( rc==SQLITE_ERROR && *pzErr ){
      char *z = sqlite3_mprintf("%s (rule %s in %s)", *pzErr, e->zRuleId, e->zFile);
      sqlite3_free(*pzErr);
      *pzErr = z;
      if( z==0 ) rc = SQLITE_NOMEM;
    }
    if( rc==SQLITE_OK && r->eKind==CT_DK_THRESHOLD ) rc = ctDThreshold(p, r, pzErr);
    if( rc==SQLITE_OK && r->eKind==CT_DK_NEWTERMS ){
      CtSpan v = { e->zNewTermsFields, strlen(e->zNewTermsFields) };
      rc = ctDKeyFields(p, r, v, pzErr);
    }
    if( rc==SQLITE_OK ){
      int j;
      r->nNeedles = ctQProgNeedles(p->pProg, r->iRule, &r->azNeedles);
      r->aPair = sqlite3_malloc64(sizeof(size_t)*(sqlite3_uint64)(r->nNeedles+1));
      r->aNeedleKey = sqlite3_malloc64(sizeof(CtSpan)*(sqlite3_uint64)(r->nNeedles+1));
      if( r->aPair==0 || r->aNeedleKey==0 ){
        /* r is not counted in nRule yet: ctDetectFree() would not see them */
        sqlite3_free(r->aPair);
        sqlite3_free(r->aNeedleKey);
        rc = SQLITE_NOMEM;
        break;
      }
      for(j=0; j<r->nNeedles; j++){
        r->aPair[j] = ctNeedlePair(r->azNeedles[j]);
        r->aNeedleKey[j].z = 0;
        r->aNeedleKey[j].n = (size_t)ctQProgNeedleKey(p->pProg, r->iRule, j, &r->aNeedleKey[j].z);
        if( r->aNeedleKey[j].n==0 ) r->aNeedleKey[j].z = 0;
      }
      r->zNeedle = ctQProgNeedle(p->pProg, r->iRule);
      if( r->zNeedle ) r->iPair = ctNeedlePair(r->zNeedle);
      p->nRule++;
    }
  }
  return rc;
}

static int ctDCmpEntry(const void *a, const void *b){
  const CtDEntry *x = a, *y = b;
  if( x->bPrefix!=y->bPrefix ) return x->bPrefix - y->bPrefix;
  if( x->n!=y->n ) return x->n - y->n;
  return memcmp(x->z, y->z, (size_t)x->n);
}

/* Index the rules by their dispatch literals; mark which evaluate always. */
static int ctDIndexRules(CtDetect *p){
  int k, j, nNeedle = 0;
  p->aMarked = sqlite3_malloc64((sqlite3_uint64)p->nRule+1);
  if( p->aMarked==0 ) return SQLITE_NOMEM;
  for(k=0; k<p->nRule; k++){
    CtDRule *r = &p->aRule[k];
    const char *z;
    int n, bPrefix, iSlot = ctQProgDispatch(p->pProg, r->iRule, -1, &z, &n, &bPrefix);
    CtDIndex *x = 0;
    if( r->zNeedle ) nNeedle++;
    r->bIndexed = 0;
    /* only fields the text shows are indexed; the others' rules have their
    ** needles (the dispatch literal is one of them) */
    if( iSlot<0 || ctQProgSlotTopKey(p->pProg, iSlot)==0 ) continue;
    for(j=0; j<p->nIdx && p->aIdx[j].iSlot!=iSlot; j++){}
    if( j==p->nIdx ){
      if( p->nIdx>=CT_D_MAX_INDEX ) continue;
      memset(&p->aIdx[p->nIdx], 0, sizeof(CtDIndex));
      p->aIdx[p->nIdx].zTopKey = ctQProgSlotTopKey(p->pProg, iSlot);
      p->aIdx[p->nIdx].iPair = ctNeedlePair(p->aIdx[p->nIdx].zTopKey);
      p->aIdx[p->nIdx].nTopKey = strlen(p->aIdx[p->nIdx].zTopKey);
      p->aIdx[p->nIdx++].iSlot = iSlot;
    }
    x = &p->aIdx[j];
    for(j=0; ; j++){
      z = 0;
      ctQProgDispatch(p->pProg, r->iRule, j, &z, &n, &bPrefix);
      if( z==0 ) break;
      if( ctDGrow((void**)&x->a, &x->nAlloc, x->n, sizeof(CtDEntry)) ) return SQLITE_NOMEM;
      x->a[x->n].z = z;
      x->a[x->n].n = n;
      x->a[x->n].iRule = k;
      x->a[x->n].bPrefix = bPrefix;
      x->n++;
    }
    r->bIndexed = 1;
  }
  for(k=0; k<p->nIdx; k++){
    CtDIndex *x = &p->aIdx[k];
    qsort(x->a, (size_t)x->n, sizeof(CtDEntry), ctDCmpEntry);
    for(x->nExact=0; x->nExact<x->n && !x->a[x->nExact].bPrefix; x->nExact++){}
  }
  p->bNeedles = p->nRule<=CT_D_NEEDLE_RULES && nNeedle==p->nRule;
  p->bText = !p->bNeedles;
  for(k=0; k<p->nIdx; k++) if( p->aIdx[k].zTopKey==0 ) p->bText = 0;
  for(k=0; k<p->nRule; k++){
    if( !p->aRule[k].bIndexed && p->aRule[k].nNeedles==0 ) p->bText = 0;
  }
  return SQLITE_OK;
}

/* Mark the rules of index x that name the value z[0..n): by an exact
** literal (binary search) or by a prefix of it (the few prefixes, in turn). */
static void ctDMarkValue(CtDetect *p, const CtDIndex *x, const char *z, int n){
  CtDEntry key = { .z = z, .n = n };
  int lo = 0, hi = x->nExact, i;
  while( lo<hi ){                        /* first entry >= key */
    int mid = (lo+hi)/2;
    if( ctDCmpEntry(&x->a[mid], &key)<0 ) lo = mid+1; else hi = mid;
  }
  for(; lo<x->nExact && ctDCmpEntry(&x->a[lo], &key)==0; lo++) p->aMarked[x->a[lo].iRule] = 1;
  for(i=x->nExact; i<x->n; i++){
    const CtDEntry *e = &x->a[i];
    if( e->n<=n && memcmp(e->z, z, (size_t)e->n)==0 ) p->aMarked[e->iRule] = 1;
  }
}

/* True if the value of a top-level member of obj named key holds needle j
** of r verbatim (obj has no escape: ctDTextMark()). */
static int ctDMemberHolds(const CtDRule *r, int j, CtSpan obj, const CtMembers *pM){
  CtSpan key = r->aNeedleKey[j];
  int i;
  for(i=0; i<pM->n; i++){
    const CtMember *m = &pM->a[i];
    if( m->nKey!=key.n || memcmp(obj.z+m->iKey, key.z, key.n)!=0 ) continue;
    if( ctNeedleFind(obj.z+m->iVal, m->nVal, r->azNeedles[j], r->aPair[j]) ) return 1;
  }
  return 0;
}

/* Rule r, not indexed, may match the text obj: it holds one of its needles
** — within the member whose value holds the needle's field, when obj's
** members pM are given (obj then has no escape), else anywhere. */
static int ctDNeedlesHit(const CtDRule *r, CtSpan obj, const CtMembers *pM){
  int j;
  for(j=0; j<r->nNeedles; j++){
    if( pM && r->aNeedleKey[j].z ){
      if( ctDMemberHolds(r, j, obj, pM) ) return 1;
    }else if( !ctNeedleExcluded(obj.z, obj.n, r->azNeedles[j], r->aPair[j]) ){
      return 1;
    }
  }
  return 0;
}

/* Keys that make ctRecordShape() read an object as another shape than a
** raw record (an envelope, a search hit, a lookup item, a digest). */
static const CtSpan ctDOtherShape[] = {
  { "detail-type", 11 }, { "_source", 7 }, { "CloudTrailEvent", 15 },
  { "digestStartTime", 15 }
};
#define CT_D_NOTHER_SHAPE (int)(sizeof(ctDOtherShape)/sizeof(ctDOtherShape[0]))

/* True if obj is plainly a raw CloudTrail record as AWS writes it: its first
** key is eventVersion, and no key of ctDOtherShape[] is among its top-level
** members (pM, when given) or, without them, anywhere in its text. */
static int ctDPlainRecord(CtSpan obj, const CtMembers *pM){
  size_t i = ct_json_skip_ws(obj.z, obj.n, 1);
  int k, j;
  if( i+14>obj.n || memcmp(obj.z+i, "\"eventVersion\"", 14)!=0 ) return 0;
  for(k=0; k<CT_D_NOTHER_SHAPE; k++){
    const char *zKey = ctDOtherShape[k].z;
    size_t nKey = ctDOtherShape[k].n;
    if( pM==0 ){
      char aQuoted[32];   /* the longest key, quoted */
      aQuoted[0] = '"';
      memcpy(aQuoted+1, zKey, nKey);
      memcpy(aQuoted+1+nKey, "\"", 2);
      if( ctNeedleFind(obj.z, obj.n, aQuoted, ctNeedlePair(aQuoted)) ) return 0;
      continue;
    }
    for(j=0; j<pM->n; j++){
      if( pM->a[j].nKey==nKey && memcmp(obj.z+pM->a[j].iKey, zKey, nKey)==0 ) return 0;
    }
  }
  return 1;
}

/* Mark the rules of index x by the string values of the top-level members
** pM of obj named x's key (duplicates too).  0, or -1 for a value that is
** no string. */
static int ctDMemberMark(CtDetect *p, const CtDIndex *x, CtSpan obj,
                         const CtMembers *pM){
  size_t nKey = x->nTopKey;
  int j;
  for(j=0; j<pM->n; j++){
    const CtMember *m = &pM->a[j];
    if( m->nKey!=nKey || memcmp(obj.z+m->iKey, x->zTopKey, nKey)!=0 ) continue;
    if( obj.z[m->iVal]!='"' ) return -1;
    ctDMarkValue(p, x, obj.z+m->iVal+1, (int)m->nVal-2);
  }
  return 0;
}

/*
** Mark the rules the record text obj may match without mapping it: every
** string value of each index's top-level key is looked up — from the
** members pM when given, else at every "KEY": of the text (a key nested
** deeper only adds candidates; a missing key is a missing field) — and
** rules not indexed by their needles.  Returns 1 if some rule is marked,
** 0 if none, -1 when the text cannot tell (an escape, a value that is no
** string, a record of another shape) and the record must be mapped.
*/
static int ctDTextMark(CtDetect *p, CtSpan obj, const CtMembers *pM){
  const char *zEnd = obj.z+obj.n;
  int k, bAny = 0;
  if( memchr(obj.z, '\\', obj.n) || !ctDPlainRecord(obj, pM) ) return -1;
  memset(p->aMarked, 0, (size_t)p->nRule);
  for(k=0; k<p->nIdx; k++){
    const CtDIndex *x = &p->aIdx[k];
    size_t nKey = strlen(x->zTopKey);
    const char *q = obj.z;
    if( pM ){
      if( ctDMemberMark(p, x, obj, pM)<0 ) return -1;
      continue;
    }
    while( (q = ctNeedleFind(q, (size_t)(zEnd-q), x->zTopKey, x->iPair))!=0 ){
      const char *v = q+nKey, *e;
      q += nKey;
      if( q-nKey-1<obj.z || q[-(int)nKey-1]!='"' || v>=zEnd || *v!='"' ) continue;
      for(v++; v<zEnd && CT_JSON_IS_WS(*v); v++){}
      if( v>=zEnd || *v!=':' ) continue;            /* the text, not a key */
      for(v++; v<zEnd && CT_JSON_IS_WS(*v); v++){}
      if( v>=zEnd || *v!='"' ) return -1;           /* a value that is no string */
      e = memchr(v+1, '"', (size_t)(zEnd-v-1));
      if( e==0 ) return -1;
      ctDMarkValue(p, x, v+1, (int)(e-v-1));
    }
  }
  for(k=0; k<p->nRule; k++){
    if( !p->aRule[k].bIndexed ) p->aMarked[k] = (unsigned char)ctDNeedlesHit(&p->aRule[k], obj, pM);
    bAny |= p->aMarked[k];
  }
  return bAny;
}

/* Mark the rules the current event may match: those without a dispatch,
** and those whose dispatch field holds one of their literals. */
static int ctDMark(CtDetect *p, CtQDoc *pDoc, CtSpan obj){
  int k, i;
  for(k=0; k<p->nRule; k++){
    const CtDRule *r = &p->aRule[k];
    p->aMarked[k] = !r->bIndexed && (r->nNeedles==0 || ctDNeedlesHit(r, obj, 0));
  }
  for(k=0; k<p->nIdx; k++){
    const CtDIndex *x = &p->aIdx[k];
    const CtQVals *pV = ctQDocValues(pDoc, x->iSlot);
    if( pV==0 ) return SQLITE_NOMEM;
    for(i=0; i<pV->n; i++) ctDMarkValue(p, x, pV->a[i].z, pV->a[i].n);
  }
  return SQLITE_OK;
}

/* ---------------------------------------------------------------------
** The scan: events, candidates and per-event alerts
*/

/* The current row's event, stored once; its index or -1 if OOM. */
/* The first value of slot iSlot as a new string, or 0 (*pbOom on OOM). */
static char *ctDFirst(CtQDoc *pDoc, int iSlot, int *pbOom){
  const CtQVals *pV = ctQDocValues(pDoc, iSlot);
  char *z;
  if( pV==0 ){ *pbOom = 1; return 0; }
  if( pV->n==0 ) return 0;
  z = sqlite3_mprintf("%.*s", pV->a[0].n, pV->a[0].z);
  if( z==0 ) *pbOom = 1;
  return z;
}

static int ctDRowEvent(CtDetect *p, sqlite3_stmt *pStmt, CtQDoc *pDoc){
  CtDEvent *e;
  const char *zFile = (const char*)sqlite3_column_text(pStmt, 1);
  int bOom = 0;
  if( p->iRowEvent>=0 ) return p->iRowEvent;
  if( zFile==0 ) zFile = "";
  if( p->nFile==0 || strcmp(p->azFile[p->nFile-1], zFile)!=0 ){
    if( ctDGrow((void**)&p->azFile, &p->nFileAlloc, p->nFile, sizeof(char*)) ) return -1;
    if( (p->azFile[p->nFile] = sqlite3_mprintf("%s", zFile))==0 ) return -1;
    p->nFile++;
  }
  if( ctDGrow((void**)&p->aEvent, &p->nEventAlloc, p->nEvent, sizeof(CtDEvent)) ) return -1;
  e = &p->aEvent[p->nEvent];
  memset(e, 0, sizeof(*e));
  e->iFile = p->nFile-1;
  e->iRecord = sqlite3_column_int64(pStmt, 2);
  e->zTime = ctDFirst(pDoc, p->iTimeSlot, &bOom);
  e->zId = ctDFirst(pDoc, p->iIdSlot, &bOom);
  if( bOom ){
    sqlite3_free(e->zTime);
    sqlite3_free(e->zId);
    return -1;
  }
  e->tEvent = ctDTime(e->zTime);
  e->tClock = e->tEvent;
  if( p->bDelivery ){
    const char *zBase = strrchr(zFile, '/');
    sqlite3_int64 iStamp;
    if( ctDeliveryStamp(zBase ? zBase+1 : zFile, &iStamp) ) e->tClock = (double)iStamp*1000.0;
  }
  p->iRowEvent = p->nEvent++;
  return p->iRowEvent;
}

static int ctDAlertAdd(CtDetect *p, int iRule, int iEvent, CtDAlert **ppA){
  CtDAlert *a;
  if( ctDGrow((void**)&p->aAlert, &p->nAlertAlloc, p->nAlert, sizeof(CtDAlert)) ) return SQLITE_NOMEM;
  a = &p->aAlert[p->nAlert++];
  memset(a, 0, sizeof(*a));
  a->iRule = iRule;
  a->iEvent = iEvent;
  a->tRun = -1;
  a->nCount = a->nCard = -1;
  if( ppA ) *ppA = a;
  return SQLITE_OK;
}

/* The values of slots aSlot[0..n) as JSON arrays, one per combination
** (at most CT_D_MAX_COMBOS), each passed to xEach.  None when a slot has
** no value. */
static int ctDCombos(CtQDoc *pDoc, const int *aSlot, int n,
                     int (*xEach)(void*, char*), void *pArg){
  const CtQVals *aV[CT_D_MAX_KEYS];
  int aIdx[CT_D_MAX_KEYS], k, nCombo, rc = SQLITE_OK;
  for(k=0; k<n; k++){
    aV[k] = ctQDocValues(pDoc, aSlot[k]);
    if( aV[k]==0 ) return SQLITE_NOMEM;
    if( aV[k]->n==0 ) return SQLITE_OK;
    aIdx[k] = 0;
  }
  for(nCombo=0; nCombo<CT_D_MAX_COMBOS && rc==SQLITE_OK; nCombo++){
    sqlite3_str *pOut = sqlite3_str_new(0);
    char *z;
    sqlite3_str_appendchar(pOut, 1, '[');
    for(k=0; k<n; k++){
      const CtQV *v = &aV[k]->a[aIdx[k]];
      if( k ) sqlite3_str_appendchar(pOut, 1, ',');
      ctJvQuote(pOut, v->z, (size_t)v->n);
    }
    sqlite3_str_appendchar(pOut, 1, ']');
    z = sqlite3_str_finish(pOut);
    if( z==0 ) return SQLITE_NOMEM;
    rc = xEach(pArg, z);
    for(k=n-1; k>=0; k--){           /* next combination */
      if( ++aIdx[k]<aV[k]->n ) break;
      aIdx[k] = 0;
    }
    if( k<0 ) break;
  }
  return rc;
}

/* A candidate being made for rule r from event iEvent. */
typedef struct CtDMake CtDMake;
struct CtDMake {
  CtDRule *r;
  int iEvent, iStep;
  double t;
  char *zCard;                /* to copy into each candidate */
};

static int ctDCandAdd(void *pArg, char *zKey){
  CtDMake *m = pArg;
  CtDRule *r = m->r;
  CtDCand *c;
  if( ctDGrow((void**)&r->aCand, &r->nCandAlloc, r->nCand, sizeof(CtDCand)) ){
    sqlite3_free(zKey);
    return SQLITE_NOMEM;
  }
  c = &r->aCand[r->nCand];
  c->iEvent = m->iEvent;
  c->iStep = m->iStep;
  c->t = m->t;
  c->iKey = -1;
  c->zKey = zKey;
  c->zCard = 0;
  if( m->zCard && (c->zCard = sqlite3_mprintf("%s", m->zCard))==0 ){
    sqlite3_free(zKey);
    return SQLITE_NOMEM;
  }
  r->nCand++;
  return SQLITE_OK;
}

/* Keep the cardinality value (the first combination) of a threshold event. */
static int ctDKeepFirst(void *pArg, char *z){
  char **pz = pArg;
  if( *pz ) sqlite3_free(z); else *pz = z;
  return SQLITE_OK;
}

/* The key slots of sequence step iStep (-1: until): shared then own. */
static int ctDSeqKeys(const CtQuery *q, int iStep, int *aSlot){
  const CtQStep *s = iStep<0 ? q->pUntil : &q->aStep[iStep];
  int k, n = 0;
  for(k=0; k<q->nBy && n<CT_D_MAX_KEYS; k++) aSlot[n++] = q->apBy[k]->iSlot;
  for(k=0; s && k<s->nBy && n<CT_D_MAX_KEYS; k++) aSlot[n++] = s->apBy[k]->iSlot;
  return n;
}

/* Rule r over the current event. */
static int ctDRuleRow(CtDetect *p, CtDRule *r, CtQDoc *pDoc, sqlite3_stmt *pStmt){
  const CtQuery *q = r->pER->pQuery;
  CtDMake m = { .r = r, .iStep = 0 };
  int rc = SQLITE_OK, k, aSlot[CT_D_MAX_KEYS], nSlot;
  if( r->eKind==CT_DK_SEQUENCE ){
    for(k=-1; k<q->nStep && rc==SQLITE_OK; k++){
      int b;
      if( k<0 && q->pUntil==0 ) continue;
      b = ctQMatch(pDoc, r->iRule, k);
      if( b<0 ) return -b;
      if( !b ) continue;
      if( ctQDocSettle(pDoc) ) return SQLITE_NOMEM;
      if( (m.iEvent = ctDRowEvent(p, pStmt, pDoc))<0 ) return SQLITE_NOMEM;
      m.t = p->aEvent[m.iEvent].tClock;
      m.iStep = k;
      nSlot = ctDSeqKeys(q, k, aSlot);
      rc = ctDCombos(pDoc, aSlot, nSlot, ctDCandAdd, &m);
    }
    return rc;
  }
  k = ctQMatch(pDoc, r->iRule, 0);
  if( k<0 ) return -k;
  if( k==0 ) return SQLITE_OK;
  if( ctQDocSettle(pDoc) ) return SQLITE_NOMEM;
  if( (m.iEvent = ctDRowEvent(p, pStmt, pDoc))<0 ) return SQLITE_NOMEM;
  if( r->eKind==CT_DK_EVENT ) return ctDAlertAdd(p, (int)(r-p->aRule), m.iEvent, 0);
  m.t = p->aEvent[m.iEvent].tClock;
  /* An event without a cardinality value still counts toward the group
  ** (Elasticsearch's bucket doc_count); it adds no distinct value. */
  if( r->iCardSlot>=0 ) rc = ctDCombos(pDoc, &r->iCardSlot, 1, ctDKeepFirst, &m.zCard);
  if( rc==SQLITE_OK ) rc = ctDCombos(pDoc, r->aKey, r->nKey, ctDCandAdd, &m);
  sqlite3_free(m.zCard);
  return rc;
}

/* Every rule over the current row. */
/* The current row's record: from the cloudtrail scan (bTrusted: the
** reader's, validated, with its members *ppM) or a table's raw column
** (validated here; *ppM = 0).  0 when the row holds no JSON object. */
static int ctDRowRecord(sqlite3_stmt *pStmt, int bTrusted, CtSpan *pObj,
                        const CtMembers **ppM){
  const char *z;
  size_t n, i, iEnd;
  *ppM = 0;
  if( bTrusted ){
    const CtRecordRef *pRef = sqlite3_value_pointer(sqlite3_column_value(pStmt, 0),
                                                    CT_RECORD_PTR_TYPE);
    if( pRef==0 ) return 0;
    *pObj = pRef->rec;
    *ppM = pRef->pMem;
    return 1;
  }
  z = (const char*)sqlite3_column_text(pStmt, 0);
  n = (size_t)sqlite3_column_bytes(pStmt, 0);
  if( z==0 ) return 0;
  i = ct_json_skip_ws(z, n, 0);
  if( i>=n || z[i]!='{' || ct_json_validate(z, n, i, 1, CT_JSON_MAX_DEPTH, &iEnd, 0)!=CT_JSON_OK ){
    return 0;
  }
  pObj->z = z+i;
  pObj->n = iEnd-i;
  return 1;
}

static int ctDRow(CtDetect *p, CtQDoc **ppDoc, sqlite3_stmt *pStmt, int bTrusted){
  CtSpan obj;
  const CtMembers *pM;
  int k, rc = SQLITE_OK, bMarked;
  p->iRowEvent = -1;
  p->nRows++;
  if( !ctDRowRecord(pStmt, bTrusted, &obj, &pM) ){ p->nSkipped++; return SQLITE_OK; }
  if( p->bNeedles ){
    for(k=0; k<p->nRule; k++){
      const CtDRule *r = &p->aRule[k];
      if( !ctNeedleExcluded(obj.z, obj.n, r->zNeedle, r->iPair) ) break;
    }
    if( k==p->nRule ) return SQLITE_OK;     /* no rule can match */
  }
  bMarked = p->bText ? ctDTextMark(p, obj, pM) : -1;
  if( bMarked==0 ) return SQLITE_OK;       /* no rule can match */
  /* a record ctDTextMark() marked is plainly raw (ctDPlainRecord()) */
  rc = bMarked>0 ? ctQDocBeginRaw(ppDoc, p->pProg, obj, pM)
                 : ctQDocBegin(ppDoc, p->pProg, obj, pM);
  if( rc ){ ctQDocEnd(*ppDoc); return SQLITE_NOMEM; }
  if( ctQDocEmpty(*ppDoc) ){
    p->nSkipped++;
  }else{
    if( bMarked<0 ) rc = ctDMark(p, *ppDoc, obj);
    for(k=0; k<p->nRule && rc==SQLITE_OK; k++){
      if( p->aMarked[k] ) rc = ctDRuleRow(p, &p->aRule[k], *ppDoc, pStmt);
    }
  }
  ctQDocEnd(*ppDoc);
  return rc;
}

/* ---------------------------------------------------------------------
** Stateful rules, replayed on the schedule
**
** Elastic runs a rule every interval I over [now - L, now] (L from the
** rule's "from").  Offline, "now" is each multiple of I on the clock of
** option time= (the event time, or the file's delivery stamp), and only
** runs whose window holds a candidate are made.
*/

/* Candidates in time order (then scan order). */
static int ctDCmpTime(const void *a, const void *b){
  const CtDCand *x = a, *y = b;
  if( x->t!=y->t ) return x->t<y->t ? -1 : 1;
  if( x->iEvent!=y->iEvent ) return x->iEvent<y->iEvent ? -1 : 1;
  return x->iStep>y->iStep ? -1 : x->iStep<y->iStep;   /* until, then later steps first */
}

static int ctDCmpKeyPtr(const void *a, const void *b){
  const CtDCand *x = *(CtDCand *const*)a, *y = *(CtDCand *const*)b;
  int c = strcmp(x->zKey, y->zKey);
  if( c ) return c;
  return x->t<y->t ? -1 : x->t>y->t;
}

/* Sort r's candidates by time (those without a time are dropped: no run
** can hold them) and number their keys; *papByKey gets them sorted by key
** then time, *paStart[k] the first of key k in it.  Returns the number of
** keys, or -1 if out of memory. */
static int ctDKeys(CtDRule *r, CtDCand ***papByKey, int **paStart){
  int i, j, nKey = 0;
  CtDCand **ap;
  int *aStart;
  for(i=j=0; i<r->nCand; i++){
    if( isnan(r->aCand[i].t) ){ sqlite3_free(r->aCand[i].zKey); sqlite3_free(r->aCand[i].zCard); continue; }
    r->aCand[j++] = r->aCand[i];
  }
  r->nCand = j;
  qsort(r->aCand, (size_t)r->nCand, sizeof(CtDCand), ctDCmpTime);
  ap = sqlite3_malloc64(sizeof(CtDCand*)*(sqlite3_uint64)(r->nCand+1));
  aStart = sqlite3_malloc64(sizeof(int)*(sqlite3_uint64)(r->nCand+1));
  if( ap==0 || aStart==0 ){ sqlite3_free(ap); sqlite3_free(aStart); return -1; }
  for(i=0; i<r->nCand; i++) ap[i] = &r->aCand[i];
  qsort(ap, (size_t)r->nCand, sizeof(CtDCand*), ctDCmpKeyPtr);
  for(i=0; i<r->nCand; i++){
    if( i==0 || strcmp(ap[i]->zKey, ap[i-1]->zKey)!=0 ) aStart[nKey++] = i;
    ap[i]->iKey = nKey-1;
  }
  aStart[nKey] = r->nCand;
  *papByKey = ap;
  *paStart = aStart;
  return nKey;
}

/* The run windows holding candidates: xRun(pArg, T, lo, hi) for each run
** end T with candidates aCand[lo..hi) in [T-L, T]. */
static int ctDRuns(CtDRule *r, int (*xRun)(void*, double, int, int), void *pArg){
  double I = (double)r->pER->iIntervalMs, L = (double)r->pER->iLookbackMs, T;
  int lo = 0, hi, rc = SQLITE_OK;
  if( r->nCand==0 || I<=0 ) return SQLITE_OK;
  if( L<I ) L = I;
  T = ceil(r->aCand[0].t/I)*I;
  while( lo<r->nCand && rc==SQLITE_OK ){
    while( lo<r->nCand && r->aCand[lo].t < T-L ) lo++;
    if( lo>=r->nCand ) break;
    if( r->aCand[lo].t > T ){ T = ceil(r->aCand[lo].t/I)*I; continue; }
    for(hi=lo; hi<r->nCand && r->aCand[hi].t<=T; hi++){}
    rc = xRun(pArg, T, lo, hi);
    T += I;
  }
  return rc;
}

typedef struct CtDReplay CtDReplay;
struct CtDReplay {
  CtDetect *p;
  CtDRule *r;
  int iRule;
  CtDCand **apByKey;
  int *aStart;
  double *aMark;              /* threshold: per key, newest event already alerted on */
  unsigned char *aDone;       /* new_terms: candidate alerted */
};

/* A threshold group's alert, before max_signals picks. */
typedef struct CtDGroup CtDGroup;
struct CtDGroup {
  int iKey, iFirst;           /* key; its earliest counted candidate */
  sqlite3_int64 nCount, nCard;
  double tNewest;
};

static int ctDCmpGroup(const void *a, const void *b){
  const CtDGroup *x = a, *y = b;
  if( x->nCount!=y->nCount ) return x->nCount>y->nCount ? -1 : 1;
  return x->iKey - y->iKey;
}

static int ctDCmpCard(const void *a, const void *b){
  const CtDCand *x = *(CtDCand *const*)a, *y = *(CtDCand *const*)b;
  if( x->iKey!=y->iKey ) return x->iKey - y->iKey;
  if( x->zCard && y->zCard ) return strcmp(x->zCard, y->zCard);
  return (x->zCard!=0) - (y->zCard!=0);
}

/* {"field":value,…} of threshold rule r's key zKey (a JSON array). */
static char *ctDGroupJson(CtDetect *p, const CtDRule *r, const char *zKey){
  sqlite3_str *pOut = sqlite3_str_new(0);
  CtSpan key = { zKey, strlen(zKey) }, e;
  size_t i = 1;
  int k = 0;
  sqlite3_str_appendchar(pOut, 1, '{');
  while( k<r->nKey && ct_json_next_element(key.z, key.n, &i, &e) ){
    const char *zField = ctQProgSlotName(p->pProg, r->aKey[k]);
    if( k ) sqlite3_str_appendchar(pOut, 1, ',');
    ctJvQuote(pOut, zField, strlen(zField));
    sqlite3_str_appendchar(pOut, 1, ':');
    sqlite3_str_append(pOut, e.z, (int)e.n);
    k++;
  }
  sqlite3_str_appendchar(pOut, 1, '}');
  return sqlite3_str_finish(pOut);
}

/* One run of a threshold rule: group the window's candidates not yet
** alerted on; a group of at least value events (and, with cardinality, of
** at least that many distinct values) alerts; at most max_signals groups
** (the largest) per run. */
static int ctDThresholdRun(void *pArg, double T, int lo, int hi){
  CtDReplay *x = pArg;
  CtDRule *r = x->r;
  CtDCand **ap = sqlite3_malloc64(sizeof(CtDCand*)*(sqlite3_uint64)(hi-lo+1));
  CtDGroup *aG = sqlite3_malloc64(sizeof(CtDGroup)*(sqlite3_uint64)(hi-lo+1));
  int n = 0, nG = 0, i, j, rc = SQLITE_OK;
  if( ap==0 || aG==0 ){ sqlite3_free(ap); sqlite3_free(aG); return SQLITE_NOMEM; }
  for(i=lo; i<hi; i++) if( r->aCand[i].t > x->aMark[r->aCand[i].iKey] ) ap[n++] = &r->aCand[i];
  qsort(ap, (size_t)n, sizeof(CtDCand*), ctDCmpCard);
  for(i=0; i<n; i=j){
    CtDGroup g = { .iKey = ap[i]->iKey, .iFirst = i, .nCard = 0, .tNewest = ap[i]->t };
    for(j=i; j<n && ap[j]->iKey==g.iKey; j++){
      if( ap[j]->zCard && (j==i || ctDCmpCard(&ap[j], &ap[j-1])!=0) ) g.nCard++;
      if( ap[j]->t > g.tNewest ) g.tNewest = ap[j]->t;
      if( ap[j]->t < ap[g.iFirst]->t || (ap[j]->t==ap[g.iFirst]->t && ap[j]->iEvent<ap[g.iFirst]->iEvent) ) g.iFirst = j;
    }
    g.nCount = j-i;
    g.iFirst = ap[g.iFirst]->iEvent;
    if( g.nCount>=r->nValue && (r->iCardSlot<0 || g.nCard>=r->nCard) ) aG[nG++] = g;
  }
  qsort(aG, (size_t)nG, sizeof(CtDGroup), ctDCmpGroup);
  for(i=0; i<nG && i<r->pER->nMaxSignals && rc==SQLITE_OK; i++){
    CtDAlert *a;
    rc = ctDAlertAdd(x->p, x->iRule, aG[i].iFirst, &a);
    if( rc ) break;
    a->tRun = T;
    a->nCount = aG[i].nCount;
    if( r->iCardSlot>=0 ) a->nCard = aG[i].nCard;
    a->zGroup = ctDGroupJson(x->p, r, x->apByKey[x->aStart[aG[i].iKey]]->zKey);
    if( a->zGroup==0 ) rc = SQLITE_NOMEM;
    x->aMark[aG[i].iKey] = aG[i].tNewest;
  }
  sqlite3_free(ap);
  sqlite3_free(aG);
  return rc;
}

/* True if key iKey has a candidate in [t0, t1). */
static int ctDKeyIn(const CtDReplay *x, int iKey, double t0, double t1){
  int lo = x->aStart[iKey], hi = x->aStart[iKey+1];
  while( lo<hi ){                      /* first candidate at or after t0 */
    int mid = (lo+hi)/2;
    if( x->apByKey[mid]->t < t0 ) lo = mid+1; else hi = mid;
  }
  return lo<x->aStart[iKey+1] && x->apByKey[lo]->t < t1;
}

/* One run of a new_terms rule: the first candidate of each key in the
** window alerts if the key occurred nowhere in [T - history, T - L). */
static int ctDNewTermsRun(void *pArg, double T, int lo, int hi){
  CtDReplay *x = pArg;
  CtDRule *r = x->r;
  double L = (double)r->pER->iLookbackMs, H = (double)r->pER->iHistoryMs;
  int i, nAlert = 0, rc = SQLITE_OK;
  if( L<(double)r->pER->iIntervalMs ) L = (double)r->pER->iIntervalMs;
  for(i=lo; i<hi && rc==SQLITE_OK && nAlert<r->pER->nMaxSignals; i++){
    CtDCand *c = &r->aCand[i];
    int j, bFirst = 1;
    for(j=lo; j<i && bFirst; j++) if( r->aCand[j].iKey==c->iKey ) bFirst = 0;
    if( !bFirst || ctDKeyIn(x, c->iKey, T-H, T-L) ) continue;
    if( !x->aDone[i] ){
      CtDAlert *a;
      x->aDone[i] = 1;
      rc = ctDAlertAdd(x->p, x->iRule, c->iEvent, &a);
      if( rc==SQLITE_OK ){
        a->tRun = T;
        a->zTerms = sqlite3_mprintf("%s", c->zKey);
        if( a->zTerms==0 ) rc = SQLITE_NOMEM;
      }
      nAlert++;
    }
  }
  return rc;
}

/* A partial sequence of one key: the events of stages 0..j. */
typedef struct CtDPartial CtDPartial;
struct CtDPartial {
  int n;                      /* events, 0 when none */
  int *aEv;
  double tStart;
};

/* The alert of a completed sequence: its first event, and all of them. */
static int ctDSeqAlert(CtDReplay *x, const CtDPartial *s){
  CtDetect *p = x->p;
  sqlite3_str *pOut = sqlite3_str_new(0);
  CtDAlert *a;
  int k, rc = ctDAlertAdd(p, x->iRule, s->aEv[0], &a);
  sqlite3_str_appendchar(pOut, 1, '[');
  for(k=0; k<s->n; k++){
    const CtDEvent *e = &p->aEvent[s->aEv[k]];
    sqlite3_str_appendf(pOut, "%s{\"event_time\":", k ? "," : "");
    if( e->zTime ) ctJvQuote(pOut, e->zTime, strlen(e->zTime)); else sqlite3_str_appendall(pOut, "null");
    sqlite3_str_appendall(pOut, ",\"event_id\":");
    if( e->zId ) ctJvQuote(pOut, e->zId, strlen(e->zId)); else sqlite3_str_appendall(pOut, "null");
    sqlite3_str_appendall(pOut, ",\"file\":");
    ctJvQuote(pOut, p->azFile[e->iFile], strlen(p->azFile[e->iFile]));
    sqlite3_str_appendf(pOut, ",\"record_index\":%lld}", e->iRecord);
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  if( rc ){ sqlite3_free(sqlite3_str_finish(pOut)); return rc; }
  a->zSeq = sqlite3_str_finish(pOut);
  return a->zSeq ? SQLITE_OK : SQLITE_NOMEM;
}

/* Extend the partial sequence of stage j-1 (or start one at stage 0)
** with event iEv; complete ones alert. */
static int ctDSeqStage(CtDReplay *x, CtDPartial *aS, int j, int nStage, int iEv, double t){
  sqlite3_int64 nSpan = x->r->pER->pQuery->iMaxspanMs;
  CtDPartial *s = &aS[j];
  int k, *aNew;
  if( j>0 ){
    const CtDPartial *q = &aS[j-1];
    if( q->n==0 || (nSpan>0 && t - q->tStart > (double)nSpan) ) return SQLITE_OK;
    for(k=0; k<q->n; k++) if( q->aEv[k]==iEv ) return SQLITE_OK;
  }
  aNew = sqlite3_realloc64(s->aEv, sizeof(int)*(sqlite3_uint64)(j+1));
  if( aNew==0 ) return SQLITE_NOMEM;
  s->aEv = aNew;
  if( j>0 ){
    memcpy(s->aEv, aS[j-1].aEv, sizeof(int)*(size_t)j);
    s->tStart = aS[j-1].tStart;
    aS[j-1].n = 0;
  }else{
    s->tStart = t;
  }
  s->aEv[j] = iEv;
  s->n = j+1;
  if( j==nStage-1 ){
    int rc = ctDSeqAlert(x, s);
    s->n = 0;
    return rc;
  }
  return SQLITE_OK;
}

/* An EQL sequence over all candidates in time order: per key, the latest
** partial sequence at each stage; an event of step s extends the partial
** of the stage before (within maxspan of its first event), a step with
** runs=N is N stages, and an until event drops the key's partials. */
static int ctDSequence(CtDReplay *x, int nKey){
  const CtQuery *q = x->r->pER->pQuery;
  int aFirst[64], nStage = 0, k, i, rc = SQLITE_OK;
  CtDPartial *aS;
  for(k=0; k<q->nStep && k<64; k++){ aFirst[k] = nStage; nStage += q->aStep[k].nRuns>0 ? q->aStep[k].nRuns : 1; }
  aS = sqlite3_malloc64(sizeof(CtDPartial)*(sqlite3_uint64)nKey*(sqlite3_uint64)nStage + 1);
  if( aS==0 ) return SQLITE_NOMEM;
  memset(aS, 0, sizeof(CtDPartial)*(size_t)nKey*(size_t)nStage);
  for(i=0; i<x->r->nCand && rc==SQLITE_OK; i++){
    const CtDCand *c = &x->r->aCand[i];
    CtDPartial *aKey = &aS[(size_t)c->iKey*(size_t)nStage];
    int s = c->iStep, j;
    if( s<0 ){
      for(j=0; j<nStage; j++) aKey[j].n = 0;
      continue;
    }
    if( s>=64 ) continue;
    for(j=aFirst[s] + (q->aStep[s].nRuns>0 ? q->aStep[s].nRuns : 1) - 1; j>=aFirst[s] && rc==SQLITE_OK; j--){
      rc = ctDSeqStage(x, aKey, j, nStage, c->iEvent, c->t);
    }
  }
  for(k=0; k<nKey*nStage; k++) sqlite3_free(aS[k].aEv);
  sqlite3_free(aS);
  return rc;
}

/* Replay every stateful rule. */
static int ctDReplayAll(CtDetect *p){
  int k, rc = SQLITE_OK;
  for(k=0; k<p->nRule && rc==SQLITE_OK; k++){
    CtDRule *r = &p->aRule[k];
    CtDReplay x = { .p = p, .r = r, .iRule = k };
    int nKey, i;
    if( r->eKind==CT_DK_EVENT || r->nCand==0 ) continue;
    nKey = ctDKeys(r, &x.apByKey, &x.aStart);
    if( nKey<0 ) return SQLITE_NOMEM;
    x.aMark = sqlite3_malloc64(sizeof(double)*(sqlite3_uint64)(nKey+1));
    x.aDone = sqlite3_malloc64((sqlite3_uint64)r->nCand+1);
    if( x.aMark==0 || x.aDone==0 ){
      rc = SQLITE_NOMEM;
    }else{
      for(i=0; i<nKey; i++) x.aMark[i] = -INFINITY;
      memset(x.aDone, 0, (size_t)r->nCand);
      if( r->eKind==CT_DK_THRESHOLD ) rc = ctDRuns(r, ctDThresholdRun, &x);
      else if( r->eKind==CT_DK_NEWTERMS ) rc = ctDRuns(r, ctDNewTermsRun, &x);
      else rc = ctDSequence(&x, nKey);
    }
    sqlite3_free(x.aMark);
    sqlite3_free(x.aDone);
    sqlite3_free(x.apByKey);
    sqlite3_free(x.aStart);
  }
  return rc;
}

/* ---------------------------------------------------------------------
** Options and the events' source
*/

/* What OPTIONS says: time=, and the rest for the scan (and the mapping). */
typedef struct CtDOpts CtDOpts;
struct CtDOpts {
  int bDelivery;
  int bEcsKey;                /* pipeline=, retain=, geoip= or asn= given */
  int nOther;                 /* other keys (the scan's) */
  sqlite3_str *pScan;         /* every key but time=, for cloudtrail() */
};

static int ctDOptSet(void *pArg, const char *zKey, size_t nKey,
                     const char *zVal, size_t nVal, char **pzErr){
  CtDOpts *o = pArg;
  static const char *const azEcs[] = { "pipeline", "retain", "geoip", "asn" };
  int k, bEcs = 0;
  if( nKey==4 && memcmp(zKey, "time", 4)==0 ){
    char *zV = ctDequote(zVal, nVal);
    if( zV==0 ) return SQLITE_NOMEM;
    if( strcmp(zV, "event")==0 ) o->bDelivery = 0;
    else if( strcmp(zV, "delivery")==0 ) o->bDelivery = 1;
    else *pzErr = sqlite3_mprintf("cloudtrail: cloudtrail_detect() time must be "
                                  "'event' or 'delivery', not '%s'", zV);
    sqlite3_free(zV);
    return *pzErr ? SQLITE_ERROR : SQLITE_OK;
  }
  for(k=0; k<4; k++){
    if( strlen(azEcs[k])==nKey && memcmp(azEcs[k], zKey, nKey)==0 ) bEcs = 1;
  }
  if( bEcs ) o->bEcsKey = 1;
  else o->nOther++;
  if( sqlite3_str_length(o->pScan) ) sqlite3_str_appendall(o->pScan, ", ");
  sqlite3_str_append(o->pScan, zKey, (int)nKey);
  if( zVal ){
    sqlite3_str_appendchar(o->pScan, 1, '=');
    sqlite3_str_append(o->pScan, zVal, (int)nVal);
  }
  return SQLITE_OK;
}

/* If zEvents names a table (or "schema.table") with a raw column, its
** schema (empty when not given: found as SQLite finds an unqualified name,
** a TEMP table first) and table into the two buffers and 1; else 0 (a PATH). */
static int ctDIsTable(sqlite3 *db, const char *zEvents, char *zSchema, char *zTable, size_t nBuf){
  const char *zDot = strchr(zEvents, '.');
  size_t n = strlen(zEvents);
  if( n>=nBuf || strchr(zEvents, '/') ) return 0;
  if( zDot ){
    memcpy(zSchema, zEvents, (size_t)(zDot-zEvents));
    zSchema[zDot-zEvents] = 0;
    memcpy(zTable, zDot+1, n-(size_t)(zDot-zEvents));
  }else{
    zSchema[0] = 0;                  /* any schema, as an unqualified name */
    memcpy(zTable, zEvents, n+1);
  }
  return sqlite3_table_column_metadata(db, zSchema[0] ? zSchema : 0, zTable, "raw",
                                       0, 0, 0, 0, 0)==SQLITE_OK;
}

/* Longest schema or table name cloudtrail_detect looks up. */
#define CT_D_MAX_NAME 256

/* The statement that gives the events: raw, file, record_index (the
** event's time and id are read from its document when it alerts). */
static int ctDEvents(sqlite3 *db, const char *zEvents, const CtDOpts *o,
                     sqlite3_stmt **ppStmt, int *pbTrusted, char **pzErr){
  char zSchema[CT_D_MAX_NAME], zTable[CT_D_MAX_NAME];
  char *zSql;
  int rc;
  if( ctDIsTable(db, zEvents, zSchema, zTable, sizeof(zSchema)) ){
    if( o->nOther ){
      *pzErr = sqlite3_mprintf("cloudtrail: cloudtrail_detect() over the table %s "
                               "takes only the options time=, pipeline=, retain=, geoip=, asn=", zEvents);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    zSql = zSchema[0]
      ? sqlite3_mprintf("SELECT raw, file, record_index FROM \"%w\".\"%w\"", zSchema, zTable)
      : sqlite3_mprintf("SELECT raw, file, record_index FROM \"%w\"", zTable);
    *pbTrusted = 0;
  }else{
    /* the record as the reader holds it (CtRecordRef): validated, its
    ** top-level members found, nothing copied */
    zSql = sqlite3_mprintf("SELECT record_ptr, file, record_index FROM cloudtrail(?1, ?2)");
    *pbTrusted = 1;
  }
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, ppStmt, 0);
  sqlite3_free(zSql);
  if( rc ){
    *pzErr = sqlite3_mprintf("cloudtrail: cloudtrail_detect(): %s", sqlite3_errmsg(db));
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( *pbTrusted ){
    sqlite3_bind_text(*ppStmt, 1, zEvents, -1, SQLITE_TRANSIENT);
    if( sqlite3_str_length(o->pScan) ){
      sqlite3_bind_text(*ppStmt, 2, sqlite3_str_value(o->pScan), -1, SQLITE_TRANSIENT);
    }
  }
  return SQLITE_OK;
}

/*
** Load the rules, scan the events, replay the stateful rules: *pp holds
** every alert.  Errors (rules that cannot be read, an unreadable PATH, a
** bad option) set *pzErr.
*/
static int ctDetectRun(sqlite3 *db, CtRuleReg *pReg, const char *zEvents,
                       const char *zRules, const char *zOptions, CtDetect **pp,
                       char **pzErr){
  CtDetect *p = sqlite3_malloc64(sizeof(*p));
  CtDOpts o = { .pScan = sqlite3_str_new(0) };
  sqlite3_stmt *pStmt = 0;
  CtQDoc *pDoc = 0;
  int rc, bTrusted = 0;
  *pp = 0;
  if( p==0 ){ sqlite3_free(sqlite3_str_finish(o.pScan)); return SQLITE_NOMEM; }
  memset(p, 0, sizeof(*p));
  rc = zOptions ? ctOptionsEach(zOptions, ctDOptSet, &o, pzErr) : SQLITE_OK;
  if( rc==SQLITE_OK && sqlite3_str_errcode(o.pScan) ) rc = SQLITE_NOMEM;
  p->bDelivery = o.bDelivery;
  if( rc==SQLITE_OK ) rc = ctEcsOptsParse(zOptions ? zOptions : "", 1, 1, &p->pEcs, pzErr);
  if( rc==SQLITE_OK ) rc = ctQProgNew(ctEcsOptsConf(p->pEcs), &p->pProg);
  if( rc==SQLITE_OK ) rc = ctERulesLoad(zRules, &p->pSet, pzErr);
  if( rc==SQLITE_OK ) rc = ctERulesRemember(p->pSet, pReg);
  if( rc==SQLITE_OK ) rc = ctDRules(p, pzErr);
  if( rc==SQLITE_OK ) rc = ctDIndexRules(p);
  if( rc==SQLITE_OK ) rc = ctDEvents(db, zEvents, &o, &pStmt, &bTrusted, pzErr);
  while( rc==SQLITE_OK ){
    rc = sqlite3_step(pStmt);
    if( rc!=SQLITE_ROW ) break;
    rc = ctDRow(p, &pDoc, pStmt, bTrusted);
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  else if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  ctQDocFree(pDoc);
  sqlite3_free(sqlite3_str_finish(o.pScan));
  if( rc==SQLITE_OK ) rc = ctDReplayAll(p);
  if( rc ){ ctDetectFree(p); return rc; }
  *pp = p;
  return SQLITE_OK;
}

/* ---------------------------------------------------------------------
** The table
*/

/* Columns: the schema and xColumn come from this list. */
#define CT_DETECT_COLUMNS(X) \
  X(RULE_ID,      "rule_id",      "TEXT") \
  X(RULE_NAME,    "rule_name",    "TEXT") \
  X(RULE_TYPE,    "rule_type",    "TEXT") \
  X(SEVERITY,     "severity",     "TEXT") \
  X(RISK,         "risk_score",   "INTEGER") \
  X(EVENT_TIME,   "event_time",   "TEXT COLLATE " CT_TIME_COLLATION) \
  X(EVENT_ID,     "event_id",     "TEXT") \
  X(FILE,         "file",         "TEXT") \
  X(RECORD_INDEX, "record_index", "INTEGER") \
  X(RUN_END,      "run_end",      "TEXT COLLATE " CT_TIME_COLLATION) \
  X(GROUP_KEY,    "group_key",    "TEXT") \
  X(GROUP_COUNT,  "group_count",  "INTEGER") \
  X(CARDINALITY,  "cardinality",  "INTEGER") \
  X(NEW_TERMS,    "new_terms",    "TEXT") \
  X(SEQUENCE,     "sequence",     "TEXT") \
  X(THREAT,       "threat",       "TEXT") \
  X(EVENTS,       "events",       "HIDDEN") \
  X(RULES,        "rules",        "HIDDEN") \
  X(OPTIONS,      "options",      "HIDDEN")

#define CT_DC_ENUM(ID, NAME, DECL) CT_DC_##ID,
enum { CT_DETECT_COLUMNS(CT_DC_ENUM) CT_DC_N };
#define CT_DC_DECL(ID, NAME, DECL) { NAME, DECL },
static const struct { const char *zName, *zDecl; } ctDetectCols[] = {
  CT_DETECT_COLUMNS(CT_DC_DECL)
};
#define CT_DC_OFFSET 0

/* "CREATE TABLE x(rule_id TEXT, …)" from ctDetectCols; 0 if out of memory. */
static char *ctDetectSchema(void){
  sqlite3_str *s = sqlite3_str_new(0);
  int k;
  sqlite3_str_appendall(s, "CREATE TABLE x(");
  for(k=0; k<CT_DC_N; k++){
    sqlite3_str_appendf(s, "%s%s %s", k ? ", " : "", ctDetectCols[k].zName, ctDetectCols[k].zDecl);
  }
  sqlite3_str_appendchar(s, 1, ')');
  return sqlite3_str_finish(s);
}

typedef struct CtDVtab CtDVtab;
struct CtDVtab {
  sqlite3_vtab base;
  sqlite3 *db;
  CtRuleReg *pReg;            /* where the loaded rules are remembered */
};

typedef struct CtDCursor CtDCursor;
struct CtDCursor {
  sqlite3_vtab_cursor base;
  CtDetect *p;
  int i;
  char *azArg[3];             /* EVENTS, RULES, OPTIONS (copies) */
};

static int ctDConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                      sqlite3_vtab **ppVtab, char **pzErr){
  CtDVtab *pNew;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  char *zSchema = ctDetectSchema();
  if( zSchema==0 ) return SQLITE_NOMEM;
  rc = sqlite3_declare_vtab(db, zSchema);
  sqlite3_free(zSchema);
  if( rc ) return rc;
  pNew = sqlite3_malloc64(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->db = db;
  pNew->pReg = (CtRuleReg*)pAux;
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

static int ctDDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* EVENTS, RULES and OPTIONS, in that order, by equality. */
static int ctDBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int rc, mArgs;
  (void)pVtab;
  rc = ctPlanArgs(pInfo, CT_DC_EVENTS+CT_DC_OFFSET, 3, 1, &mArgs);
  if( rc ) return rc;
  pInfo->idxNum = mArgs;
  pInfo->estimatedCost = (mArgs & 3)==3 ? 1e6 : 1e15;
  return SQLITE_OK;
}

static int ctDOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  CtDCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static void ctDReset(CtDCursor *pCur){
  int k;
  ctDetectFree(pCur->p);
  pCur->p = 0;
  pCur->i = 0;
  for(k=0; k<3; k++){ sqlite3_free(pCur->azArg[k]); pCur->azArg[k] = 0; }
}

static int ctDClose(sqlite3_vtab_cursor *cur){
  ctDReset((CtDCursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int ctDFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv){
  CtDCursor *pCur = (CtDCursor*)cur;
  CtDVtab *pTab = (CtDVtab*)cur->pVtab;
  char *zErr = 0;
  int k, rc;
  (void)idxStr;
  ctDReset(pCur);
  if( (idxNum & 3)!=3 || argc<2 ){
    return ctVtabError(cur->pVtab, SQLITE_ERROR, "cloudtrail: cloudtrail_detect() "
                       "needs EVENTS and RULES: cloudtrail_detect('AWSLogs/', 'rules/')");
  }
  for(k=0; k<argc && k<3; k++){
    const char *z = (const char*)sqlite3_value_text(argv[k]);
    if( z==0 ){
      if( sqlite3_value_type(argv[k])!=SQLITE_NULL ) return SQLITE_NOMEM;
      if( k<2 ) return ctVtabError(cur->pVtab, SQLITE_ERROR, "cloudtrail: cloudtrail_detect() "
                                   "%s is NULL", k==0 ? "EVENTS" : "RULES");
      continue;
    }
    if( (pCur->azArg[k] = sqlite3_mprintf("%s", z))==0 ) return SQLITE_NOMEM;
  }
  rc = ctDetectRun(pTab->db, pTab->pReg, pCur->azArg[0], pCur->azArg[1], pCur->azArg[2], &pCur->p, &zErr);
  if( rc ) return zErr ? ctVtabErrorTake(cur->pVtab, rc, zErr) : rc;
  return SQLITE_OK;
}

static int ctDNext(sqlite3_vtab_cursor *cur){
  ((CtDCursor*)cur)->i++;
  return SQLITE_OK;
}

static int ctDEof(sqlite3_vtab_cursor *cur){
  CtDCursor *pCur = (CtDCursor*)cur;
  return pCur->p==0 || pCur->i>=pCur->p->nAlert;
}

static void ctDText(sqlite3_context *ctx, const char *z){
  if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
}

/* A time in ms since the epoch as ISO 8601 UTC with milliseconds. */
static void ctDTimeText(sqlite3_context *ctx, double t){
  CtInstant i;
  char zBuf[40];
  if( t<0 || isnan(t) ) return;
  i.iSec = (sqlite3_int64)floor(t/1000.0);
  i.iAtto = (sqlite3_int64)(t - (double)i.iSec*1000.0) * 1000000000000000LL;
  if( ctInstantFormat(&i, 3, zBuf, (int)sizeof(zBuf)) ) ctDText(ctx, zBuf);
}

static int ctDColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  CtDCursor *pCur = (CtDCursor*)cur;
  const CtDAlert *a = &pCur->p->aAlert[pCur->i];
  const CtERule *e = pCur->p->aRule[a->iRule].pER;
  const CtDEvent *ev = &pCur->p->aEvent[a->iEvent];
  switch( i-CT_DC_OFFSET ){
    case CT_DC_RULE_ID:      ctDText(ctx, e->zRuleId); break;
    case CT_DC_RULE_NAME:    ctDText(ctx, e->zName); break;
    case CT_DC_RULE_TYPE:    ctDText(ctx, e->zType); break;
    case CT_DC_SEVERITY:     ctDText(ctx, e->zSeverity); break;
    case CT_DC_RISK:         if( e->iRiskScore>=0 ) sqlite3_result_int(ctx, e->iRiskScore); break;
    case CT_DC_EVENT_TIME:   ctDText(ctx, ev->zTime); break;
    case CT_DC_EVENT_ID:     ctDText(ctx, ev->zId); break;
    case CT_DC_FILE:         ctDText(ctx, pCur->p->azFile[ev->iFile]); break;
    case CT_DC_RECORD_INDEX: sqlite3_result_int64(ctx, ev->iRecord); break;
    case CT_DC_RUN_END:      ctDTimeText(ctx, a->tRun); break;
    case CT_DC_GROUP_KEY:    ctDText(ctx, a->zGroup); break;
    case CT_DC_GROUP_COUNT:  if( a->nCount>=0 ) sqlite3_result_int64(ctx, a->nCount); break;
    case CT_DC_CARDINALITY:  if( a->nCard>=0 ) sqlite3_result_int64(ctx, a->nCard); break;
    case CT_DC_NEW_TERMS:    ctDText(ctx, a->zTerms); break;
    case CT_DC_SEQUENCE:     ctDText(ctx, a->zSeq); break;
    case CT_DC_THREAT:       ctDText(ctx, e->zThreat); break;
    case CT_DC_EVENTS: case CT_DC_RULES: case CT_DC_OPTIONS: {
      int k = i-CT_DC_OFFSET-CT_DC_EVENTS;
      return ctResultArgument(ctx, "cloudtrail_detect", k==0 ? "events" : k==1 ? "rules" : "options",
                              pCur->azArg[k]!=0, pCur->azArg[k]);
    }
  }
  return SQLITE_OK;
}

static int ctDRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid){
  *pRowid = ((CtDCursor*)cur)->i + 1;
  return SQLITE_OK;
}

static sqlite3_module ctDetectModule = {
  .iVersion = 0,
  .xCreate = 0,                 /* none: eponymous only */
  .xConnect = ctDConnect,
  .xBestIndex = ctDBestIndex,
  .xDisconnect = ctDDisconnect,
  .xOpen = ctDOpen,
  .xClose = ctDClose,
  .xFilter = ctDFilter,
  .xNext = ctDNext,
  .xEof = ctDEof,
  .xColumn = ctDColumn,
  .xRowid = ctDRowid,
};

/* Register cloudtrail_detect.  It reads files (the rules, and a PATH of
** events): never SQLITE_VTAB_INNOCUOUS, not in the nofs entry point. */
int ctRegisterDetect(sqlite3 *db, CtRuleReg *pReg){
  return sqlite3_create_module(db, "cloudtrail_detect", &ctDetectModule, pReg);
}
