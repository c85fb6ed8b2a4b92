/*
** ct_fields.c — what a record is, and where the columns' values are in it.
**
**   SELECT event_name, principal_id, session_issuer_name
**     FROM cloudtrail('fixtures/demo') LIMIT 3;
**
** ctRecordShape() tells a CloudTrail record from an Elastic document or a
** wrapper (EventBridge envelope, search hit, lookup-events item, digest).
**
** Where each field is comes from the table of fields, ctFieldTable
** (CT_FIELD_LIST in ct_fields.h).  Raw CloudTrail records are read in a
** single pass over their top-level members, descending only into the
** objects its raw paths name (userIdentity, its sessionContext and
** sessionIssuer, responseElements), through key maps derived from the
** table on first use.  ECS
** documents are read by dotted path, nested or flattened, as Elastic
** stores them.  Values stay as JSON text spans; the caller decodes only the
** columns a query asks for.  Duplicate keys: the first one wins, as in
** SQLite's json_extract().
*/
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include "ct_fields.h"
SQLITE_EXTENSION_INIT3

/* A key name, its length, and the field it fills. */
typedef struct CtKeyMap CtKeyMap;
struct CtKeyMap {
  const char *zKey;
  unsigned char nKey;
  signed char iField;
};
#define CT_KEY(z, i) { z, (unsigned char)(sizeof(z)-1), i }

/* Longest key decoded for matching; every name in the maps is shorter. */
#define CT_FIELDS_MAX_KEY 64

/* True if the n bytes at a and b are equal, for the short keys of
** CloudTrail: bytes one by one below 8, two overlapping 8-byte words up to
** 16, memcmp() beyond — no library call for the common sizes. */
static inline int ctSameKey(const char *a, const char *b, size_t n){
  uint64_t x, y;
  if( n<8 ){
    size_t k;
    for(k=0; k<n; k++){ if( a[k]!=b[k] ) return 0; }
    return 1;
  }
  if( n>16 ) return memcmp(a, b, n)==0;
  memcpy(&x, a, 8);
  memcpy(&y, b, 8);
  if( x!=y ) return 0;
  memcpy(&x, a+n-8, 8);
  memcpy(&y, b+n-8, 8);
  return x==y;
}

/*
** Index in aMap (terminated by a 0 name) of the entry whose name the
** escaped key decodes to, or -1.  Keys almost never hold escapes, so they
** are compared as they are first and decoded only when nothing matched.
*/
static int ctKeyFind(const CtKeyMap *aMap, CtSpan key){
  char aBuf[CT_FIELDS_MAX_KEY];
  int k;
  if( key.n==0 ) return -1;
  for(k=0; aMap[k].zKey; k++){
    if( aMap[k].nKey==key.n && aMap[k].zKey[0]==key.z[0]
     && ctSameKey(aMap[k].zKey, key.z, key.n) ) return k;
  }
  if( key.n>sizeof(aBuf) || memchr(key.z, '\\', key.n)==0 ) return -1;
  key.n = ct_json_unescape(key.z, key.n, aBuf);
  key.z = aBuf;
  for(k=0; aMap[k].zKey; k++){
    if( aMap[k].nKey==key.n && ctSameKey(aMap[k].zKey, key.z, key.n) ) return k;
  }
  return -1;
}

/* The table of fields (ct_fields.h). */
#define CT_F_ROW_(id, zName, zType, mFlags, zRaw, zEcs, zEcs2) \
  { zName, zType, mFlags, zRaw, { zEcs, zEcs2 } },
const CtField ctFieldTable[CT_NFIELD] = {
  CT_FIELD_LIST(CT_F_ROW_)
};
#undef CT_F_ROW_

/*
** The key maps of the raw reader, derived from the raw paths of
** ctFieldTable on first use: one map per object the paths name (map 0 is
** the record itself, then userIdentity, its sessionContext …).  An entry
** whose iField is below 0 is an object to descend into: map -iField.
*/
#define CT_MAX_OBJECTS 8          /* objects the raw paths descend into */
#define CT_MAX_OBJ_KEYS 24        /* keys of one object the paths name */
typedef struct CtRawMaps CtRawMaps;
struct CtRawMaps {
  int nObj;
  CtKeyMap aMap[CT_MAX_OBJECTS][CT_MAX_OBJ_KEYS+1];   /* each ends with 0 */
};
static CtRawMaps ctRawMaps;
static atomic_int ctRawMapsState;  /* 0 not built, 1 building, 2 built */

/* Index in map iObj of the entry for key z[0..n), or -1. */
static int ctMapFind(const CtRawMaps *p, int iObj, const char *z, size_t n){
  const CtKeyMap *aMap = p->aMap[iObj];
  int k;
  for(k=0; aMap[k].zKey; k++){
    if( aMap[k].nKey==n && memcmp(aMap[k].zKey, z, n)==0 ) return k;
  }
  return -1;
}

/* Append key z[0..n) for iField (a field, or -map) to map iObj: 1, or 0
** if the map is full or the key too long. */
static int ctMapAdd(CtRawMaps *p, int iObj, const char *z, size_t n,
                    int iField){
  CtKeyMap *aMap = p->aMap[iObj];
  int k;
  for(k=0; aMap[k].zKey; k++){}
  if( k>=CT_MAX_OBJ_KEYS || n>CT_FIELDS_MAX_KEY ) return 0;
  aMap[k] = (CtKeyMap){ .zKey = z, .nKey = (unsigned char)n,
                        .iField = (signed char)iField };
  return 1;
}

/* Add field iField's raw path to the maps: each segment but the last is
** an object (its map made on first sight), the last names the field.  A
** path that does not fit the fixed sizes, or that goes through a field, is
** left out: test_unit.c reads every field back, so that cannot pass
** unnoticed. */
static void ctMapsAddPath(CtRawMaps *p, int iField, const char *zPath){
  int iObj = 0;
  for(;;){
    const char *zDot = strchr(zPath, '.');
    size_t n = zDot ? (size_t)(zDot-zPath) : strlen(zPath);
    int k = ctMapFind(p, iObj, zPath, n);
    if( zDot==0 ){
      if( k<0 ) ctMapAdd(p, iObj, zPath, n, iField);
      return;
    }
    if( k<0 ){
      if( p->nObj>=CT_MAX_OBJECTS || !ctMapAdd(p, iObj, zPath, n, -p->nObj) ){
        return;
      }
      iObj = p->nObj++;
    }else if( p->aMap[iObj][k].iField<0 ){
      iObj = -p->aMap[iObj][k].iField;
    }else{
      return;
    }
    zPath = zDot+1;
  }
}

/* Build the maps from the table; the first caller does it, any other
** waits for it (it takes microseconds). */
static const CtRawMaps *ctRawMapsGet(void){
  int e = 0;
  if( atomic_load_explicit(&ctRawMapsState, memory_order_acquire)==2 ){
    return &ctRawMaps;
  }
  if( atomic_compare_exchange_strong(&ctRawMapsState, &e, 1) ){
    int i;
    ctRawMaps.nObj = 1;
    for(i=0; i<CT_NFIELD; i++){
      if( ctFieldTable[i].zRaw ) ctMapsAddPath(&ctRawMaps, i, ctFieldTable[i].zRaw);
    }
    atomic_store_explicit(&ctRawMapsState, 2, memory_order_release);
  }
  while( atomic_load_explicit(&ctRawMapsState, memory_order_acquire)!=2 ){}
  return &ctRawMaps;
}

/*
** Walk the members of the validated object obj, filling pF from aMap.
** Each sub-object is entered once (the first occurrence of its key), so
** the first duplicate wins at every level.  Nesting is as deep as the
** longest raw path of ctFieldTable.
*/
static void ctFieldsWalk(const CtRawMaps *pMaps, CtSpan obj,
                         const CtKeyMap *aMap, CtFields *pF){
  CtSpan key, val;
  size_t i = 1;
  unsigned seenSub = 0;
  while( ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
    int k = ctKeyFind(aMap, key), iField;
    if( k<0 ) continue;
    iField = aMap[k].iField;
    if( iField>=0 ){
      if( pF->a[iField].z==0 ) pF->a[iField] = val;
    }else if( !(seenSub & (1u<<(-iField))) ){
      seenSub |= 1u<<(-iField);
      if( val.z[0]=='{' ) ctFieldsWalk(pMaps, val, pMaps->aMap[-iField], pF);
    }
  }
}

/*
** Next top-level member of obj: from the table pM recorded while the
** record was validated when there is one (no scan), else by scanning.
** *pi starts at 0.
*/
static int ctNextTop(CtSpan obj, const CtMembers *pM, size_t *pi,
                     CtSpan *pKey, CtSpan *pVal){
  if( pM && !pM->bOverflow ){
    const CtMember *m;
    if( *pi>=(size_t)pM->n ) return 0;
    m = &pM->a[(*pi)++];
    pKey->z = obj.z + m->iKey;
    pKey->n = m->nKey;
    pVal->z = obj.z + m->iVal;
    pVal->n = m->nVal;
    return 1;
  }
  if( *pi==0 ) *pi = 1;
  return ct_json_next_member(obj.z, obj.n, pi, pKey, pVal);
}

/* Fill pF from a raw CloudTrail record; pM, if not 0, lists its
** top-level members (see ct_json_validate_members()).  With bTopOnly, only
** the record's own top-level fields are filled (event_time, event_name,
** event_source …), not those inside userIdentity and responseElements: a
** cheaper pass for testing pushed-down constraints. */
void ctFieldsRaw(CtSpan rec, const CtMembers *pM, CtFields *pF){
  ctFieldsRawPart(rec, pM, pF, 0);
}
void ctFieldsRawPart(CtSpan rec, const CtMembers *pM, CtFields *pF,
                     int bTopOnly){
  const CtRawMaps *pMaps = ctRawMapsGet();
  const CtKeyMap *aTop = pMaps->aMap[0];
  CtSpan key, val;
  size_t i = 0;
  unsigned seenSub = 0;
  memset(pF, 0, sizeof(*pF));
  while( ctNextTop(rec, pM, &i, &key, &val) ){
    int k = ctKeyFind(aTop, key), iField;
    if( k<0 ) continue;
    iField = aTop[k].iField;
    if( iField>=0 ){
      if( pF->a[iField].z==0 ) pF->a[iField] = val;
    }else if( bTopOnly ){
      continue;
    }else if( !(seenSub & (1u<<(-iField))) ){
      seenSub |= 1u<<(-iField);
      if( val.z[0]=='{' ) ctFieldsWalk(pMaps, val, pMaps->aMap[-iField], pF);
    }
  }
}

/* Fill pF from an Elastic document: each field's ECS paths of
** ctFieldTable, in order, the first that is present and not null. */
void ctFieldsEcs(CtSpan rec, CtFields *pF){
  int i, k;
  memset(pF, 0, sizeof(*pF));
  for(i=0; i<CT_NFIELD; i++){
    const CtField *f = &ctFieldTable[i];
    for(k=0; k<CT_MAX_ECS_PATHS && f->azEcs[k]; k++){
      CtSpan v = ct_json_lookup(rec, f->azEcs[k]);
      if( !ct_json_is_null(v) ){ pF->a[i] = v; break; }
    }
  }
}

/*
** The cloudtrail table's declared schema, from ctFieldTable: "CREATE
** TABLE x(event_time TEXT COLLATE cloudtrail_time, …, options HIDDEN)".
** A string to sqlite3_free(), or 0 when out of memory.
*/
char *ctFieldsSchema(void){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendall(pStr, "CREATE TABLE x(");
  for(i=0; i<CT_F_NCOLUMN; i++){
    sqlite3_str_appendf(pStr, "%s%s %s", i ? ", " : "", ctFieldTable[i].zName,
                        ctFieldTable[i].zType);
  }
  sqlite3_str_appendall(pStr, ")");
  return sqlite3_str_finish(pStr);
}

/* The characters between the quotes of a JSON string value, or an absent
** span if v is not a string. */
CtSpan ctJsonStringBody(CtSpan v){
  CtSpan none = {0, 0};
  if( v.z==0 || v.n<2 || v.z[0]!='"' ) return none;
  v.z++;
  v.n -= 2;
  return v;
}

/* True if an error field counts as present: not absent, not null, not "". */
static int ctErrorPresent(CtSpan v){
  if( ct_json_is_null(v) ) return 0;
  return !(v.n==2 && v.z[0]=='"');
}

/*
** A raw record's outcome, as Elastic's ingest pipeline computes it:
** "failure" if errorCode or errorMessage is present, else "success"; then
** for ConsoleLogin, responseElements.ConsoleLogin lower-cased when it is a
** string.  In that last case returns 0 and sets *pbLower: the caller
** lower-cases the CT_F_CONSOLE_LOGIN string itself.
*/
const char *ctOutcomeRaw(const CtFields *pF, int *pbLower){
  CtSpan name = ctJsonStringBody(pF->a[CT_F_EVENT_NAME]);
  *pbLower = 0;
  if( name.z && ct_json_key_eq(name, "ConsoleLogin", 12)
   && ctJsonStringBody(pF->a[CT_F_CONSOLE_LOGIN]).z ){
    *pbLower = 1;
    return 0;
  }
  if( ctErrorPresent(pF->a[CT_F_ERROR_CODE])
   || ctErrorPresent(pF->a[CT_F_ERROR_MESSAGE]) ){
    return "failure";
  }
  return "success";
}

/* Keys that tell what a record is (ctShapeKey()). */
#define CT_SK_DETAIL_TYPE 0
#define CT_SK_DETAIL      1
#define CT_SK_SOURCE      2
#define CT_SK_CTEVENT     3
#define CT_SK_DIGEST      4
#define CT_SK_LOGFILES    5
#define CT_SK_RAW         6
static const CtKeyMap ctShapeKeys[] = {
  CT_KEY("eventVersion", CT_SK_RAW),    CT_KEY("userIdentity", CT_SK_RAW),
  CT_KEY("eventTime", CT_SK_RAW),       CT_KEY("eventSource", CT_SK_RAW),
  CT_KEY("eventName", CT_SK_RAW),       CT_KEY("eventID", CT_SK_RAW),
  CT_KEY("awsRegion", CT_SK_RAW),       CT_KEY("eventType", CT_SK_RAW),
  CT_KEY("detail-type", CT_SK_DETAIL_TYPE), CT_KEY("detail", CT_SK_DETAIL),
  CT_KEY("_source", CT_SK_SOURCE),      CT_KEY("CloudTrailEvent", CT_SK_CTEVENT),
  CT_KEY("digestStartTime", CT_SK_DIGEST), CT_KEY("logFiles", CT_SK_LOGFILES),
  { 0, 0, 0 }
};

/* True if key is an ECS field name: one of these, or one of them and a
** dot ("event.action"). */
static int ctIsEcsKey(CtSpan key){
  static const CtKeyMap aPrefix[] = {
    CT_KEY("@timestamp", 0), CT_KEY("event", 0), CT_KEY("ecs", 0),
    CT_KEY("data_stream", 0), CT_KEY("aws", 0), CT_KEY("cloud", 0),
    CT_KEY("user", 0), { 0, 0, 0 }
  };
  int k;
  for(k=0; aPrefix[k].zKey; k++){
    size_t nP = aPrefix[k].nKey;
    if( key.n>=nP && memcmp(key.z, aPrefix[k].zKey, nP)==0
     && (key.n==nP || key.z[nP]=='.') ){
      return 1;
    }
  }
  return 0;
}

/* Note what one top-level key of a record says about its shape. */
static void ctShapeKey(CtShape *pS, CtSpan key, CtSpan val){
  int k = ctKeyFind(ctShapeKeys, key);
  if( k<0 ){
    /* bEcs decides only for an object that is no raw record */
    if( !pS->bEcs && !pS->bRaw ) pS->bEcs = ctIsEcsKey(key);
    return;
  }
  switch( ctShapeKeys[k].iField ){
    case CT_SK_RAW:         pS->bRaw = 1; break;
    case CT_SK_DETAIL_TYPE: pS->bDetailType = 1; break;
    case CT_SK_DIGEST:      pS->bDigestStart = 1; break;
    case CT_SK_LOGFILES:    pS->bLogFiles = 1; break;
    case CT_SK_DETAIL:
      if( val.z[0]=='{' && !pS->detail.z ) pS->detail = val;
      break;
    case CT_SK_SOURCE:
      if( val.z[0]=='{' && !pS->source.z ) pS->source = val;
      break;
    case CT_SK_CTEVENT:
      if( val.z[0]=='"' && !pS->ctEvent.z ) pS->ctEvent = val;
      break;
  }
}

/* CT_SHAPE_RAW, CT_SHAPE_ECS or CT_SHAPE_NONE for a wrapped object (an
** envelope's detail, a hit's _source): its keys only, no unwrapping. */
static int ctBareShape(CtSpan obj){
  CtShape s;
  CtSpan key, val;
  size_t i = 0;
  memset(&s, 0, sizeof(s));
  while( ctNextTop(obj, 0, &i, &key, &val) ) ctShapeKey(&s, key, val);
  return s.bRaw ? CT_SHAPE_RAW : s.bEcs ? CT_SHAPE_ECS : CT_SHAPE_NONE;
}

/*
** Decide what the validated object rec is: a CloudTrail record, an Elastic
** document, or a wrapper around one (CT_SHAPE_*), or none of these
** (CT_SHAPE_NONE: a key list, a test's expected output, an EventBridge
** event of another service).  *pS receives the spans of the wrapped
** objects.  One pass over the top-level keys, or none when pM lists them,
** and one over a wrapped object's.
*/
int ctRecordShape(CtSpan rec, const CtMembers *pM, CtShape *pS){
  CtSpan key, val;
  size_t i = 0;
  memset(pS, 0, sizeof(*pS));
  while( ctNextTop(rec, pM, &i, &key, &val) ){
    ctShapeKey(pS, key, val);
  }
  if( pS->bDetailType && pS->detail.z ){
    return ctBareShape(pS->detail)==CT_SHAPE_RAW ? CT_SHAPE_ENVELOPE : CT_SHAPE_NONE;
  }
  if( pS->source.z ){
    int e = ctBareShape(pS->source);
    pS->bSourceRaw = e==CT_SHAPE_RAW;
    return e==CT_SHAPE_NONE ? CT_SHAPE_NONE : CT_SHAPE_HIT;
  }
  if( pS->ctEvent.z ) return CT_SHAPE_LOOKUP;
  if( pS->bDigestStart && pS->bLogFiles ) return CT_SHAPE_DIGEST;
  if( pS->bRaw ) return CT_SHAPE_RAW;
  if( pS->bEcs ) return CT_SHAPE_ECS;
  return CT_SHAPE_NONE;
}

/*
** Decode the JSON string str (quotes included) into pBuf and check that
** it holds exactly one JSON object, which becomes pOut->rec; else
** pOut->eBad says why.  SQLITE_OK or SQLITE_NOMEM.  No size check: the
** string is no larger than the object holding it.
*/
static int ctUnwrapEvent(CtSpan str, CtBuf *pBuf, CtUnwrapped *pOut){
  size_t nOut, i, iEnd = 0;
  CtJsonError e = {0, 0};
  if( pBuf->nAlloc<str.n ){
    char *aNew = sqlite3_realloc64(pBuf->a, str.n);
    if( aNew==0 ) return SQLITE_NOMEM;
    pBuf->a = aNew;
    pBuf->nAlloc = str.n;
  }
  nOut = ct_json_unescape(str.z+1, str.n-2, pBuf->a);
  i = ct_json_skip_ws(pBuf->a, nOut, 0);
  if( i>=nOut || pBuf->a[i]!='{' ){
    pOut->eBad = CT_UNWRAP_NOT_OBJECT;
    return SQLITE_OK;
  }
  if( ct_json_validate(pBuf->a, nOut, i, 1, CT_JSON_MAX_DEPTH, &iEnd, &e)
        ==CT_JSON_OK ){
    if( ct_json_skip_ws(pBuf->a, nOut, iEnd)<nOut ){
      e.iOff = iEnd;
      e.zWhy = "extra text after the object";
    }else{
      e.zWhy = 0;
    }
  }
  if( e.zWhy ){
    pOut->eBad = CT_UNWRAP_INVALID;
    pOut->err = e;
    return SQLITE_OK;
  }
  pOut->rec.z = pBuf->a + i;
  pOut->rec.n = iEnd - i;
  return SQLITE_OK;
}

/*
** The one unwrap of a record object, for every reader of records (the
** cloudtrail scan, the rule functions).  obj is a validated JSON object;
** pM lists its top-level members (or is 0: they are scanned).  *pOut gets
** its shape (ctRecordShape()) and the span to read fields from:
**   CT_SHAPE_RAW, CT_SHAPE_ECS  the object itself (bMem set; bEcs for ECS);
**   CT_SHAPE_ENVELOPE           its "detail" (a raw record);
**   CT_SHAPE_HIT                its "_source" (raw or ECS, bEcs says);
**   CT_SHAPE_LOOKUP             its CloudTrailEvent string decoded into
**                               pBuf (valid until pBuf is reused), or
**                               rec.z 0 and eBad/err saying why not;
**   CT_SHAPE_DIGEST             nothing (rec.z 0);
**   CT_SHAPE_NONE               the object itself, read as raw by a caller
**                               that takes it for a record anyway (an
**                               element of a delivery file's Records).
** Returns SQLITE_OK, or SQLITE_NOMEM (decoding a lookup item).
*/
int ctRecordUnwrap(CtSpan obj, const CtMembers *pM, CtBuf *pBuf,
                   CtUnwrapped *pOut){
  CtShape shape;
  memset(pOut, 0, sizeof(*pOut));
  pOut->eShape = ctRecordShape(obj, pM, &shape);
  switch( pOut->eShape ){
    case CT_SHAPE_DIGEST:   return SQLITE_OK;
    case CT_SHAPE_ENVELOPE: pOut->rec = shape.detail; return SQLITE_OK;
    case CT_SHAPE_HIT:
      pOut->rec = shape.source;
      pOut->bEcs = !shape.bSourceRaw;
      return SQLITE_OK;
    case CT_SHAPE_LOOKUP:   return ctUnwrapEvent(shape.ctEvent, pBuf, pOut);
  }
  pOut->rec = obj;
  pOut->bMem = 1;
  pOut->bEcs = pOut->eShape==CT_SHAPE_ECS;
  return SQLITE_OK;
}
