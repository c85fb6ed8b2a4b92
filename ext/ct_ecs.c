/*
** ct_ecs.c — cloudtrail_ecs(): the document Elastic's aws.cloudtrail ingest
** pipeline indexes for a raw CloudTrail record, and any one field of it.
**
**   SELECT cloudtrail_ecs(raw) FROM cloudtrail('fixtures/ecs') LIMIT 1;
**   SELECT cloudtrail_ecs(raw, 'user.name'),
**          cloudtrail_ecs(raw, 'event.category'),
**          cloudtrail_ecs(raw, 'user.id', 'pipeline=9.0.0')
**     FROM cloudtrail('fixtures/ecs');
**
** Every output field is one row of ctEcsFields[] (sorted by path, which is
** also the order of the nested document): how the pipeline derives it from
** the record and which pipeline generations write it.  One field is
** computed without building the document: the record's values are read in
** place (ct_jvalue.c) and only the answer is allocated.  docs/ecs.md is
** checked against cloudtrail_ecs_fields(), which lists the table.
*/
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "ct_ecs.h"
#include "ct_fields.h"
#include "ct_options.h"
#include "ct_time.h"
SQLITE_EXTENSION_INIT3

/* How a field is derived (CtEcsField.eHow). */
#define CT_EH_RENAME 0      /* the first kept of the '|'-separated raw paths */
#define CT_EH_CONST  1      /* the text zSrc */
#define CT_EH_DATE   2      /* the date at raw zSrc, as "…T…:…:….sssZ" */
#define CT_EH_STRING 3      /* Java's toString() of the raw zSrc */
#define CT_EH_FLAT   4      /* raw zSrc, if its toString() is short enough */
#define CT_EH_FN     5      /* computed by xFn; zSrc says how, for the docs */

typedef struct CtEcsField CtEcsField;
typedef void (*CtEcsFn)(CtEcsRec*, const CtEcsField*, CtEcsVal*);
struct CtEcsField {
  const char *zPath;        /* the ECS field */
  int mGen;                 /* CT_ECS_* generations that write it */
  int eHow;                 /* CT_EH_* */
  const char *zSrc;         /* raw path(s), constant, or description */
  CtEcsFn xFn;              /* CT_EH_FN: computes it */
  int iArg;                 /* argument of xFn */
  int (*xIf)(CtEcsRec*);    /* CT_EH_RENAME: written only if this says so */
  int nIgnoreAbove;         /* the mapping's ignore_above, 0 if none */
};

/* Elastic maps request_parameters and response_elements as keyword with
** ignore_above 8191: longer values are kept but not indexed (docs/ecs.md). */
#define CT_ECS_IGNORE_ABOVE 8191
/* The pipeline copies an object into aws.cloudtrail.flattened only while
** its toString() is shorter than this (Lucene's 32766-byte term limit). */
#define CT_ECS_FLAT_LIMIT 32766
/* ECS version the pipeline writes. */
#define CT_ECS_VERSION "8.11.0"
/* Prefixes of raw paths. */
#define UI "userIdentity."
#define SC "userIdentity.sessionContext."
/* Deepest nesting written as objects: our fields reach 6 levels; an Elastic
** document's deeper values are written as they are (ctLeavesOf()). */
#define CT_ECS_MAX_DEPTH 32

/* ---------------------------------------------------------------------
** Lists and values
*/

/* Add z[0..n) to pList: appended unless present (bSorted=0: the
** pipeline's append with allow_duplicates false), or inserted in Java
** String order unless present (bSorted=1: a TreeSet).  Empty text is
** never added (the last removal pass drops it). */
int ctEcsListAdd(CtEcsRec *p, CtEcsList *pList, const char *z, size_t n,
                 int bSorted){
  int k, iAt = pList->n;
  char *zCopy;
  if( n==0 ) return SQLITE_OK;
  for(k=0; k<pList->n; k++){
    int c = ctJvCompare16(pList->az[k], strlen(pList->az[k]), z, n);
    if( c==0 ) return SQLITE_OK;
    if( bSorted && c>0 && iAt==pList->n ) iAt = k;
  }
  if( pList->n>=pList->nAlloc ){
    int nNew = pList->nAlloc*2 + 8;
    char **azNew = sqlite3_realloc64(pList->az, sizeof(char*)*(sqlite3_uint64)nNew);
    if( azNew==0 ){ p->rc = SQLITE_NOMEM; return SQLITE_NOMEM; }
    pList->az = azNew;
    pList->nAlloc = nNew;
  }
  zCopy = sqlite3_malloc64(n+1);
  if( zCopy==0 ){ p->rc = SQLITE_NOMEM; return SQLITE_NOMEM; }
  memcpy(zCopy, z, n);
  zCopy[n] = 0;
  memmove(&pList->az[iAt+1], &pList->az[iAt], sizeof(char*)*(size_t)(pList->n-iAt));
  pList->az[iAt] = zCopy;
  pList->n++;
  return SQLITE_OK;
}

/* Add a record value: a string decoded, anything else as Java prints it
** (a mustache template renders a value so). */
int ctEcsListAddSpan(CtEcsRec *p, CtEcsList *pList, CtSpan v, int bSorted){
  sqlite3_str *pStr;
  CtJv jv;
  int rc;
  if( v.z==0 ) return SQLITE_OK;
  if( v.z[0]=='"' && memchr(v.z, '\\', v.n)==0 ){
    return ctEcsListAdd(p, pList, v.z+1, v.n-2, bSorted);
  }
  pStr = sqlite3_str_new(0);
  ctJvInit(&jv, pStr);
  ctJvToString(&jv, v);
  ctJvFree(&jv);
  rc = jv.rc ? jv.rc : sqlite3_str_errcode(pStr);
  if( rc==SQLITE_OK ){
    rc = ctEcsListAdd(p, pList, sqlite3_str_value(pStr),
                      (size_t)sqlite3_str_length(pStr), bSorted);
  }
  sqlite3_free(sqlite3_str_finish(pStr));
  if( rc ) p->rc = rc;
  return rc;
}

void ctEcsListClear(CtEcsList *pList){
  int k;
  for(k=0; k<pList->n; k++) sqlite3_free(pList->az[k]);
  sqlite3_free(pList->az);
  memset(pList, 0, sizeof(*pList));
}

/* The value at raw path zPath, or absent if the pipeline's first removal
** pass drops it (null, "", "-", "none", empty objects and arrays). */
CtSpan ctEcsRaw(const CtEcsRec *p, const char *zPath){
  const char *zDot = strchr(zPath, '.');
  size_t nSeg = zDot ? (size_t)(zDot-zPath) : strlen(zPath);
  CtSpan v = {0, 0};
  int k;
  if( p->top.bOverflow ){
    v = ctJvGet(p->rec, zPath);
  }else{
    /* the first key from the table of top-level members: no rescan */
    for(k=0; k<p->top.n; k++){
      const CtMember *m = &p->top.a[k];
      CtSpan key = { p->rec.z + m->iKey, m->nKey };
      if( ct_json_key_eq(key, zPath, nSeg) ){
        v.z = p->rec.z + m->iVal;
        v.n = m->nVal;
        break;
      }
    }
    if( v.z && zDot ) v = ctJvGet(v, zDot+1);
  }
  if( !ctJvKept(v) ){ v.z = 0; v.n = 0; }
  return v;
}

/* The top-level members of the object obj, into *pM (one scan). */
void ctEcsMembers(CtSpan obj, CtMembers *pM){
  CtSpan key, val;
  size_t i = 1;
  pM->n = 0;
  pM->bOverflow = 0;
  while( ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
    ct_members_add(pM, (size_t)(key.z-obj.z), key.n, (size_t)(val.z-obj.z), val.n);
  }
}

int ctEcsIsString(CtSpan v){
  return v.z!=0 && v.z[0]=='"';
}

static void ctEcsValClear(CtEcsVal *pV){
  sqlite3_free(pV->zFree);
  memset(pV, 0, sizeof(*pV));
}

static void ctEvRaw(CtEcsVal *pV, CtSpan v){
  if( v.z==0 ) return;
  pV->eKind = CT_EV_RAW;
  pV->raw = v;
}

static void ctEvText(CtEcsVal *pV, const char *z, size_t n){
  if( n==0 ) return;           /* the last removal pass drops "" */
  pV->eKind = CT_EV_TEXT;
  pV->z = z;
  pV->n = n;
}

/* Take ownership of the sqlite3_malloc()ed text z[0..n). */
static void ctEvOwned(CtEcsRec *p, CtEcsVal *pV, char *z, size_t n){
  if( z==0 ){ p->rc = SQLITE_NOMEM; return; }
  pV->zFree = z;
  ctEvText(pV, z, n);
}

static void ctEvList(CtEcsVal *pV, const CtEcsList *pList){
  if( pList->n==0 ) return;
  pV->eKind = CT_EV_LIST;
  pV->pList = pList;
}

/* The JSON text built in pOut becomes *pV (kind CT_EV_JSON), unless it
** is at most nEmpty bytes long ("{}": nothing in it); pOut is finished.
** A failed build sets p->rc. */
static void ctEvBuilt(CtEcsRec *p, CtEcsVal *pV, sqlite3_str *pOut, int nEmpty){
  int n = sqlite3_str_length(pOut);
  if( sqlite3_str_errcode(pOut) ) p->rc = SQLITE_NOMEM;
  if( p->rc || n<=nEmpty ){ sqlite3_free(sqlite3_str_finish(pOut)); return; }
  ctEvOwned(p, pV, sqlite3_str_finish(pOut), (size_t)n);
  if( pV->eKind ) pV->eKind = CT_EV_JSON;
}

/* The text built in pOut becomes the SQL result, or with rc (an earlier
** failure) or a failed build SQLITE_NOMEM; pOut is finished. */
static void ctEcsResultStr(sqlite3_context *ctx, sqlite3_str *pOut, int rc){
  int n = sqlite3_str_length(pOut);
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pOut);
  if( rc ){
    sqlite3_free(sqlite3_str_finish(pOut));
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, sqlite3_str_finish(pOut), n, sqlite3_free);
}

/* Java's toString() of a record value, as a new string; zSkip, if not 0,
** a key of the object v left out (one the pipeline moved away). */
static char *ctEcsToStringSkip(CtEcsRec *p, CtSpan v, const char *zSkip, size_t *pn){
  sqlite3_str *pStr = sqlite3_str_new(0);
  char *z;
  CtJv jv;
  ctJvInit(&jv, pStr);
  jv.zSkip = zSkip;
  ctJvToString(&jv, v);
  ctJvFree(&jv);
  if( jv.rc ) sqlite3_str_reset(pStr);
  *pn = (size_t)sqlite3_str_length(pStr);
  if( jv.rc || sqlite3_str_errcode(pStr) ){
    sqlite3_free(sqlite3_str_finish(pStr));
    p->rc = SQLITE_NOMEM;
    return 0;
  }
  z = sqlite3_str_finish(pStr);
  if( z==0 ){
    z = sqlite3_malloc64(1);
    if( z ) z[0] = 0;
  }
  if( z==0 ) p->rc = SQLITE_NOMEM;
  return z;
}
static char *ctEcsToString(CtEcsRec *p, CtSpan v, size_t *pn){
  return ctEcsToStringSkip(p, v, 0, pn);
}

/* True if the string value v ends with the text zEnd. */
static int ctEcsEndsWith(CtSpan v, const char *zEnd){
  size_t n = strlen(zEnd);
  return ctEcsIsString(v) && v.n>=n+2 && memcmp(v.z+v.n-1-n, zEnd, n)==0;
}

/* True if the string value v contains the text zPart (escapes kept). */
static int ctEcsContains(CtSpan v, const char *zPart){
  size_t n = strlen(zPart), k;
  if( !ctEcsIsString(v) ) return 0;
  for(k=1; k+n<v.n; k++){
    if( memcmp(v.z+k, zPart, n)==0 ) return 1;
  }
  return 0;
}

/* ---------------------------------------------------------------------
** Derived values shared by several fields
*/

/* The identity type, a string span or absent. */
static CtSpan ctEcsType(CtEcsRec *p){
  return ctEcsRaw(p, "userIdentity.type");
}
static int ctEcsTypeIs(CtEcsRec *p, const char *zType){
  return ctJvStringIs(ctEcsType(p), zType);
}

/*
** The previous generation's AWS-service caller (script_aws_service_actor):
** for type AWSService, invokedBy; for an AssumedRole session of a
** service-linked role (":role/aws-service-role/<service>/…"), invokedBy or
** else the service in the role's path.  Sets *pV; returns 1 if there is
** one.  Never in 9.0.0.
*/
static int ctEcsServiceActor(CtEcsRec *p, CtEcsVal *pV){
  static const char zMarker[] = ":role/aws-service-role/";
  CtSpan invoked, arn;
  memset(pV, 0, sizeof(*pV));
  if( p->pConf->eGen!=CT_ECS_PREVIOUS || ctEcsRaw(p, "userIdentity").z==0 ) return 0;
  invoked = ctEcsRaw(p, "userIdentity.invokedBy");
  if( ctEcsTypeIs(p, "AWSService") ){
    ctEvRaw(pV, invoked);
  }else if( ctEcsTypeIs(p, "AssumedRole") ){
    char *zArn, *zAt, *zSlash;
    size_t n;
    arn = ctEcsRaw(p, "userIdentity.sessionContext.sessionIssuer.arn");
    if( !ctEcsIsString(arn) ) return 0;
    zArn = ctJvDecode(arn, &n);
    if( zArn==0 ){ p->rc = SQLITE_NOMEM; return 0; }
    zAt = strstr(zArn, zMarker);
    if( zAt==0 ){ sqlite3_free(zArn); return 0; }
    if( invoked.z ){
      sqlite3_free(zArn);
      ctEvRaw(pV, invoked);
    }else{
      zAt += sizeof(zMarker)-1;
      zSlash = strchr(zAt, '/');
      if( zSlash==0 || zSlash==zAt ){ sqlite3_free(zArn); return 0; }
      memmove(zArn, zAt, (size_t)(zSlash-zAt));
      ctEvOwned(p, pV, zArn, (size_t)(zSlash-zAt));
    }
  }
  return pV->eKind!=CT_EV_NONE;
}

static int ctEcsNoServiceActor(CtEcsRec *p){
  CtEcsVal v;
  int b = ctEcsServiceActor(p, &v);
  ctEcsValClear(&v);
  return !b;
}

/*
** The session name of a role, federated or Identity Center session: what
** follows the last '/' of an STS ARN ("arn:<partition>:sts:…/<name>"),
** into *pz (owned) and *pn.  Returns 1 if there is one, 0 if the identity
** has none, -1 if the ARN does not fit the pipeline's grok pattern (which
** then fails: error.message).
*/
static int ctEcsSessionName(CtEcsRec *p, char **pz, size_t *pn){
  CtSpan arn = ctEcsRaw(p, "userIdentity.arn");
  char *z;
  size_t n, k, iSlash;
  *pz = 0;
  *pn = 0;
  if( !(ctEcsTypeIs(p, "AssumedRole") || ctEcsTypeIs(p, "FederatedUser")
     || ctEcsTypeIs(p, "IdentityCenterUser")) ) return 0;
  if( !ctEcsContains(arn, ":sts:") || !ctEcsContains(arn, "/") ) return 0;
  z = ctJvDecode(arn, &n);
  if( z==0 ){ p->rc = SQLITE_NOMEM; return 0; }
  /* ^arn:[a-z0-9-]+:sts:.*\/(.*)$ — and '.' matches no line break */
  for(k=4; k<n && ((z[k]>='a' && z[k]<='z') || (z[k]>='0' && z[k]<='9') || z[k]=='-'); k++){}
  /* iSlash: just after the last '/' of z[0..n), 0 if none (not strrchr():
  ** z may hold a NUL, \u0000) */
  for(iSlash=n; iSlash>0 && z[iSlash-1]!='/'; iSlash--){}
  if( strncmp(z, "arn:", 4)!=0 || k==4 || strncmp(z+k, ":sts:", 5)!=0
   || iSlash<k+6 || memchr(z, '\n', n) ){
    sqlite3_free(z);
    return -1;
  }
  n -= iSlash;
  memmove(z, z+iSlash, n+1);
  *pz = z;
  *pn = n;
  return 1;
}

/* user.name: userIdentity.userName, overridden by the session issuer's
** for AssumedRole and FederatedUser; additionalEventData.UserName for a
** UserAuthentication event with neither.  Not for AWS-service callers in
** the previous generation. */
static CtSpan ctEcsUserNameOfIdentity(CtEcsRec *p){
  CtSpan v = {0, 0};
  if( ctEcsNoServiceActor(p) ){
    v = ctEcsRaw(p, "userIdentity.userName");
    if( ctEcsTypeIs(p, "AssumedRole") || ctEcsTypeIs(p, "FederatedUser") ){
      CtSpan issuer = ctEcsRaw(p, "userIdentity.sessionContext.sessionIssuer.userName");
      if( issuer.z ) v = issuer;
    }
  }
  return v;
}

/* True if the pipeline moves additionalEventData.UserName to user.name:
** a UserAuthentication event whose identity gave no user name.  The key
** then no longer is in additionalEventData's text or flattened forms. */
static int ctEcsUserNameMoved(CtEcsRec *p){
  return ctJvStringIs(ctEcsRaw(p, "eventName"), "UserAuthentication")
      && ctEcsUserNameOfIdentity(p).z==0
      && ctEcsRaw(p, "additionalEventData.UserName").z!=0;
}

static CtSpan ctEcsUserName(CtEcsRec *p){
  CtSpan v = ctEcsUserNameOfIdentity(p);
  if( v.z==0 && ctEcsUserNameMoved(p) ) v = ctEcsRaw(p, "additionalEventData.UserName");
  return v;
}

/* user.id: previous, the principal id (not for AWS-service callers);
** 9.0.0, the IAM user's or root's ARN, the assumed role's ARN, else the
** principal id; both fall back to onBehalfOf.userId for Identity Center. */
static CtSpan ctEcsUserId(CtEcsRec *p){
  CtSpan v = {0, 0};
  if( ctEcsNoServiceActor(p) ) v = ctEcsRaw(p, "userIdentity.principalId");
  if( v.z==0 && ctEcsTypeIs(p, "IdentityCenterUser") ){
    v = ctEcsRaw(p, "userIdentity.onBehalfOf.userId");
  }
  if( p->pConf->eGen==CT_ECS_900 ){
    CtSpan arn = {0, 0};
    if( ctEcsTypeIs(p, "IAMUser") || ctEcsTypeIs(p, "Root") ){
      arn = ctEcsRaw(p, "userIdentity.arn");
    }else if( ctEcsTypeIs(p, "AssumedRole") ){
      arn = ctEcsRaw(p, "userIdentity.sessionContext.sessionIssuer.arn");
    }
    if( arn.z ) v = arn;
  }
  return v;
}

/* True if the string value v is an IP address (Elasticsearch's convert
** to type ip); its text goes to zOut[nOut]. */
static int ctEcsIsIp(CtSpan v, char *zOut, size_t nOut){
  unsigned char aBin[16];
  size_t n;
  if( !ctEcsIsString(v) || v.n-2>=nOut || memchr(v.z, '\\', v.n) ) return 0;
  n = v.n-2;
  memcpy(zOut, v.z+1, n);
  zOut[n] = 0;
  return inet_pton(AF_INET, zOut, aBin)==1 || inet_pton(AF_INET6, zOut, aBin)==1;
}
/* Room for the longest IPv6 text (with an embedded IPv4 address). */
#define CT_ECS_IP_MAX 64

/* The record's source.ip, into zIp; 0 if sourceIPAddress is no address. */
static int ctEcsSourceIp(CtEcsRec *p, char *zIp){
  return ctEcsIsIp(ctEcsRaw(p, "sourceIPAddress"), zIp, CT_ECS_IP_MAX);
}

/* True unless the record's tlsDetails is the placeholder the pipeline
** drops (tlsVersion "tlsVersion"). */
static int ctEcsTlsKept(CtEcsRec *p){
  return !ctJvStringIs(ctEcsRaw(p, "tlsDetails.tlsVersion"), "tlsVersion");
}

/* ---------------------------------------------------------------------
** The fields that are computed
*/

/* Date text of the raw value v into pV: "YYYY-MM-DDTHH:MM:SS.sssZ".
** Returns 0 if v is present but not a time (the date processor fails). */
static int ctEcsDate(CtEcsRec *p, CtSpan v, CtEcsVal *pV){
  char zOut[64];
  CtInstant t;
  char *z;
  size_t n;
  if( v.z==0 ) return 1;
  if( !ctEcsIsString(v) ) return 0;
  z = ctJvDecode(v, &n);
  if( z==0 ){ p->rc = SQLITE_NOMEM; return 1; }
  if( !ctTimeParse(z, (int)n, &t, 0) || !ctInstantFormat(&t, 3, zOut, sizeof(zOut)) ){
    sqlite3_free(z);
    return 0;
  }
  sqlite3_free(z);
  ctEvOwned(p, pV, sqlite3_mprintf("%s", zOut), strlen(zOut));
  return 1;
}

/* @timestamp: eventTime, or for a digest file digestEndTime. */
static void ctFnTimestamp(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  CtEcsVal end;
  (void)f;
  memset(&end, 0, sizeof(end));
  ctEcsDate(p, ctEcsRaw(p, "digestEndTime"), &end);
  if( end.eKind ){ *pV = end; return; }
  ctEcsDate(p, ctEcsRaw(p, "eventTime"), pV);
}

/* cloud.service.name: eventSource before ".amazonaws.com". */
static void ctFnServiceName(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  CtSpan src = ctEcsRaw(p, "eventSource");
  char *z;
  size_t n, k;
  (void)f;
  if( !ctEcsEndsWith(src, ".amazonaws.com") ) return;
  z = ctJvDecode(src, &n);
  if( z==0 ){ p->rc = SQLITE_NOMEM; return; }
  /* The first ".amazonaws.com" in z[0..n), which ends with one; not
  ** strstr(): the text may hold a NUL (\u0000). */
  for(k=0; k+14<n && memcmp(z+k, ".amazonaws.com", 14)!=0; k++){}
  ctEvOwned(p, pV, z, n>=14 ? k : 0);
}

/* event.action: the text of eventName. */
static void ctFnAction(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  CtSpan v = ctEcsRaw(p, "eventName");
  size_t n;
  (void)f;
  if( v.z==0 ) return;
  if( ctEcsIsString(v) ){ ctEvRaw(pV, v); return; }
  { char *zText = ctEcsToString(p, v, &n); ctEvOwned(p, pV, zText, n); }
}

/* The pipeline's categorization of event names (script_add_ecs_categorization),
** sorted by name for bsearch(). */
typedef struct CtEcsCategory CtEcsCategory;
struct CtEcsCategory {
  const char *zName, *zCategory, *zType1, *zType2;
};
static const CtEcsCategory ctEcsCategories[] = {
  { "AddUserToGroup", "iam", "group", "change" },
  { "AssumeRole", "authentication", "info", 0 },
  { "AttachGroupPolicy", "iam", "group", "change" },
  { "AttachRolePolicy", "iam", "change", 0 },
  { "AttachUserPolicy", "iam", "user", "change" },
  { "AuthorizeSecurityGroupIngress", "network", "access", 0 },
  { "ChangePassword", "iam", "user", "change" },
  { "ConsoleLogin", "authentication", "info", 0 },
  { "Converse", "api", "info", 0 },
  { "CreateAccessKey", "iam", "user", "change" },
  { "CreateBucket", "file", "creation", 0 },
  { "CreateControlChannel", "session", "start", 0 },
  { "CreateDataChannel", "session", "start", 0 },
  { "CreateDocument", "file", "creation", 0 },
  { "CreateGroup", "iam", "group", "creation" },
  { "CreateKeyPair", "iam", "admin", "creation" },
  { "CreatePolicy", "iam", "creation", 0 },
  { "CreateTopic", "configuration", "creation", 0 },
  { "CreateUser", "iam", "user", "creation" },
  { "CreateVirtualMFADevice", "iam", "user", "change" },
  { "DeactivateMFADevice", "iam", "user", "change" },
  { "DeleteAccessKey", "iam", "user", "change" },
  { "DeleteBucket", "file", "deletion", 0 },
  { "DeleteGroup", "iam", "group", "deletion" },
  { "DeleteGroupPolicy", "iam", "group", "change" },
  { "DeleteObject", "file", "deletion", 0 },
  { "DeleteSSHPublicKey", "iam", "user", "change" },
  { "DeleteTrail", "configuration", "deletion", 0 },
  { "DeleteUser", "iam", "user", "deletion" },
  { "DeleteUserPermissionsBoundary", "iam", "user", "change" },
  { "DeleteUserPolicy", "iam", "user", "change" },
  { "DeleteVirtualMFADevice", "iam", "user", "change" },
  { "DescribeDBInstances", "database", "info", 0 },
  { "DescribeInstances", "host", "info", 0 },
  { "DescribeLoadBalancers", "network", "info", 0 },
  { "DescribeNetworkAcls", "network", "info", 0 },
  { "DescribeNetworkInterfaces", "network", "info", 0 },
  { "DescribeRegions", "api", "info", 0 },
  { "DescribeSecurityGroups", "network", "info", 0 },
  { "DescribeTrails", "configuration", "info", 0 },
  { "DescribeVolumes", "host", "info", 0 },
  { "DescribeVpcs", "network", "info", 0 },
  { "DetachGroupPolicy", "iam", "group", "change" },
  { "DetachUserPolicy", "iam", "user", "change" },
  { "EnableMFADevice", "iam", "user", "change" },
  { "GetCallerIdentity", "authentication", "info", 0 },
  { "GetGroup", "iam", "group", "info" },
  { "GetGroupPolicy", "iam", "group", "info" },
  { "GetObject", "file", "info", 0 },
  { "GetPolicy", "iam", "info", 0 },
  { "GetUser", "iam", "user", "info" },
  { "GetUserPolicy", "iam", "user", "info" },
  { "HeadObject", "file", "info", 0 },
  { "ListAttachedGroupPolicies", "iam", "group", "info" },
  { "ListAttachedRolePolicies", "iam", "info", 0 },
  { "ListAttachedUserPolicies", "iam", "user", "info" },
  { "ListBuckets", "file", "info", 0 },
  { "ListFunctions", "package", "info", 0 },
  { "ListGroupPolicies", "iam", "group", "info" },
  { "ListGroups", "iam", "group", "info" },
  { "ListGroupsForUser", "iam", "user", "info" },
  { "ListInstanceAssociations", "host", "info", 0 },
  { "ListObjects", "file", "info", 0 },
  { "ListRoles", "iam", "info", 0 },
  { "ListTables", "database", "info", 0 },
  { "ListUserPolicies", "iam", "user", "info" },
  { "ListUserTags", "iam", "user", "info" },
  { "ListUsers", "iam", "user", "info" },
  { "OpenControlChannel", "session", "start", 0 },
  { "OpenDataChannel", "session", "start", 0 },
  { "Publish", "api", "info", 0 },
  { "PutGroupPolicy", "iam", "group", "change" },
  { "PutObject", "file", "change", 0 },
  { "PutUserPermissionsBoundary", "iam", "user", "change" },
  { "PutUserPolicy", "iam", "user", "change" },
  { "RemoveUserFromGroup", "iam", "group", "change" },
  { "SendCommand", "process", "start", 0 },
  { "SetDefaultPolicyVersion", "iam", "admin", "change" },
  { "SetSecurityTokenServicePreferences", "iam", "admin", "change" },
  { "StartSession", "session", "start", 0 },
  { "Subscribe", "configuration", "change", 0 },
  { "TagUser", "iam", "user", "change" },
  { "TerminateSession", "session", "end", 0 },
  { "UntagUser", "iam", "user", "change" },
  { "UpdateAccessKey", "iam", "user", "change" },
  { "UpdateAccountPasswordPolicy", "iam", "admin", "change" },
  { "UpdateGroup", "iam", "group", "change" },
  { "UpdateLoginProfile", "iam", "user", "change" },
  { "UpdateRole", "iam", "admin", "change" },
  { "UpdateSSHPublicKey", "iam", "user", "change" },
  { "UpdateUser", "iam", "user", "change" },
};

static int ctEcsCmpCategory(const void *pKey, const void *pElem){
  return strcmp((const char*)pKey, ((const CtEcsCategory*)pElem)->zName);
}

/* The categorization row of the record's event name, or 0. */
static const CtEcsCategory *ctEcsCategory(CtEcsRec *p){
  CtSpan v = ctEcsRaw(p, "eventName");
  char aName[64];
  if( !ctEcsIsString(v) || v.n-2>=sizeof(aName) || memchr(v.z, '\\', v.n) ) return 0;
  memcpy(aName, v.z+1, v.n-2);
  aName[v.n-2] = 0;
  return bsearch(aName, ctEcsCategories,
                 sizeof(ctEcsCategories)/sizeof(ctEcsCategories[0]),
                 sizeof(ctEcsCategories[0]), ctEcsCmpCategory);
}

/* event.category (iArg 0) and event.type (iArg 1). */
static void ctFnCategory(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  const CtEcsCategory *c = ctEcsCategory(p);
  const char *zJson;
  if( f->iArg==0 ){
    if( c==0 ) return;
    zJson = sqlite3_mprintf("[\"%s\"]", c->zCategory);
  }else if( c==0 ){
    zJson = sqlite3_mprintf("[\"info\"]");
  }else if( c->zType2 ){
    zJson = sqlite3_mprintf("[\"%s\",\"%s\"]", c->zType1, c->zType2);
  }else{
    zJson = sqlite3_mprintf("[\"%s\"]", c->zType1);
  }
  ctEvOwned(p, pV, (char*)zJson, zJson ? strlen(zJson) : 0);
  if( zJson ) pV->eKind = CT_EV_JSON;
}

/* Add a message to error.message. */
static void ctEcsError(CtEcsRec *p, const char *zMsg){
  ctEcsListAdd(p, &p->aErr, zMsg, strlen(zMsg), 0);
}

/* error.message, in pipeline order: the processors that can fail on a
** record's values (docs/ecs.md; the texts are ours, not Elasticsearch's).
** Returns how many. */
static int ctEcsErrors(CtEcsRec *p){
  CtEcsVal v;
  char *z;
  size_t n;
  int r;
  if( p->bErrors ) return p->aErr.n;
  p->bErrors = 1;
  if( p->bFailed ) return p->aErr.n;     /* set by ctEcsRecInit() */
  memset(&v, 0, sizeof(v));
  if( !ctEcsDate(p, ctEcsRaw(p, "eventTime"), &v) ){
    ctEcsError(p, "cloudtrail: date processor (@timestamp): eventTime is not "
                  "an ISO 8601 time");
  }
  ctEcsValClear(&v);
  if( ctEcsEntityCheck(p)==1 ){
    ctEcsError(p, "cloudtrail: script processor (related.entity): a value it "
                  "adds is not text");
  }
  if( !ctEcsDate(p, ctEcsRaw(p, SC "attributes.creationDate"), &v) ){
    ctEcsError(p, "cloudtrail: date processor (aws.cloudtrail.user_identity."
                  "session_context.creation_date): creationDate is not an ISO "
                  "8601 time");
  }
  ctEcsValClear(&v);
  r = ctEcsSessionName(p, &z, &n);
  sqlite3_free(z);
  if( r<0 ){
    ctEcsError(p, "cloudtrail: grok processor (session name): userIdentity.arn "
                  "does not match ^arn:[a-z0-9-]+:sts:.*/");
  }
  return p->aErr.n;
}

static void ctFnErrors(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  (void)f;
  ctEcsErrors(p);
  ctEvList(pV, &p->aErr);
}

/* event.kind: "event", or "pipeline_error" when error.message is set. */
static void ctFnKind(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  (void)f;
  if( ctEcsErrors(p) ) ctEvText(pV, "pipeline_error", 14);
  else ctEvText(pV, "event", 5);
}

static void ctFnOriginal(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  (void)f;
  ctEvText(pV, p->original.z, p->original.n);
}

/* event.outcome: "failure" with an error code or message, else
** "success"; a ConsoleLogin's responseElements.ConsoleLogin, lower-cased. */
static void ctFnOutcome(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  CtSpan login = ctEcsRaw(p, "responseElements.ConsoleLogin");
  (void)f;
  if( ctJvStringIs(ctEcsRaw(p, "eventName"), "ConsoleLogin") && ctEcsIsString(login) ){
    size_t n, k;
    char *z = ctJvDecode(login, &n);
    if( z ) for(k=0; k<n; k++) if( z[k]>='A' && z[k]<='Z' ) z[k] += 'a'-'A';
    ctEvOwned(p, pV, z, n);
    return;
  }
  if( ctEcsRaw(p, "errorCode").z || ctEcsRaw(p, "errorMessage").z ){
    ctEvText(pV, "failure", 7);
  }else{
    ctEvText(pV, "success", 7);
  }
}

static void ctFnUserName(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  (void)f;
  ctEvRaw(pV, ctEcsUserName(p));
}

static void ctFnUserId(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  (void)f;
  ctEvRaw(pV, ctEcsUserId(p));
}

/* service.name: the previous generation's AWS-service caller. */
static void ctFnServiceActor(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  (void)f;
  ctEcsServiceActor(p, pV);
}

/* user.email: an e-mail session name, else a user.name holding '@' after
** its first character. */
static void ctFnEmail(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  char *z;
  size_t n;
  CtSpan name;
  (void)f;
  if( ctEcsSessionName(p, &z, &n)>0 && memchr(z, '@', n) ){
    ctEvOwned(p, pV, z, n);
    return;
  }
  sqlite3_free(z);
  name = ctEcsUserName(p);
  if( ctEcsIsString(name) ){
    const char *zAt = memchr(name.z+1, '@', name.n-2);
    if( zAt && zAt>name.z+1 ) ctEvRaw(pV, name);
  }
}

/* related.user, in the pipeline's order of appends. */
static void ctFnRelatedUser(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  static const char *const azRaw[] = {
    "requestParameters.userName", "requestParameters.newUserName",
    "responseElements.user.userId", 0
  };
  char *z;
  size_t n;
  int k;
  (void)f;
  ctEcsListClear(&p->scratch);
  if( ctEcsSessionName(p, &z, &n)>0 ){
    const char *zAt = memchr(z, '@', n);
    ctEcsListAdd(p, &p->scratch, z, n, 0);
    if( zAt ) ctEcsListAdd(p, &p->scratch, z, (size_t)(zAt-z), 0);
  }
  sqlite3_free(z);
  for(k=0; azRaw[k]; k++) ctEcsListAddSpan(p, &p->scratch, ctEcsRaw(p, azRaw[k]), 0);
  if( p->pConf->eGen==CT_ECS_900 ){
    ctEcsListAddSpan(p, &p->scratch, ctEcsRaw(p, "userIdentity.principalId"), 0);
  }
  ctEcsListAddSpan(p, &p->scratch, ctEcsUserId(p), 0);
  ctEcsListAddSpan(p, &p->scratch, ctEcsUserName(p), 0);
  ctEcsListAddSpan(p, &p->scratch, ctEcsRaw(p, "requestParameters.newUserName"), 0);
  ctEcsListAddSpan(p, &p->scratch, ctEcsRaw(p, "userIdentity.onBehalfOf.userId"), 0);
  ctEvList(pV, &p->scratch);
}

/* related.ip: source.ip, and serviceEventDetails.sourceIpAddress if it is
** an address. */
static void ctFnRelatedIp(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  char zIp[CT_ECS_IP_MAX];
  (void)f;
  ctEcsListClear(&p->scratch);
  if( ctEcsSourceIp(p, zIp) ) ctEcsListAdd(p, &p->scratch, zIp, strlen(zIp), 0);
  if( ctEcsIsIp(ctEcsRaw(p, "serviceEventDetails.sourceIpAddress"), zIp, sizeof(zIp)) ){
    ctEcsListAdd(p, &p->scratch, zIp, strlen(zIp), 0);
  }
  ctEvList(pV, &p->scratch);
}

static void ctFnSourceIp(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  char zIp[CT_ECS_IP_MAX];
  (void)f;
  if( ctEcsSourceIp(p, zIp) ) ctEvRaw(pV, ctEcsRaw(p, "sourceIPAddress"));
}

/*
** aws.cloudtrail.resources as the pipeline's dedupe script leaves it: the
** objects of the resources list, ARN renamed arn and accountId account_id,
** one per arn_account_type key, in the order of the HashMap that keyed
** them (a later duplicate replaces the value, keeps the place).  Pushes
** them on p->jv's stack (val: the resource); *pn their count.  Returns the
** index of the first, or -1 when resources is not a list (or NOMEM).
*/
/* The kept value at zPath inside the object obj. */
static CtSpan ctEcsKeptAt(CtSpan obj, const char *zPath){
  CtSpan v = ctJvGet(obj, zPath);
  if( !ctJvKept(v) ){ v.z = 0; v.n = 0; }
  return v;
}

static int ctEcsResources(CtEcsRec *p, int *pn){
  CtSpan list = ctEcsRaw(p, "resources"), item;
  size_t i = 1;
  int i0 = p->jv.nUsed, n = 0, k;
  *pn = 0;
  if( list.z==0 || list.z[0]!='[' ) return -1;
  ctEcsListClear(&p->keys);
  while( ct_json_next_element(list.z, list.n, &i, &item) ){
    static const char *const azPart[3][2] = {
      { "ARN", "arn" }, { "accountId", "account_id" }, { "type", 0 }
    };
    sqlite3_str *pKey;
    int j, rcKey = SQLITE_OK;
    if( !ctJvKept(item) || item.z[0]!='{' ) continue;
    pKey = sqlite3_str_new(0);
    for(j=0; j<3; j++){
      CtSpan v = ctEcsKeptAt(item, azPart[j][0]);
      if( v.z==0 && azPart[j][1] ) v = ctEcsKeptAt(item, azPart[j][1]);
      if( j ) sqlite3_str_appendchar(pKey, 1, '_');
      if( v.z ){
        CtJv jv;
        ctJvInit(&jv, pKey);
        ctJvToString(&jv, v);
        ctJvFree(&jv);
        if( jv.rc ) rcKey = jv.rc;
      }
    }
    if( rcKey || sqlite3_str_errcode(pKey) ){
      sqlite3_free(sqlite3_str_finish(pKey));
      p->rc = SQLITE_NOMEM;
      break;
    }
    /* The test ctEcsListAdd() makes (not strcmp(): keys may differ only
    ** after a NUL or in invalid UTF-8), so that a new key is always added
    ** and p->keys.az[n] below is this key. */
    for(k=0; k<p->keys.n; k++){
      if( ctJvCompare16(p->keys.az[k], strlen(p->keys.az[k]), sqlite3_str_value(pKey),
                        (size_t)sqlite3_str_length(pKey))==0 ) break;
    }
    if( k<p->keys.n ){
      p->jv.a[i0+k].val = item;          /* same key: the later value */
    }else if( ctJvReserve(&p->jv, 1)==SQLITE_OK
           && ctEcsListAdd(p, &p->keys, sqlite3_str_value(pKey),
                              (size_t)sqlite3_str_length(pKey), 0)==SQLITE_OK ){
      CtJvMember *m = &p->jv.a[p->jv.nUsed++];
      const char *zK = p->keys.az[n];
      memset(m, 0, sizeof(*m));
      m->val = item;
      m->h = ctJvHash16(zK, strlen(zK));
      m->iIns = n++;
    }else if( p->rc==SQLITE_OK ){
      p->rc = SQLITE_NOMEM;
    }
    sqlite3_free(sqlite3_str_finish(pKey));
    if( p->rc ) break;
  }
  if( p->rc || ctJvSortHashMap(p->jv.a+i0, n) ){
    p->rc = SQLITE_NOMEM;
    p->jv.nUsed = i0;
    return -1;
  }
  *pn = n;
  return i0;
}

/* Write one resource object: keys as the dedupe script renames them. */
static void ctEcsResourceJson(CtEcsRec *p, sqlite3_str *pOut, CtSpan obj){
  CtSpan key, val;
  size_t i = 1;
  int bFirst = 1, bARN = ctEcsKeptAt(obj, "ARN").z!=0;
  int bAcct = ctEcsKeptAt(obj, "accountId").z!=0;
  CtJv jv;
  ctJvInit(&jv, pOut);
  sqlite3_str_appendchar(pOut, 1, '{');
  while( ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
    const char *zName = 0;
    if( !ctJvKept(val) ) continue;
    if( ct_json_key_eq(key, "ARN", 3) ) zName = "arn";
    else if( ct_json_key_eq(key, "accountId", 9) ) zName = "account_id";
    else if( (bARN && ct_json_key_eq(key, "arn", 3))
          || (bAcct && ct_json_key_eq(key, "account_id", 10)) ) continue;
    if( !bFirst ) sqlite3_str_appendchar(pOut, 1, ',');
    bFirst = 0;
    if( zName ) sqlite3_str_appendf(pOut, "\"%s\":", zName);
    else{
      sqlite3_str_append(pOut, key.z-1, (int)key.n+2);
      sqlite3_str_appendchar(pOut, 1, ':');
    }
    ctJvJson(&jv, val);
  }
  sqlite3_str_appendchar(pOut, 1, '}');
  if( jv.rc ) p->rc = jv.rc;
  ctJvFree(&jv);
}

/* aws.cloudtrail.resources: the deduplicated list, or a value that is not
** a list as it is. */
static void ctFnResources(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  CtSpan list = ctEcsRaw(p, "resources");
  sqlite3_str *pOut;
  int n, k, i0;
  (void)f;
  if( list.z==0 ) return;
  if( list.z[0]!='[' ){ ctEvRaw(pV, list); return; }
  i0 = ctEcsResources(p, &n);
  if( i0<0 || n==0 ){ if( i0>=0 ) p->jv.nUsed = i0; return; }
  pOut = sqlite3_str_new(0);
  sqlite3_str_appendchar(pOut, 1, '[');
  for(k=0; k<n; k++){
    if( k ) sqlite3_str_appendchar(pOut, 1, ',');
    ctEcsResourceJson(p, pOut, p->jv.a[i0+k].val);
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  p->jv.nUsed = i0;
  ctEvBuilt(p, pV, pOut, 0);
}

/* Add v to the list if it is an EC2 instance id ("i-…", 10 or more
** characters): the related.hosts script's test. */
static void ctEcsAddInstance(CtEcsRec *p, CtEcsList *pL, CtSpan v){
  if( ctEcsIsString(v) && v.n-2>=10 && memcmp(v.z+1, "i-", 2)==0 ){
    ctEcsListAddSpan(p, pL, v, 0);
  }
}

/* The instance ids of a request or response object (instanceId, target,
** resourceId, instanceIds[], instancesSet.items[].instanceId). */
static void ctEcsInstancesIn(CtEcsRec *p, CtEcsList *pL, CtSpan obj){
  static const char *const azKey[] = { "instanceId", "target", "resourceId", 0 };
  CtSpan list, v;
  size_t i = 1;
  int k;
  if( obj.z==0 || obj.z[0]!='{' ) return;
  for(k=0; azKey[k]; k++) ctEcsAddInstance(p, pL, ctEcsKeptAt(obj, azKey[k]));
  list = ctEcsKeptAt(obj, "instanceIds");
  if( list.z && list.z[0]=='[' ){
    while( ct_json_next_element(list.z, list.n, &i, &v) ){
      if( ctJvKept(v) ) ctEcsAddInstance(p, pL, v);
    }
  }
  list = ctEcsKeptAt(obj, "instancesSet.items");
  if( list.z && list.z[0]=='[' ){
    i = 1;
    while( ct_json_next_element(list.z, list.n, &i, &v) ){
      if( ctJvKept(v) && v.z[0]=='{' ) ctEcsAddInstance(p, pL, ctEcsKeptAt(v, "instanceId"));
    }
  }
}

/* related.hosts: a TLS host name and a source host name that are not AWS
** endpoints, requestParameters.computerName, then the EC2 instance ids of
** the resources, request and response. */
static void ctFnRelatedHosts(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  CtEcsList *pL = &p->scratch;
  CtSpan host = {0, 0};
  CtSpan addr = ctEcsRaw(p, "sourceIPAddress");
  char zIp[CT_ECS_IP_MAX];
  int i0, n, k;
  (void)f;
  ctEcsListClear(pL);
  if( ctEcsTlsKept(p) ) host = ctEcsRaw(p, "tlsDetails.clientProvidedHostHeader");
  if( host.z && !ctEcsEndsWith(host, ".amazonaws.com") ) ctEcsListAddSpan(p, pL, host, 0);
  if( ctEcsIsString(addr) && !ctEcsSourceIp(p, zIp) && ctEcsContains(addr, ".")
   && !ctEcsContains(addr, " ") && !ctEcsEndsWith(addr, ".amazonaws.com") ){
    ctEcsListAddSpan(p, pL, addr, 0);
  }
  ctEcsListAddSpan(p, pL, ctEcsRaw(p, "requestParameters.computerName"), 0);
  i0 = ctEcsResources(p, &n);
  for(k=0; i0>=0 && k<n; k++){
    CtSpan obj = p->jv.a[i0+k].val;
    CtSpan arn = ctEcsKeptAt(obj, "ARN");
    if( arn.z==0 ) arn = ctEcsKeptAt(obj, "arn");
    if( ctEcsContains(arn, ":instance/") ){
      size_t nArn, nTail;
      char *zArn = ctJvDecode(arn, &nArn);
      if( zArn==0 ){ p->rc = SQLITE_NOMEM; break; }
      /* what follows the last '/' of zArn[0..nArn); not strrchr(): the
      ** text may hold a NUL (\u0000) before it */
      for(nTail=0; nTail<nArn && zArn[nArn-1-nTail]!='/'; nTail++){}
      if( nTail<nArn && nTail>=10 && memcmp(zArn+nArn-nTail, "i-", 2)==0 ){
        ctEcsListAdd(p, pL, zArn+nArn-nTail, nTail, 0);
      }
      sqlite3_free(zArn);
    }
  }
  if( i0>=0 ) p->jv.nUsed = i0;
  ctEcsInstancesIn(p, pL, ctEcsRaw(p, "requestParameters"));
  ctEcsInstancesIn(p, pL, ctEcsRaw(p, "responseElements"));
  ctEvList(pV, pL);
}

/* related.hash: a digest's previousDigestHashValue. */
static void ctFnRelatedHash(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  (void)f;
  ctEcsListClear(&p->scratch);
  ctEcsListAddSpan(p, &p->scratch, ctEcsRaw(p, "previousDigestHashValue"), 0);
  ctEvList(pV, &p->scratch);
}

/* tls.version (iArg 0) and tls.version_protocol (iArg 1), from
** tlsDetails.tlsVersion "TLSv1.3": "1.3" and "tls"; a version without a
** 'v' is tls.version as it is. */
static void ctFnTls(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  CtSpan v = ctEcsRaw(p, "tlsDetails.tlsVersion");
  char *z, *zV;
  size_t n, k;
  if( v.z==0 || !ctEcsTlsKept(p) ) return;
  if( !ctEcsIsString(v) || memchr(v.z, 'v', v.n)==0 ){
    if( f->iArg==0 ) ctEvRaw(pV, v);
    return;
  }
  z = ctJvDecode(v, &n);
  if( z==0 ){ p->rc = SQLITE_NOMEM; return; }
  zV = memchr(z, 'v', n);      /* not strchr(): z may hold a NUL (\u0000) */
  if( zV==0 ){ sqlite3_free(z); return; }
  if( f->iArg==0 ){
    n -= (size_t)(zV+1-z);
    memmove(z, zV+1, n+1);
  }else{
    n = (size_t)(zV-z);
    for(k=0; k<n; k++) if( z[k]>='A' && z[k]<='Z' ) z[k] += 'a'-'A';
  }
  ctEvOwned(p, pV, z, n);
}

static int ctIfTls(CtEcsRec *p){ return ctEcsTlsKept(p); }

/* aws.cloudtrail.console_login.additional_eventdata.*: mobile_version
** (iArg 0) and mfa_used (iArg 2) are "not No", login_to (iArg 1) as it is;
** only for ConsoleLogin. */
static void ctFnConsole(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  static const char *const az[] = {
    "additionalEventData.MobileVersion", "additionalEventData.LoginTo",
    "additionalEventData.MFAUsed"
  };
  CtSpan v;
  if( !ctJvStringIs(ctEcsRaw(p, "eventName"), "ConsoleLogin") ) return;
  v = ctEcsRaw(p, az[f->iArg]);
  if( v.z==0 ) return;
  if( f->iArg==1 ){ ctEvRaw(pV, v); return; }
  pV->eKind = CT_EV_BOOL;
  pV->b = !ctJvStringIs(v, "No");
}

/* Look the source address up in the databases, once per record. */
static CtGeo *ctEcsGeo(CtEcsRec *p){
  char zIp[CT_ECS_IP_MAX];
  if( p->bGeo ) return &p->geo;
  p->bGeo = 1;
  memset(&p->geo, 0, sizeof(p->geo));
  if( (p->pConf->pCity || p->pConf->pAsn) && ctEcsSourceIp(p, zIp) ){
    if( p->pConf->pCity ) ctGeoLookup(p->pConf->pCity, zIp, &p->geo);
    if( p->pConf->pAsn ) ctGeoLookup(p->pConf->pAsn, zIp, &p->geo);
  }
  return &p->geo;
}

/* source.geo.* and source.as.* (iArg: CT_GEO_*). */
#define CT_GEO_CITY       0
#define CT_GEO_CONTINENT  1
#define CT_GEO_COUNTRY_ISO 2
#define CT_GEO_COUNTRY    3
#define CT_GEO_LAT        4
#define CT_GEO_LON        5
#define CT_GEO_REGION_ISO 6
#define CT_GEO_REGION     7
#define CT_GEO_ASN        8
#define CT_GEO_ORG        9
static void ctFnGeo(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  CtGeo *g = ctEcsGeo(p);
  CtSpan s = {0, 0};
  switch( f->iArg ){
    case CT_GEO_CITY:        s = g->city; break;
    case CT_GEO_CONTINENT:   s = g->continent; break;
    case CT_GEO_COUNTRY_ISO: s = g->countryIso; break;
    case CT_GEO_COUNTRY:     s = g->country; break;
    case CT_GEO_REGION:      s = g->region; break;
    case CT_GEO_ORG:         s = g->org; break;
    case CT_GEO_LAT: case CT_GEO_LON:
      if( g->bLocation ){
        pV->eKind = CT_EV_REAL;
        pV->r = f->iArg==CT_GEO_LAT ? g->lat : g->lon;
      }
      return;
    case CT_GEO_ASN:
      if( g->bAsn ){ pV->eKind = CT_EV_INT; pV->i = g->asn; }
      return;
    case CT_GEO_REGION_ISO:
      if( g->countryIso.z && g->subIso.z ){
        char *z = sqlite3_mprintf("%.*s-%.*s", (int)g->countryIso.n, g->countryIso.z,
                                  (int)g->subIso.n, g->subIso.z);
        ctEvOwned(p, pV, z, z ? strlen(z) : 0);
      }
      return;
  }
  if( s.z ) ctEvText(pV, s.z, s.n);
}

/* The entity fields (iArg: CT_EN_*). */
static void ctFnEntity(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  if( ctEcsEntity(p) ) return;
  ctEvList(pV, &p->aEn[f->iArg]);
}

/* ---------------------------------------------------------------------
** The fields, sorted by path segment by segment ('.' before any byte):
** the document's order.  ctEcsCheckFields() tests the order.
*/
#define B CT_ECS_BOTH
#define RN(path, src)         { path, B, CT_EH_RENAME, src, 0, 0, 0, 0 }
#define RNIF(path, src, xIf)  { path, B, CT_EH_RENAME, src, 0, 0, xIf, 0 }
#define FN(path, gen, how, x, arg) { path, gen, CT_EH_FN, how, x, arg, 0, 0 }
#define AUI "aws.cloudtrail.user_identity."
#define ASC "aws.cloudtrail.user_identity.session_context."
static const CtEcsField ctEcsFields[] = {
  FN("@timestamp", B, "eventTime (a digest: digestEndTime) as yyyy-MM-ddTHH:mm:ss.SSSZ",
     ctFnTimestamp, 0),
  FN("actor.entity.id", B, "the actor: userIdentity.arn or onBehalfOf.userId "
     "(sts AssumeRole: the caller; GetCallerIdentity: arn)", ctFnEntity, CT_EN_ACTOR),
  RN("aws.cloudtrail.addendum.original_event_id", "addendum.originalEventID"),
  RN("aws.cloudtrail.addendum.original_request_id", "addendum.originalRequestID"),
  RN("aws.cloudtrail.addendum.reason", "addendum.reason"),
  RN("aws.cloudtrail.addendum.updated_fields", "addendum.updatedFields"),
  { "aws.cloudtrail.additional_eventdata", B, CT_EH_STRING, "additionalEventData", 0, 0, 0, 0 },
  RN("aws.cloudtrail.api_version", "apiVersion"),
  FN("aws.cloudtrail.console_login.additional_eventdata.login_to", B,
     "ConsoleLogin: additionalEventData.LoginTo", ctFnConsole, 1),
  FN("aws.cloudtrail.console_login.additional_eventdata.mfa_used", B,
     "ConsoleLogin: additionalEventData.MFAUsed is not \"No\"", ctFnConsole, 2),
  FN("aws.cloudtrail.console_login.additional_eventdata.mobile_version", B,
     "ConsoleLogin: additionalEventData.MobileVersion is not \"No\"", ctFnConsole, 0),
  RN("aws.cloudtrail.error_code", "errorCode"),
  RN("aws.cloudtrail.error_message", "errorMessage"),
  RN("aws.cloudtrail.event_category", "eventCategory"),
  RN("aws.cloudtrail.event_type", "eventType"),
  RN("aws.cloudtrail.event_version", "eventVersion"),
  { "aws.cloudtrail.flattened.additional_eventdata", B, CT_EH_FLAT, "additionalEventData", 0, 0, 0, 0 },
  { "aws.cloudtrail.flattened.digest.end_time", B, CT_EH_DATE, "digestEndTime", 0, 0, 0, 0 },
  RN("aws.cloudtrail.flattened.digest.log_files", "logFiles"),
  { "aws.cloudtrail.flattened.digest.newest_event_time", B, CT_EH_DATE, "newestEventTime", 0, 0, 0, 0 },
  { "aws.cloudtrail.flattened.digest.oldest_event_time", B, CT_EH_DATE, "oldestEventTime", 0, 0, 0, 0 },
  RN("aws.cloudtrail.flattened.digest.previous_hash_algorithm", "previousDigestHashAlgorithm"),
  RN("aws.cloudtrail.flattened.digest.previous_hash_value", "previousDigestHashValue"),
  RN("aws.cloudtrail.flattened.digest.previous_s3_bucket", "previousDigestS3Bucket"),
  RN("aws.cloudtrail.flattened.digest.previous_s3_object", "previousDigestS3Object"),
  RN("aws.cloudtrail.flattened.digest.previous_signature", "previousDigestSignature"),
  RN("aws.cloudtrail.flattened.digest.public_key_fingerprint",
     "digestPublicKeyFingerprint|publicKeyFingerprint"),
  RN("aws.cloudtrail.flattened.digest.s3_bucket", "digestS3Bucket"),
  RN("aws.cloudtrail.flattened.digest.signature_algorithm", "digestSignatureAlgorithm"),
  { "aws.cloudtrail.flattened.digest.start_time", B, CT_EH_DATE, "digestStartTime", 0, 0, 0, 0 },
  RN("aws.cloudtrail.flattened.insight_details", "insightDetails"),
  { "aws.cloudtrail.flattened.request_parameters", B, CT_EH_FLAT, "requestParameters", 0, 0, 0, 0 },
  { "aws.cloudtrail.flattened.response_elements", B, CT_EH_FLAT, "responseElements", 0, 0, 0, 0 },
  { "aws.cloudtrail.flattened.service_event_details", B, CT_EH_FLAT, "serviceEventDetails", 0, 0, 0, 0 },
  { "aws.cloudtrail.management_event", B, CT_EH_STRING, "managementEvent", 0, 0, 0, 0 },
  RN("aws.cloudtrail.read_only", "readOnly"),
  RN("aws.cloudtrail.recipient_account_id", "recipientAccountId"),
  RN("aws.cloudtrail.request_id", "requestID"),
  { "aws.cloudtrail.request_parameters", B, CT_EH_STRING, "requestParameters", 0, 0, 0,
    CT_ECS_IGNORE_ABOVE },
  FN("aws.cloudtrail.resources", B, "resources, ARN renamed arn and accountId account_id, "
     "one per arn/account/type (HashMap order)", ctFnResources, 0),
  { "aws.cloudtrail.response_elements", B, CT_EH_STRING, "responseElements", 0, 0, 0,
    CT_ECS_IGNORE_ABOVE },
  { "aws.cloudtrail.service_event_details", B, CT_EH_STRING, "serviceEventDetails", 0, 0, 0, 0 },
  RN("aws.cloudtrail.session_credential_from_console", "sessionCredentialFromConsole"),
  RN("aws.cloudtrail.shared_event_id", "sharedEventID|sharedEventId"),
  RNIF("aws.cloudtrail.tls_details.key_exchange", "tlsDetails.keyExchange", ctIfTls),
  RN(AUI "access_key_id", UI "accessKeyId"),
  RN(AUI "arn", UI "arn"),
  RN(AUI "credential_id", UI "credentialId"),
  RN(AUI "identity_provider", UI "identityProvider"),
  RN(AUI "in_scope_of.credentials_issued_to", UI "inScopeOf.credentialsIssuedTo"),
  RN(AUI "in_scope_of.issuer_type", UI "inScopeOf.issuerType"),
  RN(AUI "in_scope_of.source_account", UI "inScopeOf.sourceAccount"),
  RN(AUI "in_scope_of.source_arn", UI "inScopeOf.sourceArn"),
  RN(AUI "invoked_by", UI "invokedBy"),
  RN(AUI "invoked_by_delegate.account_id", UI "invokedByDelegate.accountId"),
  RN(AUI "on_behalf_of.identity_store_arn", UI "onBehalfOf.identityStoreArn"),
  RN(AUI "on_behalf_of.user_id", UI "onBehalfOf.userId"),
  { AUI "principal_id", CT_ECS_900, CT_EH_RENAME, UI "principalId", 0, 0, 0, 0 },
  RN(ASC "assumed_root", SC "assumedRoot"),
  { ASC "creation_date", B, CT_EH_DATE, SC "attributes.creationDate", 0, 0, 0, 0 },
  RN(ASC "ec2_role_delivery", SC "ec2RoleDelivery"),
  RN(ASC "mfa_authenticated", SC "attributes.mfaAuthenticated"),
  RN(ASC "session_issuer.account_id", SC "sessionIssuer.accountId"),
  RN(ASC "session_issuer.arn", SC "sessionIssuer.arn"),
  RN(ASC "session_issuer.principal_id", SC "sessionIssuer.principalId"),
  RN(ASC "session_issuer.type", SC "sessionIssuer.type"),
  RN(ASC "sign_in_session_arn", SC "signInSessionArn"),
  RN(ASC "source_identity", SC "sourceIdentity"),
  RN(ASC "web_id_federation_data.attributes", SC "webIdFederationData.attributes"),
  RN(ASC "web_id_federation_data.federated_provider", SC "webIdFederationData.federatedProvider"),
  RN(AUI "type", UI "type"),
  RN("aws.cloudtrail.vpc_endpoint_account_id", "vpcEndpointAccountId"),
  RN("aws.cloudtrail.vpc_endpoint_id", "vpcEndpointId"),
  RN("cloud.account.id", UI "accountId|recipientAccountId|awsAccountId"),
  { "cloud.provider", B, CT_EH_CONST, "aws", 0, 0, 0, 0 },
  RN("cloud.region", "awsRegion"),
  FN("cloud.service.name", B, "eventSource before .amazonaws.com", ctFnServiceName, 0),
  { "ecs.version", B, CT_EH_CONST, CT_ECS_VERSION, 0, 0, 0, 0 },
  FN("entity.id", B, "the actor, when it is no user, host or service", ctFnEntity, CT_EN_GENERIC),
  FN("entity.target.id", B, "targets that are no user, host or service", ctFnEntity,
     CT_EN_GENERIC_T),
  FN("error.message", B, "why a processor failed (texts are ours)", ctFnErrors, 0),
  FN("event.action", B, "eventName", ctFnAction, 0),
  FN("event.category", B, "from eventName (the pipeline's table)", ctFnCategory, 0),
  RN("event.id", "eventID"),
  FN("event.kind", B, "event; pipeline_error when error.message is set", ctFnKind, 0),
  FN("event.original", B, "the record's text", ctFnOriginal, 0),
  FN("event.outcome", B, "failure with errorCode or errorMessage, else success; "
     "ConsoleLogin: responseElements.ConsoleLogin lower-cased", ctFnOutcome, 0),
  RN("event.provider", "eventSource"),
  FN("event.type", B, "from eventName (the pipeline's table), else [info]", ctFnCategory, 1),
  RN("file.path", "digestS3Object"),
  RN("group.id", "responseElements.group.groupId"),
  RN("group.name", "requestParameters.groupName"),
  FN("host.entity.id", B, "the actor when it is an EC2 instance", ctFnEntity, CT_EN_HOST),
  FN("host.target.entity.id", B, "targets that are EC2 instances", ctFnEntity, CT_EN_HOST_T),
  FN("host.target.id", B, "the bare i-… ids of host.target.entity.id", ctFnEntity,
     CT_EN_HOST_T_ID),
  FN("related.entity", B, "identity, resource and per-service entity fields, and the targets "
     "(sorted)", ctFnEntity, CT_EN_RELATED),
  FN("related.hash", B, "previousDigestHashValue", ctFnRelatedHash, 0),
  FN("related.hosts", B, "TLS and source host names that are not AWS endpoints, "
     "requestParameters.computerName, EC2 instance ids", ctFnRelatedHosts, 0),
  FN("related.ip", B, "source.ip, serviceEventDetails.sourceIpAddress", ctFnRelatedIp, 0),
  FN("related.user", B, "session name (and its e-mail prefix), requestParameters.userName, "
     "newUserName, responseElements.user.userId, [9.0.0: principal id], user.id, user.name, "
     "onBehalfOf.userId", ctFnRelatedUser, 0),
  FN("service.entity.id", B, "the actor when it is an AWS service", ctFnEntity, CT_EN_SERVICE),
  FN("service.name", CT_ECS_PREVIOUS, "AWS-service caller: invokedBy, or the service of a "
     "service-linked role", ctFnServiceActor, 0),
  FN("service.target.entity.id", B, "targets that are AWS service resources", ctFnEntity,
     CT_EN_SERVICE_T),
  RN("source.address", "sourceIPAddress"),
  FN("source.as.number", B, "asn= database: autonomous_system_number", ctFnGeo, CT_GEO_ASN),
  FN("source.as.organization.name", B, "asn= database: autonomous_system_organization",
     ctFnGeo, CT_GEO_ORG),
  FN("source.geo.city_name", B, "geoip= database: city.names.en", ctFnGeo, CT_GEO_CITY),
  FN("source.geo.continent_name", B, "geoip= database: continent.names.en", ctFnGeo,
     CT_GEO_CONTINENT),
  FN("source.geo.country_iso_code", B, "geoip= database: country.iso_code", ctFnGeo,
     CT_GEO_COUNTRY_ISO),
  FN("source.geo.country_name", B, "geoip= database: country.names.en", ctFnGeo,
     CT_GEO_COUNTRY),
  FN("source.geo.location.lat", B, "geoip= database: location.latitude", ctFnGeo, CT_GEO_LAT),
  FN("source.geo.location.lon", B, "geoip= database: location.longitude", ctFnGeo, CT_GEO_LON),
  FN("source.geo.region_iso_code", B, "geoip= database: country and most specific "
     "subdivision iso_code", ctFnGeo, CT_GEO_REGION_ISO),
  FN("source.geo.region_name", B, "geoip= database: most specific subdivision names.en",
     ctFnGeo, CT_GEO_REGION),
  FN("source.ip", B, "sourceIPAddress when it is an IP address", ctFnSourceIp, 0),
  FN("target.entity.id", B, "per-service target fields (sorted)", ctFnEntity, CT_EN_TARGET),
  RNIF("tls.cipher", "tlsDetails.cipherSuite", ctIfTls),
  RNIF("tls.client.server_name", "tlsDetails.clientProvidedHostHeader", ctIfTls),
  FN("tls.version", B, "tlsDetails.tlsVersion after its 'v'", ctFnTls, 0),
  FN("tls.version_protocol", B, "tlsDetails.tlsVersion before its 'v', lower-cased", ctFnTls, 1),
  RN("user.changes.name", "requestParameters.newUserName"),
  FN("user.email", B, "an e-mail session name, else user.name if it holds '@'", ctFnEmail, 0),
  FN("user.entity.id", B, "the actor when it is a user (previous: an assumed role's "
     "session is its role)", ctFnEntity, CT_EN_USER),
  FN("user.id", B, "previous: userIdentity.principalId; 9.0.0: the IAM user's, root's or "
     "assumed role's ARN, else principalId; onBehalfOf.userId", ctFnUserId, 0),
  FN("user.name", B, "userIdentity.userName; sessionIssuer.userName for AssumedRole and "
     "FederatedUser", ctFnUserName, 0),
  FN("user.target.entity.id", B, "targets that are users, roles or access keys", ctFnEntity,
     CT_EN_USER_T),
  RN("user.target.id", "responseElements.user.userId"),
  RN("user.target.name", "requestParameters.userName"),
  RN("user_agent.original", "userAgent"),
};
#define CT_ECS_NFIELD ((int)(sizeof(ctEcsFields)/sizeof(ctEcsFields[0])))

/* ---------------------------------------------------------------------
** Evaluating fields
*/

/* Compare two dotted paths segment by segment: '.' sorts before any byte,
** so a field and its children stay together ("user.id" < "user.name" <
** "user_agent…").  Returns <0, 0, >0. */
static int ctEcsPathCmp(const char *a, const char *b){
  while( *a && *a==*b ){ a++; b++; }
  if( *a==*b ) return 0;
  if( *a=='.' ) return *b ? -1 : 1;
  if( *b=='.' ) return *a ? 1 : -1;
  return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
}

/* 1 if ctEcsFields[] is in ctEcsPathCmp() order, no path repeated and no
** field below another (so the document nests without conflicts). */
int ctEcsCheckFields(void){
  int k;
  for(k=1; k<CT_ECS_NFIELD; k++){
    const char *a = ctEcsFields[k-1].zPath, *b = ctEcsFields[k].zPath;
    size_t n = strlen(a);
    if( ctEcsPathCmp(a, b)>=0 ) return 0;
    if( strncmp(a, b, n)==0 && b[n]=='.' ) return 0;
  }
  return 1;
}

/* The four objects the pipeline keeps as text (request_parameters …;
** management_event is a conversion, kept always): removed unless retain
** is all, keyword or minimal. */
static int ctEcsKeepsText(CtEcsRec *p, const CtEcsField *f){
  int e = p->pConf->eRetain;
  if( strcmp(f->zSrc, "managementEvent")==0 ) return 1;
  return e==CT_RETAIN_ALL || e==CT_RETAIN_KEYWORD || e==CT_RETAIN_MINIMAL;
}

/* The flattened objects: kept for retain all, flattened and minimal. */
static int ctEcsKeepsFlat(CtEcsRec *p){
  int e = p->pConf->eRetain;
  return e==CT_RETAIN_ALL || e==CT_RETAIN_FLATTENED || e==CT_RETAIN_MINIMAL;
}

/* retain=minimal keeps, of the flattened objects, only the fields that
** Elastic's rules require (the pipeline's required_flattened_fields). */
static const char *const ctEcsMinimalFields[] = {
  "additionalEventData.SSEApplied",
  "requestParameters.cidrIp", "requestParameters.dryRun",
  "requestParameters.fromPort", "requestParameters.includeDeprecated",
  "requestParameters.policyArn", "requestParameters.serialNumber",
  "requestParameters.withDecryption",
  "requestParameters.x-amz-server-side-encryption-customer-algorithm", 0
};

/* The minimal flattened object of field f (its raw object v), as JSON. */
static void ctEcsMinimal(CtEcsRec *p, const CtEcsField *f, CtSpan v, CtEcsVal *pV){
  size_t nSrc = strlen(f->zSrc);
  sqlite3_str *pOut = sqlite3_str_new(0);
  int k, nField = 0;
  CtJv jv;
  ctJvInit(&jv, pOut);
  sqlite3_str_appendchar(pOut, 1, '{');
  for(k=0; ctEcsMinimalFields[k]; k++){
    const char *z = ctEcsMinimalFields[k];
    CtSpan x;
    if( strncmp(z, f->zSrc, nSrc)!=0 || z[nSrc]!='.' ) continue;
    x = ctEcsKeptAt(v, z+nSrc+1);
    if( x.z==0 ) continue;
    if( nField++ ) sqlite3_str_appendchar(pOut, 1, ',');
    ctJvQuote(pOut, z+nSrc+1, strlen(z+nSrc+1));
    sqlite3_str_appendchar(pOut, 1, ':');
    ctJvJson(&jv, x);
  }
  sqlite3_str_appendchar(pOut, 1, '}');
  if( jv.rc ) p->rc = jv.rc;
  ctJvFree(&jv);
  ctEvBuilt(p, pV, pOut, 2);        /* "{}": none of the fields is there */
}

/* The key of f's raw object that the pipeline moved out before copying
** it (additionalEventData.UserName of a UserAuthentication), or 0. */
static const char *ctEcsMovedKey(CtEcsRec *p, const CtEcsField *f){
  if( strcmp(f->zSrc, "additionalEventData")==0 && ctEcsUserNameMoved(p) ) return "UserName";
  return 0;
}

/* The flattened copy of v without key zSkip, as JSON (absent if empty). */
static void ctEcsFlatSkip(CtEcsRec *p, CtSpan v, const char *zSkip, CtEcsVal *pV){
  sqlite3_str *pOut = sqlite3_str_new(0);
  CtJv jv;
  ctJvInit(&jv, pOut);
  jv.zSkip = zSkip;
  ctJvJson(&jv, v);
  if( jv.rc ) p->rc = jv.rc;
  ctJvFree(&jv);
  ctEvBuilt(p, pV, pOut, 2);
}

static void ctEcsDupCheck(CtEcsRec *p);

/* Make the duplicate-key check now if it is pending; true if the record
** has a duplicate key (the pipeline failed).  p->rc on out-of-memory. */
int ctEcsRecFailed(CtEcsRec *p){
  if( p->bDupPending ) ctEcsDupCheck(p);
  return p->bFailed;
}

/* Compute field f of record p into *pV (zeroed first).  Absent fields
** leave pV->eKind CT_EV_NONE; out-of-memory sets p->rc.  The first call
** makes the duplicate-key check, unless bPeek (ctEcsLeaves()). */
static void ctEcsEvalAs(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV, int bPeek){
  memset(pV, 0, sizeof(*pV));
  if( p->bDupPending && !bPeek ) ctEcsDupCheck(p);
  if( p->rc ) return;
  if( (f->mGen & p->pConf->eGen)==0 ) return;
  if( p->bFailed && f->xFn!=ctFnOriginal && f->xFn!=ctFnKind && f->xFn!=ctFnErrors ){
    return;
  }
  switch( f->eHow ){
    case CT_EH_CONST:
      ctEvText(pV, f->zSrc, strlen(f->zSrc));
      break;
    case CT_EH_RENAME: {
      const char *z = f->zSrc;
      char aPath[128];
      if( f->xIf && !f->xIf(p) ) break;
      while( *z && pV->eKind==CT_EV_NONE ){
        const char *zBar = strchr(z, '|');
        size_t n = zBar ? (size_t)(zBar-z) : strlen(z);
        if( n<sizeof(aPath) ){
          memcpy(aPath, z, n);
          aPath[n] = 0;
          ctEvRaw(pV, ctEcsRaw(p, aPath));
        }
        z += n + (zBar!=0);
      }
      break;
    }
    case CT_EH_DATE:
      ctEcsDate(p, ctEcsRaw(p, f->zSrc), pV);
      break;
    case CT_EH_STRING: {
      CtSpan v = ctEcsRaw(p, f->zSrc);
      size_t n;
      if( v.z==0 ) break;
      if( !ctEcsKeepsText(p, f) ) break;
      if( ctEcsIsString(v) ){ ctEvRaw(pV, v); break; }
      { char *zText = ctEcsToStringSkip(p, v, ctEcsMovedKey(p, f), &n); ctEvOwned(p, pV, zText, n); }
      break;
    }
    case CT_EH_FLAT: {
      CtSpan v = ctEcsRaw(p, f->zSrc);
      const char *zSkip;
      size_t n;
      char *z;
      if( v.z==0 || !ctEcsKeepsFlat(p) ) break;
      if( p->pConf->eRetain==CT_RETAIN_MINIMAL ){ ctEcsMinimal(p, f, v, pV); break; }
      zSkip = ctEcsMovedKey(p, f);
      z = ctEcsToStringSkip(p, v, zSkip, &n);
      if( z && ctJvLength16(z, n)<CT_ECS_FLAT_LIMIT ){
        if( zSkip ) ctEcsFlatSkip(p, v, zSkip, pV);
        else ctEvRaw(pV, v);
      }
      sqlite3_free(z);
      break;
    }
    default:
      f->xFn(p, f, pV);
      break;
  }
}

static void ctEcsEval(CtEcsRec *p, const CtEcsField *f, CtEcsVal *pV){
  ctEcsEvalAs(p, f, pV, 0);
}

/* Index of the field named zPath exactly, or -1 (binary search). */
static int ctEcsFind(const char *zPath){
  int lo = 0, hi = CT_ECS_NFIELD-1;
  while( lo<=hi ){
    int mid = (lo+hi)/2, c = ctEcsPathCmp(ctEcsFields[mid].zPath, zPath);
    if( c==0 ) return mid;
    if( c<0 ) lo = mid+1; else hi = mid-1;
  }
  return -1;
}

/* ---------------------------------------------------------------------
** Writing values and documents
*/

/* Write v as JSON. */
static void ctEcsWriteJson(CtEcsRec *p, sqlite3_str *pOut, const CtEcsVal *v){
  int k;
  switch( v->eKind ){
    case CT_EV_RAW: {
      CtJv jv;
      ctJvInit(&jv, pOut);
      ctJvJson(&jv, v->raw);
      if( jv.rc ) p->rc = jv.rc;
      ctJvFree(&jv);
      break;
    }
    case CT_EV_TEXT: ctJvQuote(pOut, v->z, v->n); break;
    case CT_EV_JSON: sqlite3_str_append(pOut, v->z, (int)v->n); break;
    case CT_EV_BOOL: sqlite3_str_appendall(pOut, v->b ? "true" : "false"); break;
    case CT_EV_REAL: ctJvDouble(pOut, v->r); break;
    case CT_EV_INT:  sqlite3_str_appendf(pOut, "%lld", v->i); break;
    case CT_EV_LIST:
      sqlite3_str_appendchar(pOut, 1, '[');
      for(k=0; k<v->pList->n; k++){
        if( k ) sqlite3_str_appendchar(pOut, 1, ',');
        ctJvQuote(pOut, v->pList->az[k], strlen(v->pList->az[k]));
      }
      sqlite3_str_appendchar(pOut, 1, ']');
      break;
  }
}

/* Writes a nested object from dotted paths given in ctEcsPathCmp() order. */
typedef struct CtNest CtNest;
struct CtNest {
  sqlite3_str *pOut;
  int nDepth;                       /* objects open below the root */
  const char *azSeg[CT_ECS_MAX_DEPTH+1];
  size_t anSeg[CT_ECS_MAX_DEPTH+1];
  int bAny[CT_ECS_MAX_DEPTH+2];     /* the object at depth d has a member */
};

static void ctNestBegin(CtNest *q, sqlite3_str *pOut){
  memset(q, 0, sizeof(*q));
  q->pOut = pOut;
  sqlite3_str_appendchar(pOut, 1, '{');
}

/* Open the objects of zPath (relative to the root) and write its key;
** the caller writes the value.  Returns 0 if zPath nests too deep. */
static int ctNestKey(CtNest *q, const char *zPath){
  const char *azSeg[CT_ECS_MAX_DEPTH+1];
  size_t anSeg[CT_ECS_MAX_DEPTH+1];
  int nSeg = 0, nSame = 0, k;
  while( 1 ){
    const char *zDot = strchr(zPath, '.');
    if( nSeg>CT_ECS_MAX_DEPTH ) return 0;
    azSeg[nSeg] = zPath;
    anSeg[nSeg] = zDot ? (size_t)(zDot-zPath) : strlen(zPath);
    nSeg++;
    if( zDot==0 ) break;
    zPath = zDot+1;
  }
  while( nSame<q->nDepth && nSame<nSeg-1 && q->anSeg[nSame]==anSeg[nSame]
      && memcmp(q->azSeg[nSame], azSeg[nSame], anSeg[nSame])==0 ) nSame++;
  for(; q->nDepth>nSame; q->nDepth--) sqlite3_str_appendchar(q->pOut, 1, '}');
  for(k=nSame; k<nSeg; k++){
    if( q->bAny[k] ) sqlite3_str_appendchar(q->pOut, 1, ',');
    q->bAny[k] = 1;
    ctJvQuote(q->pOut, azSeg[k], anSeg[k]);
    sqlite3_str_appendchar(q->pOut, 1, ':');
    if( k<nSeg-1 ){
      sqlite3_str_appendchar(q->pOut, 1, '{');
      q->azSeg[k] = azSeg[k];
      q->anSeg[k] = anSeg[k];
      q->nDepth = k+1;
      q->bAny[k+1] = 0;
    }
  }
  return 1;
}

static void ctNestEnd(CtNest *q){
  for(; q->nDepth>0; q->nDepth--) sqlite3_str_appendchar(q->pOut, 1, '}');
  sqlite3_str_appendchar(q->pOut, 1, '}');
}

/* Write the document of record p, or only the fields below zPrefix
** (relative to it), into pOut.  Returns the number of fields written. */
static int ctEcsDocument(CtEcsRec *p, sqlite3_str *pOut, const char *zPrefix){
  size_t nPrefix = zPrefix ? strlen(zPrefix) : 0;
  CtNest q;
  int k, nField = 0;
  ctNestBegin(&q, pOut);
  for(k=0; k<CT_ECS_NFIELD && p->rc==SQLITE_OK; k++){
    const CtEcsField *f = &ctEcsFields[k];
    CtEcsVal v;
    if( zPrefix && (strncmp(f->zPath, zPrefix, nPrefix)!=0 || f->zPath[nPrefix]!='.') ){
      continue;
    }
    ctEcsEval(p, f, &v);
    if( v.eKind!=CT_EV_NONE && ctNestKey(&q, f->zPath + (zPrefix ? nPrefix+1 : 0)) ){
      ctEcsWriteJson(p, pOut, &v);
      nField++;
    }
    ctEcsValClear(&v);
  }
  ctNestEnd(&q);
  return nField;
}

/* ---------------------------------------------------------------------
** Results
*/

/* Set the SQL result from a raw JSON value: a string as its text, an
** integer as INTEGER (as TEXT beyond 64 bits), another number as REAL,
** true/false as 1/0, an object or array as its JSON text.  bClean: as
** after the pipeline's removal pass (a raw record's value) or as it is
** (an Elastic document's). */
static void ctEcsResultRaw(sqlite3_context *ctx, CtSpan v, int bClean){
  if( v.z[0]=='"' ){
    size_t n;
    char *z = ctJvDecode(v, &n);
    if( z==0 ){ sqlite3_result_error_nomem(ctx); return; }
    sqlite3_result_text64(ctx, z, n, sqlite3_free, SQLITE_UTF8);
  }else if( v.z[0]=='t' || v.z[0]=='f' ){
    sqlite3_result_int(ctx, v.z[0]=='t');
  }else if( v.z[0]=='n' ){
    /* NULL */
  }else if( v.z[0]=='{' || v.z[0]=='[' ){
    sqlite3_str *pOut = sqlite3_str_new(0);
    int rc = SQLITE_OK;
    if( bClean ){
      CtJv jv;
      ctJvInit(&jv, pOut);
      ctJvJson(&jv, v);
      rc = jv.rc;
      ctJvFree(&jv);
    }else{
      sqlite3_str_append(pOut, v.z, (int)v.n);
    }
    ctEcsResultStr(ctx, pOut, rc);
  }else{
    char aBuf[32];
    int bInt = memchr(v.z, '.', v.n)==0 && memchr(v.z, 'e', v.n)==0
            && memchr(v.z, 'E', v.n)==0;
    if( v.n<sizeof(aBuf) ){
      memcpy(aBuf, v.z, v.n);
      aBuf[v.n] = 0;
      if( bInt && v.n<=18 ){ sqlite3_result_int64(ctx, strtoll(aBuf, 0, 10)); return; }
      if( !bInt ){ sqlite3_result_double(ctx, strtod(aBuf, 0)); return; }
    }
    sqlite3_result_text(ctx, v.z, (int)v.n, SQLITE_TRANSIENT);
  }
}

static void ctEcsResult(sqlite3_context *ctx, CtEcsRec *p, CtEcsVal *v){
  switch( v->eKind ){
    case CT_EV_RAW:  ctEcsResultRaw(ctx, v->raw, 1); break;
    case CT_EV_TEXT: sqlite3_result_text64(ctx, v->z, v->n, SQLITE_TRANSIENT, SQLITE_UTF8); break;
    case CT_EV_BOOL: sqlite3_result_int(ctx, v->b); break;
    case CT_EV_REAL: sqlite3_result_double(ctx, v->r); break;
    case CT_EV_INT:  sqlite3_result_int64(ctx, v->i); break;
    case CT_EV_JSON: sqlite3_result_text64(ctx, v->z, v->n, SQLITE_TRANSIENT, SQLITE_UTF8); break;
    case CT_EV_LIST: {
      sqlite3_str *pOut = sqlite3_str_new(0);
      ctEcsWriteJson(p, pOut, v);
      ctEcsResultStr(ctx, pOut, SQLITE_OK);
      break;
    }
  }
}

/* What a path below a value reaches (ctEcsDescend()). */
typedef struct CtReach CtReach;
struct CtReach {
  int n;                 /* values reached */
  int bList;             /* through a list, or a list at the end */
  CtSpan first;          /* the first value reached */
  sqlite3_str *pAll;     /* every value, as JSON array elements */
  int bClean;            /* values are a raw record's (removal pass) */
  int rc;                /* SQLITE_NOMEM once an allocation failed */
};

static void ctReachAdd(CtReach *r, CtSpan v){
  if( r->bClean && !ctJvKept(v) ) return;
  if( !r->bClean && ct_json_is_null(v) ) return;
  if( v.z[0]=='[' ){
    CtSpan e;
    size_t i = 1;
    r->bList = 1;
    while( ct_json_next_element(v.z, v.n, &i, &e) ) ctReachAdd(r, e);
    return;
  }
  if( r->n++==0 ) r->first = v;
  if( r->n>1 ) sqlite3_str_appendchar(r->pAll, 1, ',');
  if( r->bClean ){
    CtJv jv;
    ctJvInit(&jv, r->pAll);
    ctJvJson(&jv, v);
    if( jv.rc ) r->rc = jv.rc;
    ctJvFree(&jv);
  }else{
    sqlite3_str_append(r->pAll, v.z, (int)v.n);
  }
}

/*
** Follow the dotted zPath below the value v as Elasticsearch reads a
** document's fields: a key may hold dots itself ("a.b"), a list is looked
** into element by element (its values are the field's values).  Every
** value reached is added to r.
*/
static void ctEcsDescend(CtSpan v, const char *zPath, CtReach *r){
  size_t nPath = strlen(zPath);
  CtSpan key, val;
  size_t i = 1;
  if( v.z[0]=='[' ){
    r->bList = 1;
    while( ct_json_next_element(v.z, v.n, &i, &val) ) ctEcsDescend(val, zPath, r);
    return;
  }
  if( v.z[0]!='{' ) return;
  while( ct_json_next_member(v.z, v.n, &i, &key, &val) ){
    size_t nKey = key.n;
    const char *zKey = key.z;
    char *zFree = 0;
    if( memchr(key.z, '\\', key.n) ){
      CtSpan q = { key.z-1, key.n+2 };
      zKey = zFree = ctJvDecode(q, &nKey);
      if( zFree==0 ){ r->rc = SQLITE_NOMEM; return; }
    }
    if( nKey<=nPath && memcmp(zKey, zPath, nKey)==0 ){
      if( nKey==nPath ) ctReachAdd(r, val);
      else if( zPath[nKey]=='.' ) ctEcsDescend(val, zPath+nKey+1, r);
    }
    sqlite3_free(zFree);
  }
}

/* Set the result from what zPath reaches below v: one value as itself,
** several (or any through a list) as a JSON array, none as NULL. */
static void ctEcsResultBelow(sqlite3_context *ctx, CtSpan v, const char *zPath, int bClean){
  CtReach r;
  memset(&r, 0, sizeof(r));
  r.bClean = bClean;
  r.pAll = sqlite3_str_new(0);
  sqlite3_str_appendchar(r.pAll, 1, '[');
  if( zPath ) ctEcsDescend(v, zPath, &r);
  else ctReachAdd(&r, v);
  sqlite3_str_appendchar(r.pAll, 1, ']');
  if( r.rc || sqlite3_str_errcode(r.pAll) ){
    sqlite3_free(sqlite3_str_finish(r.pAll));
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if( r.n==1 && !r.bList ){
    sqlite3_free(sqlite3_str_finish(r.pAll));
    ctEcsResultRaw(ctx, r.first, bClean);
  }else if( r.n>0 ){
    int n = sqlite3_str_length(r.pAll);
    sqlite3_result_text(ctx, sqlite3_str_finish(r.pAll), n, sqlite3_free);
  }else{
    sqlite3_free(sqlite3_str_finish(r.pAll));
  }
}

/* The result for path zPath (iField: its ctEcsFields[] index, or -1) of
** record p: a field's value; a path inside a field's object or list; or
** the object of every field below a prefix ("source.geo"); else NULL. */
static void ctEcsPathResult(sqlite3_context *ctx, CtEcsRec *p, const char *zPath, int iField){
  CtEcsVal v;
  int k;
  if( iField>=0 ){
    ctEcsEval(p, &ctEcsFields[iField], &v);
    if( p->rc==SQLITE_OK ) ctEcsResult(ctx, p, &v);
    ctEcsValClear(&v);
    return;
  }
  for(k=0; k<CT_ECS_NFIELD; k++){
    const char *zF = ctEcsFields[k].zPath;
    size_t n = strlen(zF);
    if( strncmp(zF, zPath, n)==0 && zPath[n]=='.' ){
      ctEcsEval(p, &ctEcsFields[k], &v);
      if( v.eKind==CT_EV_RAW ){
        ctEcsResultBelow(ctx, v.raw, zPath+n+1, 1);
      }else if( v.eKind==CT_EV_JSON ){
        /* a value built here (resources, a minimal flattened object) */
        CtSpan built = { v.z, v.n };
        ctEcsResultBelow(ctx, built, zPath+n+1, 0);
      }
      ctEcsValClear(&v);
      return;
    }
  }
  {
    sqlite3_str *pOut = sqlite3_str_new(0);
    if( ctEcsDocument(p, pOut, zPath)>0 || p->rc ) ctEcsResultStr(ctx, pOut, p->rc);
    else sqlite3_free(sqlite3_str_finish(pOut));    /* no field below it */
  }
}

/* ---------------------------------------------------------------------
** Elastic documents: returned as they are, dotted keys as objects
*/

typedef struct CtLeaf CtLeaf;
struct CtLeaf {
  char *zPath;
  CtSpan v;
  int i;
};
typedef struct CtLeaves CtLeaves;
struct CtLeaves {
  CtLeaf *a;
  int n, nAlloc;
  int rc;
};

/* Collect the non-object values of obj with their dotted paths. */
static void ctLeavesOf(CtLeaves *L, CtSpan obj, const char *zPrefix, int nDepth){
  CtSpan key, val;
  size_t i = 1;
  while( L->rc==SQLITE_OK && ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
    size_t n;
    char *zKey = ctJvDecode(key, &n), *zPath;
    if( zKey==0 ){ L->rc = SQLITE_NOMEM; return; }
    zPath = zPrefix ? sqlite3_mprintf("%s.%s", zPrefix, zKey) : sqlite3_mprintf("%s", zKey);
    sqlite3_free(zKey);
    if( zPath==0 ){ L->rc = SQLITE_NOMEM; return; }
    if( val.z[0]=='{' && val.n>2 && nDepth<CT_ECS_MAX_DEPTH-1 ){
      ctLeavesOf(L, val, zPath, nDepth+1);
      sqlite3_free(zPath);
      continue;
    }
    if( L->n>=L->nAlloc ){
      int nNew = L->nAlloc*2 + 32;
      CtLeaf *aNew = sqlite3_realloc64(L->a, sizeof(CtLeaf)*(sqlite3_uint64)nNew);
      if( aNew==0 ){ sqlite3_free(zPath); L->rc = SQLITE_NOMEM; return; }
      L->a = aNew;
      L->nAlloc = nNew;
    }
    L->a[L->n].zPath = zPath;
    L->a[L->n].v = val;
    L->a[L->n].i = L->n;
    L->n++;
  }
}

static int ctLeafCmp(const void *pa, const void *pb){
  const CtLeaf *a = pa, *b = pb;
  int c = ctEcsPathCmp(a->zPath, b->zPath);
  return c ? c : a->i - b->i;
}

/*
** Write the Elastic document doc with its dotted keys expanded into
** objects ({"event.action":"X","event":{"id":"1"}} becomes
** {"event":{"action":"X","id":"1"}}).  Of a path given twice the first is
** kept, as lookups read it; a value whose path runs through another
** value (which Elasticsearch would refuse to index) is left out.
*/
static int ctEcsExpand(sqlite3_str *pOut, CtSpan doc){
  CtLeaves L;
  CtNest q;
  const char *zLast = 0;
  int k;
  memset(&L, 0, sizeof(L));
  ctLeavesOf(&L, doc, 0, 0);
  if( L.rc==SQLITE_OK ) qsort(L.a, (size_t)L.n, sizeof(CtLeaf), ctLeafCmp);
  ctNestBegin(&q, pOut);
  for(k=0; L.rc==SQLITE_OK && k<L.n; k++){
    const char *z = L.a[k].zPath;
    if( zLast ){
      size_t n = strlen(zLast);
      if( strcmp(zLast, z)==0 ) continue;
      if( strncmp(zLast, z, n)==0 && z[n]=='.' ) continue;
    }
    if( !ctNestKey(&q, z) ) continue;
    sqlite3_str_append(pOut, L.a[k].v.z, (int)L.a[k].v.n);
    zLast = z;
  }
  ctNestEnd(&q);
  for(k=0; k<L.n; k++) sqlite3_free(L.a[k].zPath);
  sqlite3_free(L.a);
  return L.rc;
}

/* ---------------------------------------------------------------------
** Leaves, for the rule engine (ct_qeval.c)
*/

/*
** Resolve zPath for ctEcsLeaves(): the index of the field at zPath or
** above it, *piSub set to the offset in zPath of the path below the field
** (the terminating NUL for the field itself); -1 if no field of the table
** is at or above zPath.
*/
int ctEcsResolve(const char *zPath, int *piSub){
  int k = ctEcsFind(zPath);
  *piSub = (int)strlen(zPath);
  if( k>=0 ) return k;
  for(k=0; k<CT_ECS_NFIELD; k++){
    const char *zF = ctEcsFields[k].zPath;
    size_t n = strlen(zF);
    if( strncmp(zF, zPath, n)==0 && zPath[n]=='.' ){
      *piSub = (int)n+1;
      return k;
    }
  }
  return -1;
}

/* True if field iField is a raw value copied as it is (a rename,
** event.action, or user.name, which is one of three raw strings): a
** string it equals is in the record's text. */
int ctEcsIsCopy(int iField){
  const CtEcsField *f;
  if( iField<0 || iField>=CT_ECS_NFIELD ) return 0;
  f = &ctEcsFields[iField];
  return (f->eHow==CT_EH_RENAME && f->xIf==0) || f->xFn==ctFnAction
      || f->xFn==ctFnUserName;
}

/* The record's top-level key field iField copies as it is ("eventName"
** for event.action), or 0 when it is no copy of one top-level key. */
const char *ctEcsTopKey(int iField){
  const CtEcsField *f;
  if( !ctEcsIsCopy(iField) ) return 0;
  f = &ctEcsFields[iField];
  if( f->xFn==ctFnAction ) return "eventName";
  if( f->xFn ) return 0;                   /* user.name: three places */
  if( strchr(f->zSrc, '.') || strchr(f->zSrc, '|') ) return 0;
  return f->zSrc;
}

/* The length of the record's top-level key whose value holds all that
** field iField copies (*pz gets the key: "userIdentity" for user.id), or 0
** when it copies no one place. */
int ctEcsTopContainer(int iField, const char **pz){
  const CtEcsField *f;
  const char *zDot;
  if( !ctEcsIsCopy(iField) ) return 0;
  f = &ctEcsFields[iField];
  if( f->xFn==ctFnAction ){ *pz = "eventName"; return 9; }
  if( f->xFn ) return 0;                   /* user.name: three places */
  if( strchr(f->zSrc, '|') ) return 0;
  zDot = strchr(f->zSrc, '.');
  *pz = f->zSrc;
  return zDot ? (int)(zDot - f->zSrc) : (int)strlen(f->zSrc);
}

/* The ignore_above of field iField, 0 if none. */
int ctEcsIgnoreAbove(int iField){
  return iField>=0 && iField<CT_ECS_NFIELD ? ctEcsFields[iField].nIgnoreAbove : 0;
}

typedef struct CtLeafWalk CtLeafWalk;
struct CtLeafWalk {
  CtEcsLeafFn xLeaf;
  void *pArg;
  int bClean;              /* values are a raw record's: skip what the removal pass drops */
  int bAll;                /* objects are walked too (a flattened field's leaves) */
  int rc;                  /* first non-zero return of xLeaf, or SQLITE_NOMEM */
};

/* Every leaf of value v: array elements, and object members when bAll. */
static void ctLeavesOfValue(CtLeafWalk *w, CtSpan v, int nDepth){
  CtSpan key, e;
  size_t i = 1;
  if( w->rc || nDepth>CT_JSON_MAX_DEPTH ) return;
  if( w->bClean ? !ctJvKept(v) : ct_json_is_null(v) ) return;
  if( v.z[0]=='[' ){
    while( w->rc==0 && ct_json_next_element(v.z, v.n, &i, &e) ) ctLeavesOfValue(w, e, nDepth+1);
  }else if( v.z[0]=='{' ){
    if( !w->bAll ) return;
    while( w->rc==0 && ct_json_next_member(v.z, v.n, &i, &key, &e) ) ctLeavesOfValue(w, e, nDepth+1);
  }else{
    w->rc = w->xLeaf(w->pArg, w->bClean ? CT_LEAF_CLEAN : CT_LEAF_JSON, v);
  }
}

/* The leaves zPath reaches below v, as ctEcsDescend() follows a path. */
static void ctLeavesBelow(CtLeafWalk *w, CtSpan v, const char *zPath, int nDepth){
  size_t nPath = strlen(zPath), i = 1;
  CtSpan key, val;
  if( w->rc || nDepth>CT_JSON_MAX_DEPTH ) return;
  if( *zPath==0 ){ ctLeavesOfValue(w, v, nDepth); return; }
  if( v.z[0]=='[' ){
    while( w->rc==0 && ct_json_next_element(v.z, v.n, &i, &val) ){
      ctLeavesBelow(w, val, zPath, nDepth+1);
    }
    return;
  }
  if( v.z[0]!='{' ) return;
  while( w->rc==0 && ct_json_next_member(v.z, v.n, &i, &key, &val) ){
    size_t nKey = key.n;
    const char *zKey = key.z;
    char *zFree = 0;
    if( w->bClean && !ctJvKept(val) ) continue;
    if( memchr(key.z, '\\', key.n) ){
      CtSpan q = { key.z-1, key.n+2 };
      zKey = zFree = ctJvDecode(q, &nKey);
      if( zFree==0 ){ w->rc = SQLITE_NOMEM; return; }
    }
    if( nKey<=nPath && memcmp(zKey, zPath, nKey)==0 ){
      if( nKey==nPath ) ctLeavesOfValue(w, val, nDepth+1);
      else if( zPath[nKey]=='.' ) ctLeavesBelow(w, val, zPath+nKey+1, nDepth+1);
    }
    sqlite3_free(zFree);
  }
}

/*
** Pass each value Elasticsearch would index for field iField of record p
** (zSub: the path below the field, "" for the field itself) to xLeaf:
** array elements one by one; nulls and what the removal pass drops never;
** objects only when bAll (a flattened field's leaves).  bPeek: as if the
** record had no duplicate key (a dispatch may look before the check; the
** values must then not be kept).  Kinds: CT_LEAF_CLEAN
** (a JSON scalar of the raw record), CT_LEAF_JSON (a JSON scalar built
** here), CT_LEAF_TEXT (decoded text).  Returns 0, xLeaf's first non-zero
** return, or SQLITE_NOMEM.
*/
int ctEcsLeaves(CtEcsRec *p, int iField, const char *zSub, int bAll, int bPeek,
                CtEcsLeafFn xLeaf, void *pArg){
  CtLeafWalk w = { .xLeaf = xLeaf, .pArg = pArg, .bAll = bAll };
  CtEcsVal v;
  char aNum[32];
  int k;
  ctEcsEvalAs(p, &ctEcsFields[iField], &v, bPeek);
  if( p->rc ){ ctEcsValClear(&v); return p->rc; }
  switch( v.eKind ){
    case CT_EV_RAW:
      w.bClean = 1;
      ctLeavesBelow(&w, v.raw, zSub, 0);
      break;
    case CT_EV_JSON: {
      CtSpan built = { v.z, v.n };
      ctLeavesBelow(&w, built, zSub, 0);
      break;
    }
    case CT_EV_TEXT:
      if( *zSub==0 ){ CtSpan t = { v.z, v.n }; w.rc = xLeaf(pArg, CT_LEAF_TEXT, t); }
      break;
    case CT_EV_LIST:
      for(k=0; *zSub==0 && w.rc==0 && k<v.pList->n; k++){
        CtSpan t = { v.pList->az[k], strlen(v.pList->az[k]) };
        w.rc = xLeaf(pArg, CT_LEAF_TEXT, t);
      }
      break;
    case CT_EV_BOOL:
      if( *zSub==0 ){
        CtSpan t = { v.b ? "true" : "false", v.b ? 4 : 5 };
        w.rc = xLeaf(pArg, CT_LEAF_JSON, t);
      }
      break;
    case CT_EV_INT: case CT_EV_REAL:
      if( *zSub==0 ){
        CtSpan t = { aNum, 0 };
        if( v.eKind==CT_EV_INT ) sqlite3_snprintf(sizeof(aNum), aNum, "%lld", v.i);
        else ctJvReal17(aNum, v.r);
        t.n = strlen(aNum);
        w.rc = xLeaf(pArg, CT_LEAF_JSON, t);
      }
      break;
  }
  ctEcsValClear(&v);
  return w.rc;
}

/* The same for the field at zPath of an Elastic document doc. */
int ctEcsDocLeaves(CtSpan doc, const char *zPath, int bAll, CtEcsLeafFn xLeaf, void *pArg){
  CtLeafWalk w = { .xLeaf = xLeaf, .pArg = pArg, .bAll = bAll };
  ctLeavesBelow(&w, doc, zPath, 0);
  return w.rc;
}

/* ---------------------------------------------------------------------
** The SQL function
*/

/* Start mapping the raw record rec (text orig for event.original).  A
** record with a key twice in one object fails Elasticsearch's parser, so
** the whole pipeline: only event.original, event.kind and error.message
** (ctEcsDupCheck(), on the first field computed). */
void ctEcsRecInit(CtEcsRec *p, CtSpan rec, CtSpan orig, const CtEcsConf *pConf,
                  const CtMembers *pM){
  memset(p, 0, sizeof(*p));
  p->rec = rec;
  if( pM ) p->top = *pM;
  else ctEcsMembers(rec, &p->top);
  p->original = orig;
  p->pConf = pConf;
  p->bDupPending = 1;
  ctJvInit(&p->jv, 0);
}

/* The duplicate-key check, made when a field is first computed (a rule
** engine that rejects the event on one field never pays for it). */
static void ctEcsDupCheck(CtEcsRec *p){
  CtSpan dup;
  int r;
  p->bDupPending = 0;
  r = ctJvDuplicate(&p->jv, p->rec, &dup);
  if( r<0 ){ p->rc = SQLITE_NOMEM; return; }
  if( r>0 ){
    char *z = sqlite3_mprintf("cloudtrail: json processor: duplicate key \"%.*s\" "
                              "at offset %lld (Elasticsearch refuses the record)",
                              (int)dup.n, dup.z, (long long)(dup.z-1-p->original.z));
    p->bFailed = 1;
    if( z==0 ){ p->rc = SQLITE_NOMEM; return; }
    ctEcsListAdd(p, &p->aErr, z, strlen(z), 0);
    sqlite3_free(z);
  }
}

void ctEcsRecFree(CtEcsRec *p){
  int k;
  ctJvFree(&p->jv);
  ctEcsListClear(&p->aErr);
  ctEcsListClear(&p->scratch);
  ctEcsListClear(&p->keys);
  for(k=0; k<CT_EN_N; k++) ctEcsListClear(&p->aEn[k]);
}

/* Options of the three-argument form (parsed once per statement) or of
** the cloudtrail table's ecs column (once per scan). */
struct CtEcsOpts {
  CtEcsConf conf;
  int bFiles;             /* this build may open files */
  int bTable;             /* the table's options: leave its other keys */
};

void ctEcsOptsFree(void *pArg){
  CtEcsOpts *p = pArg;
  if( p==0 ) return;
  ctGeoClose(p->conf.pCity);
  ctGeoClose(p->conf.pAsn);
  sqlite3_free(p);
}

static int ctEcsOptSet(void *pArg, const char *zKey, size_t nKey,
                       const char *zVal, size_t nVal, char **pzErr){
  CtEcsOpts *p = pArg;
  char *zV = ctDequote(zVal, nVal);
  int rc = SQLITE_OK;
  if( zV==0 ) return SQLITE_NOMEM;
  if( nKey==8 && memcmp(zKey, "pipeline", 8)==0 ){
    if( strcmp(zV, "previous")==0 ) p->conf.eGen = CT_ECS_PREVIOUS;
    else if( strcmp(zV, "9.0.0")==0 ) p->conf.eGen = CT_ECS_900;
    else{
      *pzErr = sqlite3_mprintf("cloudtrail: cloudtrail_ecs() pipeline must be "
                               "'previous' or '9.0.0', not '%s'", zV);
      rc = SQLITE_ERROR;
    }
  }else if( nKey==6 && memcmp(zKey, "retain", 6)==0 ){
    static const char *const azRetain[] = {
      "all", "keyword", "flattened", "minimal", "none", 0
    };
    int k;
    for(k=0; azRetain[k] && strcmp(azRetain[k], zV)!=0; k++){}
    if( azRetain[k] ){
      p->conf.eRetain = k;
    }else{
      *pzErr = sqlite3_mprintf("cloudtrail: retain must be all, "
                               "keyword, flattened, minimal or none, not '%s'", zV);
      rc = SQLITE_ERROR;
    }
  }else if( (nKey==5 && memcmp(zKey, "geoip", 5)==0) || (nKey==3 && memcmp(zKey, "asn", 3)==0) ){
    int bAsn = nKey==3;
    CtGeoDb **ppDb = bAsn ? &p->conf.pAsn : &p->conf.pCity;
    if( !p->bFiles ){
      *pzErr = sqlite3_mprintf("cloudtrail: cloudtrail_ecs() option %.*s= reads a "
                               "file, which this build of the extension does not do",
                               (int)nKey, zKey);
      rc = SQLITE_ERROR;
    }else{
      ctGeoClose(*ppDb);
      *ppDb = 0;
      rc = ctGeoOpen(zV, bAsn, ppDb, pzErr);
    }
  }else if( p->bTable ){
    /* one of the table's own options (ct_options.c checked it) */
  }else{
    *pzErr = sqlite3_mprintf("cloudtrail: unknown cloudtrail_ecs() option '%.*s' "
                             "(known: pipeline, retain, geoip, asn)", (int)nKey, zKey);
    rc = SQLITE_ERROR;
  }
  sqlite3_free(zV);
  if( rc==SQLITE_ERROR && *pzErr==0 ) rc = SQLITE_NOMEM;
  return rc;
}

/*
** Parse the options text z into a new *pp (ctEcsOptsFree() frees it):
** pipeline=, retain=, geoip=, asn=.  bTable: z is the cloudtrail table's
** options, whose other keys are left alone; bFiles: geoip= and asn= may
** open their files.  On error *pzErr says why.
*/
int ctEcsOptsParse(const char *z, int bTable, int bFiles, CtEcsOpts **pp, char **pzErr){
  CtEcsOpts *p = sqlite3_malloc64(sizeof(*p));
  int rc;
  *pp = 0;
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->conf.eGen = CT_ECS_PREVIOUS;
  p->bFiles = bFiles;
  p->bTable = bTable;
  rc = ctOptionsEach(z, ctEcsOptSet, p, pzErr);
  if( rc ){ ctEcsOptsFree(p); return rc; }
  *pp = p;
  return SQLITE_OK;
}

const CtEcsConf *ctEcsOptsConf(const CtEcsOpts *p){
  return &p->conf;
}

/* The configuration of this call: the default, or argument 3's options
** (cached on the statement). */
static const CtEcsConf *ctEcsCallConf(sqlite3_context *ctx, int argc,
                                      sqlite3_value **argv, int *pbErr){
  static const CtEcsConf def = { .eGen = CT_ECS_PREVIOUS };
  CtEcsOpts *p;
  const char *z;
  char *zErr = 0;
  int rc;
  *pbErr = 0;
  if( argc<3 || (z = (const char*)sqlite3_value_text(argv[2]))==0 ) return &def;
  p = sqlite3_get_auxdata(ctx, 2);
  if( p ) return &p->conf;
  rc = ctEcsOptsParse(z, 0, sqlite3_user_data(ctx)!=0, &p, &zErr);
  if( rc ){
    if( zErr ){ sqlite3_result_error(ctx, zErr, -1); sqlite3_free(zErr); }
    else sqlite3_result_error_nomem(ctx);
    *pbErr = 1;
    return 0;
  }
  sqlite3_set_auxdata(ctx, 2, p, ctEcsOptsFree);
  p = sqlite3_get_auxdata(ctx, 2);
  if( p==0 ){ sqlite3_result_error_nomem(ctx); *pbErr = 1; return 0; }
  return &p->conf;
}

/* The field index of the path argument (cached on the statement). */
static int ctEcsCallField(sqlite3_context *ctx, sqlite3_value *pPath){
  int *piField = sqlite3_get_auxdata(ctx, 1);
  if( piField==0 ){
    const char *zPath = (const char*)sqlite3_value_text(pPath);
    piField = sqlite3_malloc64(sizeof(int));
    if( piField==0 ) return -2;
    *piField = zPath ? ctEcsFind(zPath) : -1;
    sqlite3_set_auxdata(ctx, 1, piField, sqlite3_free);
    piField = sqlite3_get_auxdata(ctx, 1);
    if( piField==0 ) return -2;
  }
  return *piField;
}

/* Map the raw record rec: the whole document, or zPath (iField) of it. */
static void ctEcsRawResult(sqlite3_context *ctx, CtSpan rec, const CtMembers *pM,
                           const CtEcsConf *pConf, const char *zPath, int iField){
  CtEcsRec r;
  ctEcsRecInit(&r, rec, rec, pConf, pM);
  if( r.rc==SQLITE_OK ){
    if( zPath ){
      ctEcsPathResult(ctx, &r, zPath, iField);
    }else{
      sqlite3_str *pOut = sqlite3_str_new(0);
      ctEcsDocument(&r, pOut, 0);
      ctEcsResultStr(ctx, pOut, r.rc);
    }
  }
  if( r.rc ) sqlite3_result_error_nomem(ctx);
  ctEcsRecFree(&r);
}

/* An Elastic document: as it is (expanded), or the value at zPath. */
static void ctEcsDocResult(sqlite3_context *ctx, CtSpan doc, const char *zPath){
  sqlite3_str *pOut;
  if( zPath ){ ctEcsResultBelow(ctx, doc, zPath, 0); return; }
  pOut = sqlite3_str_new(0);
  ctEcsResultStr(ctx, pOut, ctEcsExpand(pOut, doc));
}

/*
** cloudtrail_ecs(JSON [, PATH [, OPTIONS]]): the ECS document of a raw
** CloudTrail record (or of an EventBridge envelope's or a lookup-events
** item's record), or the value of its field PATH; an Elastic document or
** hit is its own document.  NULL for NULL, text that is not one JSON
** object, or an absent field.
*/
static void ctEcsFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *z = (const char*)sqlite3_value_text(argv[0]), *zPath = 0;
  size_t n = (size_t)sqlite3_value_bytes(argv[0]), i, iEnd;
  const CtEcsConf *pConf;
  CtUnwrapped u;
  CtBuf buf = {0, 0};
  CtMembers m;
  CtSpan obj;
  int iField = -1, bErr;
  if( z==0 ) return;
  if( argc>=2 && (zPath = (const char*)sqlite3_value_text(argv[1]))!=0 ){
    iField = ctEcsCallField(ctx, argv[1]);
    if( iField==-2 ){ sqlite3_result_error_nomem(ctx); return; }
  }
  pConf = ctEcsCallConf(ctx, argc, argv, &bErr);
  if( bErr ) return;
  i = ct_json_skip_ws(z, n, 0);
  if( i>=n || z[i]!='{' ) return;
  if( sqlite3_value_subtype(argv[0])==CT_SUBTYPE_RECORD ){
    iEnd = n;
    while( iEnd>i && CT_JSON_IS_WS(z[iEnd-1]) ) iEnd--;
  }else if( ct_json_validate(z, n, i, 1, CT_JSON_MAX_DEPTH, &iEnd, 0)!=CT_JSON_OK
         || ct_json_skip_ws(z, n, iEnd)!=n ){
    return;
  }
  obj.z = z+i;
  obj.n = iEnd-i;
  ctEcsMembers(obj, &m);
  if( ctRecordUnwrap(obj, &m, &buf, &u) ){ sqlite3_result_error_nomem(ctx); return; }
  if( u.eShape==CT_SHAPE_DIGEST ){ u.rec = obj; u.bMem = 1; }
  if( u.rec.z ){
    if( u.bEcs ) ctEcsDocResult(ctx, u.rec, zPath);
    else ctEcsRawResult(ctx, u.rec, u.bMem ? &m : 0, pConf, zPath, iField);
  }
  sqlite3_free(buf.a);
}

/* The whole document for the cloudtrail table's hidden ecs column. */
int ctEcsColumn(sqlite3_context *ctx, CtSpan rec, const CtEcsConf *pConf){
  static const CtEcsConf def = { .eGen = CT_ECS_PREVIOUS };
  CtUnwrapped u;
  CtBuf buf = {0, 0};
  CtMembers m;
  ctEcsMembers(rec, &m);
  if( ctRecordUnwrap(rec, &m, &buf, &u) ) return SQLITE_NOMEM;
  if( u.eShape==CT_SHAPE_DIGEST ){ u.rec = rec; u.bMem = 1; }
  if( u.rec.z ){
    if( u.bEcs ) ctEcsDocResult(ctx, u.rec, 0);
    else ctEcsRawResult(ctx, u.rec, u.bMem ? &m : 0, pConf ? pConf : &def, 0, -1);
  }
  sqlite3_free(buf.a);
  return SQLITE_OK;
}

/*
** cloudtrail_ecs_fields(): the table of fields as JSON, one object per
** field: path, generations ("previous", "9.0.0" or both), how it is
** derived, its source in the record, ignore_above.  docs/ecs.md is
** checked against it (tests/check_ecs_docs.py).
*/
static void ctEcsFieldsFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  static const char *const azHow[] = {
    "rename", "constant", "date", "toString", "flattened", "computed"
  };
  sqlite3_str *pOut = sqlite3_str_new(0);
  int k;
  (void)argc; (void)argv;
  sqlite3_str_appendchar(pOut, 1, '[');
  for(k=0; k<CT_ECS_NFIELD; k++){
    const CtEcsField *f = &ctEcsFields[k];
    const char *zGen = f->mGen==CT_ECS_BOTH ? "both"
                     : f->mGen==CT_ECS_PREVIOUS ? "previous" : "9.0.0";
    if( k ) sqlite3_str_appendchar(pOut, 1, ',');
    sqlite3_str_appendf(pOut, "{\"path\":\"%s\",\"pipeline\":\"%s\",\"how\":\"%s\",\"source\":",
                        f->zPath, zGen, azHow[f->eHow]);
    ctJvQuote(pOut, f->zSrc, strlen(f->zSrc));
    sqlite3_str_appendf(pOut, ",\"ignore_above\":%d}", f->nIgnoreAbove);
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  ctEcsResultStr(ctx, pOut, SQLITE_OK);
}

/*
** Registration.  The one- and two-argument forms read only their
** arguments: deterministic and innocuous, so saved views keep working
** under trusted_schema=OFF.  The three-argument form is not innocuous:
** its geoip= and asn= options open files (deterministic still: the same
** arguments over the same databases give the same answer).  bFiles is 0
** for sqlite3_cloudtrail_nofs_init, where those options are refused: there
** all three forms are innocuous.
*/
int ctRegisterEcs(sqlite3 *db, int bFiles){
  const int mPure = SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS;
  /* SQLITE_SUBTYPE: a raw column's subtype says it was validated already */
  const int mFunc = mPure|SQLITE_SUBTYPE;
  int rc = SQLITE_OK;
  if( !ctEcsCheckFields() ) return SQLITE_INTERNAL;
  rc = sqlite3_create_function(db, "cloudtrail_ecs", 1, mFunc, 0, ctEcsFunc, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "cloudtrail_ecs", 2, mFunc, 0, ctEcsFunc, 0, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "cloudtrail_ecs", 3,
        bFiles ? (mFunc & ~SQLITE_INNOCUOUS) : mFunc,
        bFiles ? (void*)db : 0, ctEcsFunc, 0, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "cloudtrail_ecs_fields", 0, mPure, 0,
                                 ctEcsFieldsFunc, 0, 0);
  }
  return rc;
}
