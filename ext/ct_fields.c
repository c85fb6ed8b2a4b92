/*
** ct_fields.c — what a record is, and where the columns' values are in it.
**
** ctRecordShape() tells a CloudTrail record from an Elastic document or a
** wrapper (EventBridge envelope, search hit, lookup-events item, digest).
**
** Raw CloudTrail records are read in a single pass over their top-level
** members (descending only into userIdentity and responseElements).  ECS
** documents are read by dotted path, nested or flattened, as Elastic
** stores them.  Values stay as JSON text spans; the caller decodes only the
** columns a query asks for.  Duplicate keys: the first one wins, as in
** SQLite's json_extract().
*/
#include <stdint.h>
#include <string.h>
#include "ct_fields.h"

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

/* Field numbers below 0 mark objects to descend into. */
#define CT_SUB_IDENTITY   (-1)
#define CT_SUB_RESPONSE   (-2)
#define CT_SUB_SESSION    (-3)
#define CT_SUB_ISSUER     (-4)

static const CtKeyMap ctTopKeys[] = {
  CT_KEY("eventTime", CT_F_EVENT_TIME),
  CT_KEY("eventSource", CT_F_EVENT_SOURCE),
  CT_KEY("eventName", CT_F_EVENT_NAME),
  CT_KEY("awsRegion", CT_F_AWS_REGION),
  CT_KEY("sourceIPAddress", CT_F_SOURCE_IP),
  CT_KEY("userAgent", CT_F_USER_AGENT),
  CT_KEY("errorCode", CT_F_ERROR_CODE),
  CT_KEY("errorMessage", CT_F_ERROR_MESSAGE),
  CT_KEY("eventID", CT_F_EVENT_ID),
  CT_KEY("requestID", CT_F_REQUEST_ID),
  CT_KEY("eventType", CT_F_EVENT_TYPE),
  CT_KEY("readOnly", CT_F_READ_ONLY),
  CT_KEY("recipientAccountId", CT_F_RECIPIENT),
  CT_KEY("userIdentity", CT_SUB_IDENTITY),
  CT_KEY("responseElements", CT_SUB_RESPONSE),
  { 0, 0, 0 }
};
static const CtKeyMap ctIdentityKeys[] = {
  CT_KEY("type", CT_F_IDENTITY_TYPE),
  CT_KEY("principalId", CT_F_PRINCIPAL_ID),
  CT_KEY("arn", CT_F_IDENTITY_ARN),
  CT_KEY("accountId", CT_F_ACCOUNT_ID),
  CT_KEY("accessKeyId", CT_F_ACCESS_KEY_ID),
  CT_KEY("sessionContext", CT_SUB_SESSION),
  { 0, 0, 0 }
};
static const CtKeyMap ctSessionKeys[] = {
  CT_KEY("sessionIssuer", CT_SUB_ISSUER),
  { 0, 0, 0 }
};
static const CtKeyMap ctIssuerKeys[] = {
  CT_KEY("arn", CT_F_ISSUER_ARN),
  CT_KEY("userName", CT_F_ISSUER_NAME),
  { 0, 0, 0 }
};
static const CtKeyMap ctResponseKeys[] = {
  CT_KEY("ConsoleLogin", CT_F_CONSOLE_LOGIN),
  { 0, 0, 0 }
};

/* The key map for a sub-object marker. */
static const CtKeyMap *ctSubMap(int iSub){
  switch( iSub ){
    case CT_SUB_IDENTITY: return ctIdentityKeys;
    case CT_SUB_RESPONSE: return ctResponseKeys;
    case CT_SUB_SESSION:  return ctSessionKeys;
    default:              return ctIssuerKeys;
  }
}

/*
** Walk the members of the validated object obj, filling pF from aMap.
** Each sub-object is entered once (the first occurrence of its key), so
** the first duplicate wins at every level.  Nesting is at most four deep.
*/
static void ctFieldsWalk(CtSpan obj, const CtKeyMap *aMap, CtFields *pF){
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
      if( val.z[0]=='{' ) ctFieldsWalk(val, ctSubMap(iField), pF);
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
  CtSpan key, val;
  size_t i = 0;
  unsigned seenSub = 0;
  memset(pF, 0, sizeof(*pF));
  while( ctNextTop(rec, pM, &i, &key, &val) ){
    int k = ctKeyFind(ctTopKeys, key), iField;
    if( k<0 ) continue;
    iField = ctTopKeys[k].iField;
    if( iField>=0 ){
      if( pF->a[iField].z==0 ) pF->a[iField] = val;
    }else if( bTopOnly ){
      continue;
    }else if( !(seenSub & (1u<<(-iField))) ){
      seenSub |= 1u<<(-iField);
      if( val.z[0]=='{' ) ctFieldsWalk(val, ctSubMap(iField), pF);
    }
  }
}

/* ECS paths per column, tried in order (Elastic's aws.cloudtrail
** mapping).  CT_F_ISSUER_NAME has none: the caller derives it from the
** issuer ARN, which is all Elastic keeps. */
static const char *const ctEcsPaths[CT_F_NCOLUMN][2] = {
  /* EVENT_TIME    */ { "@timestamp", 0 },
  /* EVENT_SOURCE  */ { "event.provider", 0 },
  /* EVENT_NAME    */ { "event.action", 0 },
  /* AWS_REGION    */ { "cloud.region", 0 },
  /* SOURCE_IP     */ { "source.ip", "source.address" },
  /* USER_AGENT    */ { "user_agent.original", 0 },
  /* IDENTITY_TYPE */ { "aws.cloudtrail.user_identity.type", 0 },
  /* PRINCIPAL_ID  */ { "user.id", 0 },
  /* IDENTITY_ARN  */ { "aws.cloudtrail.user_identity.arn", 0 },
  /* ACCOUNT_ID    */ { "cloud.account.id", 0 },
  /* ACCESS_KEY_ID */ { "aws.cloudtrail.user_identity.access_key_id", 0 },
  /* ISSUER_ARN    */
  { "aws.cloudtrail.user_identity.session_context.session_issuer.arn", 0 },
  /* ISSUER_NAME   */ { 0, 0 },
  /* ERROR_CODE    */ { "aws.cloudtrail.error_code", 0 },
  /* ERROR_MESSAGE */ { "aws.cloudtrail.error_message", 0 },
  /* OUTCOME       */ { "event.outcome", 0 },
  /* EVENT_ID      */ { "event.id", 0 },
  /* REQUEST_ID    */ { "aws.cloudtrail.request_id", 0 },
  /* EVENT_TYPE    */ { "aws.cloudtrail.event_type", 0 },
  /* READ_ONLY     */ { "aws.cloudtrail.read_only", 0 },
  /* RECIPIENT     */ { "aws.cloudtrail.recipient_account_id", 0 },
};

/* Fill pF from an Elastic document. */
void ctFieldsEcs(CtSpan rec, CtFields *pF){
  int i, k;
  memset(pF, 0, sizeof(*pF));
  for(i=0; i<CT_F_NCOLUMN; i++){
    for(k=0; k<2 && ctEcsPaths[i][k]; k++){
      CtSpan v = ct_json_lookup(rec, ctEcsPaths[i][k]);
      if( !ct_json_is_null(v) ){ pF->a[i] = v; break; }
    }
  }
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
    if( !pS->bEcs ) pS->bEcs = ctIsEcsKey(key);
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
