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
#include <string.h>
#include "ct_fields.h"

/* A key name and the field it fills. */
typedef struct CtKeyMap CtKeyMap;
struct CtKeyMap {
  const char *zKey;
  int iField;
};

/* Field numbers below 0 mark objects to descend into. */
#define CT_SUB_IDENTITY   (-1)
#define CT_SUB_RESPONSE   (-2)
#define CT_SUB_SESSION    (-3)
#define CT_SUB_ISSUER     (-4)

static const CtKeyMap ctTopKeys[] = {
  { "eventTime",          CT_F_EVENT_TIME },
  { "eventSource",        CT_F_EVENT_SOURCE },
  { "eventName",          CT_F_EVENT_NAME },
  { "awsRegion",          CT_F_AWS_REGION },
  { "sourceIPAddress",    CT_F_SOURCE_IP },
  { "userAgent",          CT_F_USER_AGENT },
  { "errorCode",          CT_F_ERROR_CODE },
  { "errorMessage",       CT_F_ERROR_MESSAGE },
  { "eventID",            CT_F_EVENT_ID },
  { "requestID",          CT_F_REQUEST_ID },
  { "eventType",          CT_F_EVENT_TYPE },
  { "readOnly",           CT_F_READ_ONLY },
  { "recipientAccountId", CT_F_RECIPIENT },
  { "userIdentity",       CT_SUB_IDENTITY },
  { "responseElements",   CT_SUB_RESPONSE },
  { 0, 0 }
};
static const CtKeyMap ctIdentityKeys[] = {
  { "type",           CT_F_IDENTITY_TYPE },
  { "principalId",    CT_F_PRINCIPAL_ID },
  { "arn",            CT_F_IDENTITY_ARN },
  { "accountId",      CT_F_ACCOUNT_ID },
  { "accessKeyId",    CT_F_ACCESS_KEY_ID },
  { "sessionContext", CT_SUB_SESSION },
  { 0, 0 }
};
static const CtKeyMap ctSessionKeys[] = {
  { "sessionIssuer", CT_SUB_ISSUER },
  { 0, 0 }
};
static const CtKeyMap ctIssuerKeys[] = {
  { "arn",      CT_F_ISSUER_ARN },
  { "userName", CT_F_ISSUER_NAME },
  { 0, 0 }
};
static const CtKeyMap ctResponseKeys[] = {
  { "ConsoleLogin", CT_F_CONSOLE_LOGIN },
  { 0, 0 }
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
    const CtKeyMap *m;
    for(m=aMap; m->zKey; m++){
      if( !ct_json_key_eq(key, m->zKey, strlen(m->zKey)) ) continue;
      if( m->iField>=0 ){
        if( pF->a[m->iField].z==0 ) pF->a[m->iField] = val;
      }else if( !(seenSub & (1u<<(-m->iField))) ){
        seenSub |= 1u<<(-m->iField);
        if( val.z[0]=='{' ) ctFieldsWalk(val, ctSubMap(m->iField), pF);
      }
      break;
    }
  }
}

/* Fill pF from a raw CloudTrail record. */
void ctFieldsRaw(CtSpan rec, CtFields *pF){
  memset(pF, 0, sizeof(*pF));
  ctFieldsWalk(rec, ctTopKeys, pF);
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

/* Note what one top-level key of a record says about its shape. */
static void ctShapeKey(CtShape *pS, CtSpan key, CtSpan val){
  static const char *const azRaw[] = {
    "eventVersion", "eventTime", "eventSource", "eventName", "eventID",
    "userIdentity", "awsRegion", "eventType"
  };
  static const char *const azEcsPrefix[] = {
    "@timestamp", "event", "ecs", "data_stream", "aws", "cloud", "user"
  };
  size_t k;
  if( ct_json_key_eq(key, "detail-type", 11) ){ pS->bDetailType = 1; return; }
  if( ct_json_key_eq(key, "detail", 6) && val.z[0]=='{' ){
    if( !pS->detail.z ) pS->detail = val;
    return;
  }
  if( ct_json_key_eq(key, "_source", 7) && val.z[0]=='{' ){
    if( !pS->source.z ) pS->source = val;
    return;
  }
  if( ct_json_key_eq(key, "CloudTrailEvent", 15) && val.z[0]=='"' ){
    if( !pS->ctEvent.z ) pS->ctEvent = val;
    return;
  }
  if( ct_json_key_eq(key, "digestStartTime", 15) ){ pS->bDigestStart = 1; return; }
  if( ct_json_key_eq(key, "logFiles", 8) ){ pS->bLogFiles = 1; return; }
  for(k=0; k<sizeof(azRaw)/sizeof(azRaw[0]); k++){
    if( ct_json_key_eq(key, azRaw[k], strlen(azRaw[k])) ){ pS->bRaw = 1; return; }
  }
  for(k=0; k<sizeof(azEcsPrefix)/sizeof(azEcsPrefix[0]); k++){
    size_t nP = strlen(azEcsPrefix[k]);
    if( key.n>=nP && memcmp(key.z, azEcsPrefix[k], nP)==0
     && (key.n==nP || key.z[nP]=='.') ){
      pS->bEcs = 1;
      return;
    }
  }
}

/*
** Decide what the validated object rec is: a CloudTrail record, an Elastic
** document, or a wrapper around one (CT_SHAPE_*).  *pS receives the spans of
** the wrapped objects.  One pass over the top-level keys.
*/
int ctRecordShape(CtSpan rec, CtShape *pS){
  CtSpan key, val;
  size_t i = 1;
  memset(pS, 0, sizeof(*pS));
  while( ct_json_next_member(rec.z, rec.n, &i, &key, &val) ){
    ctShapeKey(pS, key, val);
  }
  if( pS->bDetailType && pS->detail.z ) return CT_SHAPE_ENVELOPE;
  if( pS->source.z ) return CT_SHAPE_HIT;
  if( pS->ctEvent.z ) return CT_SHAPE_LOOKUP;
  if( pS->bDigestStart && pS->bLogFiles ) return CT_SHAPE_DIGEST;
  if( pS->bRaw ) return CT_SHAPE_RAW;
  if( pS->bEcs ) return CT_SHAPE_ECS;
  return CT_SHAPE_RAW;
}
