/*
** ct_qeval.c — Elasticsearch's semantics for KQL and EQL over one event.
**
**   SELECT kql_match('event.action: ConsoleLogin and not user.name: adm*', raw)
**     FROM cloudtrail('AWSLogs/');
**   SELECT eql_match('iam where stringContains(aws.cloudtrail.request_parameters,
**                     "AdministratorAccess")', raw) FROM cloudtrail('AWSLogs/');
**
** A raw record is mapped to the ECS document Elastic's aws.cloudtrail
** pipeline writes (ct_ecs.c), field by field as the query asks for them; an
** Elastic document is read as it is.  Each field has the type the
** integration's mapping gives it (ctQTypes[]): that decides how a query
** value compares with it (docs/detection.md states each rule).  Type errors
** are found when a query is compiled, never per event.
*/
#define _GNU_SOURCE 1      /* memmem(), inet_pton() */
#include <string.h>
#include <stdlib.h>
#include <math.h>
#include <ctype.h>
#include <arpa/inet.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "ct_fields.h"
#include "ct_qeval.h"
#include "ct_needle.h"
#include "ct_time.h"
#include "ct_jvalue.h"
SQLITE_EXTENSION_INIT3

/* ---------------------------------------------------------------------
** Field types of the aws.cloudtrail data stream's mapping
*/
#define CT_QT_KEYWORD   0     /* exact, case-sensitive; ignore_above */
#define CT_QT_TEXT      1     /* analysed: tokens, lower-cased */
#define CT_QT_NUMBER    2     /* long, float, ... */
#define CT_QT_BOOL      3
#define CT_QT_IP        4
#define CT_QT_DATE      5
#define CT_QT_FLATTENED 6     /* every leaf a keyword, no ignore_above */
#define CT_QT_CONST     7     /* constant_keyword: the data stream's value */
#define CT_QT_NOINDEX   8     /* kept in _source only: not searchable */
#define CT_QT_GEO       9     /* geo_point: no KQL/EQL query of ours */

/* Keyword fields without an ignore_above of their own get Fleet's default
** (1024 characters); longer values are kept in _source but not indexed. */
#define CT_QT_IGNORE_ABOVE 1024

typedef struct CtQType CtQType;
struct CtQType {
  const char *zPath;          /* field, or a flattened field's root */
  int eType;                  /* CT_QT_* */
  int nIgnoreAbove;           /* keyword: characters; 0 none */
  const char *zConst;         /* CT_QT_CONST: the value */
};

/* Every field whose type is not a keyword with ignore_above 1024: from the
** integration's fields.yml, base-fields.yml and ECS.  data_stream.namespace
** is Fleet's default namespace (raw logs carry none). */
static const CtQType ctQTypes[] = {
  { "@timestamp", CT_QT_DATE, 0, 0 },
  { "aws.cloudtrail.console_login.additional_eventdata.mfa_used", CT_QT_BOOL, 0, 0 },
  { "aws.cloudtrail.console_login.additional_eventdata.mobile_version", CT_QT_BOOL, 0, 0 },
  { "aws.cloudtrail.flattened.additional_eventdata", CT_QT_FLATTENED, 0, 0 },
  { "aws.cloudtrail.flattened.digest", CT_QT_FLATTENED, 0, 0 },
  { "aws.cloudtrail.flattened.insight_details", CT_QT_FLATTENED, 0, 0 },
  { "aws.cloudtrail.flattened.request_parameters", CT_QT_FLATTENED, 0, 0 },
  { "aws.cloudtrail.flattened.response_elements", CT_QT_FLATTENED, 0, 0 },
  { "aws.cloudtrail.flattened.service_event_details", CT_QT_FLATTENED, 0, 0 },
  { "aws.cloudtrail.read_only", CT_QT_BOOL, 0, 0 },
  { "aws.cloudtrail.request_parameters", CT_QT_KEYWORD, 8191, 0 },
  { "aws.cloudtrail.response_elements", CT_QT_KEYWORD, 8191, 0 },
  { "aws.cloudtrail.user_identity.session_context.assumed_root", CT_QT_BOOL, 0, 0 },
  { "aws.cloudtrail.user_identity.session_context.creation_date", CT_QT_DATE, 0, 0 },
  { "aws.cloudtrail.user_identity.session_context.web_id_federation_data.attributes",
    CT_QT_FLATTENED, 0, 0 },
  { "aws.s3.metadata", CT_QT_FLATTENED, 0, 0 },
  { "client.ip", CT_QT_IP, 0, 0 },
  { "data_stream.dataset", CT_QT_CONST, 0, "aws.cloudtrail" },
  { "data_stream.namespace", CT_QT_CONST, 0, "default" },
  { "data_stream.type", CT_QT_CONST, 0, "logs" },
  { "destination.ip", CT_QT_IP, 0, 0 },
  { "destination.port", CT_QT_NUMBER, 0, 0 },
  { "error.message", CT_QT_TEXT, 0, 0 },
  { "event.created", CT_QT_DATE, 0, 0 },
  { "event.dataset", CT_QT_CONST, 0, "aws.cloudtrail" },
  { "event.end", CT_QT_DATE, 0, 0 },
  { "event.ingested", CT_QT_DATE, 0, 0 },
  { "event.module", CT_QT_CONST, 0, "aws" },
  { "event.original", CT_QT_NOINDEX, 0, 0 },
  { "event.risk_score", CT_QT_NUMBER, 0, 0 },
  { "event.sequence", CT_QT_NUMBER, 0, 0 },
  { "event.severity", CT_QT_NUMBER, 0, 0 },
  { "event.start", CT_QT_DATE, 0, 0 },
  { "host.ip", CT_QT_IP, 0, 0 },
  { "message", CT_QT_TEXT, 0, 0 },
  { "related.ip", CT_QT_IP, 0, 0 },
  { "server.ip", CT_QT_IP, 0, 0 },
  { "source.as.number", CT_QT_NUMBER, 0, 0 },
  { "source.geo.location", CT_QT_GEO, 0, 0 },
  { "source.ip", CT_QT_IP, 0, 0 },
  { "source.port", CT_QT_NUMBER, 0, 0 },
};
#define CT_QT_N ((int)(sizeof(ctQTypes)/sizeof(ctQTypes[0])))

/* The type of zPath: an entry, a path below a flattened root, or keyword. */
static const CtQType *ctQTypeOf(const char *zPath){
  static const CtQType kw = { "", CT_QT_KEYWORD, CT_QT_IGNORE_ABOVE, 0 };
  static const CtQType flat = { "", CT_QT_FLATTENED, 0, 0 };
  int k;
  for(k=0; k<CT_QT_N; k++){
    const char *zT = ctQTypes[k].zPath;
    size_t n = strlen(zT);
    if( strcmp(zT, zPath)==0 ) return &ctQTypes[k];
    if( ctQTypes[k].eType==CT_QT_FLATTENED && strncmp(zT, zPath, n)==0 && zPath[n]=='.' ){
      return &flat;
    }
  }
  return &kw;
}

/* ---------------------------------------------------------------------
** Program: slots and rules
*/

/* Steps of a sequence whose failed-event answer is kept; later steps are
** evaluated as if unknown (-1). */
#define CT_Q_MAX_STEPS 8

/* Elasticsearch's default category field for EQL. */
#define CT_Q_CATEGORY_FIELD "event.category"
/* Longest field name a query may use (ECS names are under 100 bytes). */
#define CT_Q_MAX_FIELD 512

typedef struct CtQSlot CtQSlot;
struct CtQSlot {
  char *zPath;
  const CtQType *pType;
  int iEcs, iSub;             /* ctEcsResolve(): the ECS field (or -1) and the
                              ** offset of the path below it in zPath */
};

typedef struct CtQRule CtQRule;
struct CtQRule {
  CtQuery *pQuery;
  int iCatSlot;               /* the category field's slot */
  char *zNeedle;              /* see ctQNeedleOf() */
  int iDispSlot;              /* see ctQDispatchOf(): the slot, or -1 … */
  int nDisp;                  /* … and the literals, one of which it holds */
  const CtQNode **apDisp;
  int nNeedles;               /* ctQNeedlesOf(): texts one of which every match holds */
  char **azNeedles;
  int *aiNeedleSlot;          /* the slot of the field each needle is of */
  int aiFailed[CT_Q_MAX_STEPS];    /* ctQFailedResult(): per step */
  int iFailedUntil;
};

struct CtQProg {
  CtEcsConf conf;
  int nSlot, nSlotAlloc;
  CtQSlot *aSlot;
  int nRule, nRuleAlloc;
  CtQRule *aRule;
};

int ctQProgNew(const CtEcsConf *pConf, CtQProg **pp){
  CtQProg *p = sqlite3_malloc64(sizeof(*p));
  *pp = 0;
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->conf = *pConf;
  *pp = p;
  return SQLITE_OK;
}

void ctQProgFree(CtQProg *p){
  int k, j;
  if( p==0 ) return;
  for(k=0; k<p->nSlot; k++) sqlite3_free(p->aSlot[k].zPath);
  for(k=0; k<p->nRule; k++){
    sqlite3_free(p->aRule[k].zNeedle);
    sqlite3_free(p->aRule[k].apDisp);
    for(j=0; j<p->aRule[k].nNeedles; j++) sqlite3_free(p->aRule[k].azNeedles[j]);
    sqlite3_free(p->aRule[k].azNeedles);
    sqlite3_free(p->aRule[k].aiNeedleSlot);
  }
  sqlite3_free(p->aSlot);
  sqlite3_free(p->aRule);
  sqlite3_free(p);
}

int ctQProgSlot(CtQProg *p, const char *zPath, int *piSlot, char **pzErr){
  int k;
  CtQSlot *s;
  for(k=0; k<p->nSlot; k++){
    if( strcmp(p->aSlot[k].zPath, zPath)==0 ){ *piSlot = k; return SQLITE_OK; }
  }
  if( strlen(zPath)>CT_Q_MAX_FIELD || zPath[0]==0 ){
    *pzErr = sqlite3_mprintf("cloudtrail: field name '%.40s' is empty or too long", zPath);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( p->nSlot>=p->nSlotAlloc ){
    int nNew = p->nSlotAlloc*2 + 16;
    CtQSlot *aNew = sqlite3_realloc64(p->aSlot, sizeof(CtQSlot)*(sqlite3_uint64)nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    p->aSlot = aNew;
    p->nSlotAlloc = nNew;
  }
  s = &p->aSlot[p->nSlot];
  s->zPath = sqlite3_mprintf("%s", zPath);
  if( s->zPath==0 ) return SQLITE_NOMEM;
  s->pType = ctQTypeOf(zPath);
  s->iEcs = ctEcsResolve(zPath, &s->iSub);
  *piSlot = p->nSlot++;
  return SQLITE_OK;
}

const char *ctQProgSlotTopKey(const CtQProg *p, int iSlot){
  return (iSlot>=0 && iSlot<p->nSlot) ? ctEcsTopKey(p->aSlot[iSlot].iEcs) : 0;
}

const char *ctQProgSlotName(const CtQProg *p, int iSlot){
  return (iSlot>=0 && iSlot<p->nSlot) ? p->aSlot[iSlot].zPath : "";
}

/* True if dispatch literal node pLit is a KQL prefix pattern (A*), whose
** text before the '*' a value must start with. */
static int ctQDispIsPrefix(const CtQNode *pLit){
  return pLit->eOp==CT_QOP_KMATCH && (pLit->flags & CT_QF_WILD)!=0;
}

int ctQProgDispatch(const CtQProg *p, int iRule, int k, const char **pz, int *pn,
                    int *pbPrefix){
  const CtQRule *r = &p->aRule[iRule];
  if( k<0 || k>=r->nDisp ) return r->iDispSlot;
  *pz = r->apDisp[k]->z;
  *pbPrefix = ctQDispIsPrefix(r->apDisp[k]);
  *pn = r->apDisp[k]->n - *pbPrefix;
  return r->iDispSlot;
}

int ctQProgNeedles(const CtQProg *p, int iRule, const char *const **pazNeedle){
  *pazNeedle = (const char *const*)p->aRule[iRule].azNeedles;
  return p->aRule[iRule].nNeedles;
}

int ctQProgNeedleKey(const CtQProg *p, int iRule, int j, const char **pz){
  const CtQRule *r = &p->aRule[iRule];
  if( j<0 || j>=r->nNeedles || r->aiNeedleSlot[j]<0 ) return 0;
  return ctEcsTopContainer(p->aSlot[r->aiNeedleSlot[j]].iEcs, pz);
}

const char *ctQProgNeedle(const CtQProg *p, int iRule){
  return (iRule>=0 && iRule<p->nRule) ? p->aRule[iRule].zNeedle : 0;
}

/* ---------------------------------------------------------------------
** Values compiled from query literals
*/

/* An IP address or network: 16 bytes (IPv4 as ::ffff:a.b.c.d) and the
** prefix length in bits (128 for one address). */
typedef struct CtQNet CtQNet;
struct CtQNet {
  unsigned char a[16];
  int nBits;
};

/* Parse the address z[0..n) into a[16]; 1 on success. */
static int ctQParseIp(const char *z, int n, unsigned char *a){
  char zBuf[64];
  if( n<=0 || n>=(int)sizeof(zBuf) ) return 0;
  memcpy(zBuf, z, (size_t)n);
  zBuf[n] = 0;
  if( inet_pton(AF_INET6, zBuf, a)==1 ) return 1;
  if( inet_pton(AF_INET, zBuf, a+12)==1 ){
    memset(a, 0, 10);
    a[10] = a[11] = 0xff;
    return 1;
  }
  return 0;
}

/* Parse "addr" or "addr/bits" into *p; 1 on success. */
static int ctQParseNet(const char *z, int n, CtQNet *p){
  const char *zSlash = memchr(z, '/', (size_t)n);
  int bV4, v;
  if( !ctQParseIp(z, zSlash ? (int)(zSlash-z) : n, p->a) ) return 0;
  bV4 = memchr(z, ':', zSlash ? (size_t)(zSlash-z) : (size_t)n)==0;
  p->nBits = 128;
  if( zSlash==0 ) return 1;
  if( !ctDigits(zSlash+1, (int)(z+n-zSlash-1), 0, bV4 ? 32 : 128, &v) ) return 0;
  p->nBits = bV4 ? 96+v : v;
  return 1;
}

static int ctQNetHas(const CtQNet *pNet, const unsigned char *a){
  int nFull = pNet->nBits/8, nRest = pNet->nBits%8;
  if( memcmp(pNet->a, a, (size_t)nFull)!=0 ) return 0;
  if( nRest ){
    unsigned char m = (unsigned char)(0xff << (8-nRest));
    if( (pNet->a[nFull] & m)!=(a[nFull] & m) ) return 0;
  }
  return 1;
}

/* A number written z[0..n) (JSON or query syntax); 1 on success. */
static int ctQParseNumber(const char *z, int n, double *pR){
  char zBuf[64], *zEnd;
  if( n<=0 || n>=(int)sizeof(zBuf) ) return 0;
  memcpy(zBuf, z, (size_t)n);
  zBuf[n] = 0;
  *pR = strtod(zBuf, &zEnd);
  return zEnd==zBuf+n && isfinite(*pR);
}

/* A date z[0..n) as milliseconds since the epoch; 1 on success. */
static int ctQParseDate(const char *z, int n, double *pR){
  CtInstant t;
  if( ctTimeParse(z, n, &t, 0) ){      /* 1 on success */
    *pR = (double)t.iSec*1000.0 + (double)(t.iAtto/1000000000000000LL);
    return 1;
  }
  return ctQParseNumber(z, n, pR);      /* epoch milliseconds */
}

/* ---------------------------------------------------------------------
** Compiling: slots for fields, literals parsed for their field's type
*/

typedef struct CtQCompile CtQCompile;
struct CtQCompile {
  CtQProg *p;
  char **pzErr;
  int rc;
};

static void ctQErr(CtQCompile *c, const CtQNode *pNode, const char *zFmt, const char *zArg){
  char *zWhat = sqlite3_mprintf(zFmt, zArg);
  if( c->rc ) { sqlite3_free(zWhat); return; }
  if( zWhat==0 ){ c->rc = SQLITE_NOMEM; return; }
  *c->pzErr = sqlite3_mprintf("cloudtrail: %s at offset %d", zWhat, pNode ? pNode->iOffset : 0);
  sqlite3_free(zWhat);
  c->rc = *c->pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

static void ctQFreeAux(void *p){ sqlite3_free(p); }
static void ctQFreeRegex(void *p){ pcre2_code_free((pcre2_code*)p); }

/* The slot of a field node, refusing fields no query can search. */
static const CtQSlot *ctQFieldSlot(CtQCompile *c, CtQNode *pNode){
  const CtQSlot *s;
  if( c->rc ) return 0;
  if( strchr(pNode->zField, '*') ){
    ctQErr(c, pNode, "field name patterns such as '%s' are not supported", pNode->zField);
    return 0;
  }
  if( strlen(pNode->zField)>CT_Q_MAX_FIELD ){
    ctQErr(c, pNode, "field name '%.40s...' is too long", pNode->zField);
    return 0;
  }
  c->rc = ctQProgSlot(c->p, pNode->zField, &pNode->iSlot, c->pzErr);
  if( c->rc ) return 0;
  s = &c->p->aSlot[pNode->iSlot];
  if( s->pType->eType==CT_QT_NOINDEX ){
    ctQErr(c, pNode, "field %s is not indexed (index: false): Elasticsearch cannot search it",
           pNode->zField);
  }else if( s->pType->eType==CT_QT_GEO ){
    ctQErr(c, pNode, "field %s is a geo_point: geo queries are not supported", pNode->zField);
  }
  return c->rc ? 0 : s;
}

/* A KQL value for a field of type eType: parsed once, into r or pAux. */
static void ctQCompileKValue(CtQCompile *c, CtQNode *pNode, int eType){
  int bWild = (pNode->flags & CT_QF_WILD)!=0;
  if( bWild && eType!=CT_QT_KEYWORD && eType!=CT_QT_FLATTENED && eType!=CT_QT_CONST
   && eType!=CT_QT_TEXT ){
    ctQErr(c, pNode, "a wildcard value on field %s, which is no keyword or text field",
           pNode->zField);
    return;
  }
  switch( eType ){
    case CT_QT_NUMBER:
      if( !ctQParseNumber(pNode->z, pNode->n, &pNode->r) ){
        ctQErr(c, pNode, "'%s' is no number (the field is numeric)", pNode->z);
      }
      break;
    case CT_QT_BOOL:
      if( strcmp(pNode->z, "true")==0 ) pNode->r = 1;
      else if( strcmp(pNode->z, "false")==0 ) pNode->r = 0;
      else ctQErr(c, pNode, "'%s' is no boolean (true or false)", pNode->z);
      break;
    case CT_QT_DATE:
      if( pNode->z[0]=='n' && strncmp(pNode->z, "now", 3)==0 ){
        ctQErr(c, pNode, "date math ('%s') needs a clock; give the date instead", pNode->z);
      }else if( !ctQParseDate(pNode->z, pNode->n, &pNode->r) ){
        ctQErr(c, pNode, "'%s' is no date", pNode->z);
      }
      break;
    case CT_QT_IP: {
      CtQNet *pNet = sqlite3_malloc64(sizeof(*pNet));
      if( pNet==0 ){ c->rc = SQLITE_NOMEM; return; }
      pNode->pAux = pNet;
      pNode->xAuxFree = ctQFreeAux;
      if( !ctQParseNet(pNode->z, pNode->n, pNet) ){
        ctQErr(c, pNode, "'%s' is no IP address or CIDR network", pNode->z);
      }else if( pNode->eOp==CT_QOP_KRANGE && pNet->nBits!=128 ){
        ctQErr(c, pNode, "a range bound must be an address, not the network '%s'", pNode->z);
      }
      break;
    }
  }
}

/* Regular expressions: PCRE2 over the whole value.  Lucene's syntax (which
** Elasticsearch uses) shares PCRE's core; its own operators, and PCRE's
** that Lucene lacks, are refused rather than read differently. */
static int ctQRegexCheck(const char *z, int n, int *piBad){
  int i, bClass = 0;
  for(i=0; i<n; i++){
    char ch = z[i];
    if( ch=='\\' ){
      if( i+1<n && z[i+1]>='0' && z[i+1]<='9' ){ *piBad = i; return 0; }
      i++;
      continue;
    }
    if( bClass ){ if( ch==']' ) bClass = 0; continue; }
    if( ch=='[' ){ bClass = 1; if( i+1<n && z[i+1]==']' ) i++; continue; }
    if( strchr("@#&~<>\"^$", ch) || (ch=='(' && i+1<n && z[i+1]=='?') ){
      *piBad = i;
      return 0;
    }
  }
  return 1;
}

static void ctQCompileRegex(CtQCompile *c, CtQNode *pArg, int bCaseless){
  int iBad = 0, errCode;
  PCRE2_SIZE iErr;
  pcre2_code *pRe;
  uint32_t opts = PCRE2_ANCHORED|PCRE2_ENDANCHORED|PCRE2_DOTALL|PCRE2_UTF
                | PCRE2_MATCH_INVALID_UTF | (bCaseless ? PCRE2_CASELESS : 0);
  if( pArg->eOp!=CT_QOP_STR ){ ctQErr(c, pArg, "%s", "regex patterns must be strings"); return; }
  if( !ctQRegexCheck(pArg->z, pArg->n, &iBad) ){
    char zCh[2] = { pArg->z[iBad], 0 };
    ctQErr(c, pArg, "regex operator '%s' differs between Lucene and PCRE: not supported", zCh);
    return;
  }
  pRe = pcre2_compile((PCRE2_SPTR)pArg->z, (PCRE2_SIZE)pArg->n, opts, &errCode, &iErr, 0);
  if( pRe==0 ){
    PCRE2_UCHAR aMsg[120];
    pcre2_get_error_message(errCode, aMsg, sizeof(aMsg));
    ctQErr(c, pArg, "invalid regex: %s", (const char*)aMsg);
    return;
  }
  /* Compiled to machine code where PCRE2 can (same matches, several times
  ** faster per event); where it cannot, pcre2_match() interprets. */
  (void)pcre2_jit_compile(pRe, PCRE2_JIT_COMPLETE);
  pArg->pAux = pRe;
  pArg->xAuxFree = ctQFreeRegex;
}

static void ctQCompileNode(CtQCompile *c, CtQNode *pNode, int nDepth);

static void ctQCompileKql(CtQCompile *c, CtQNode *pNode){
  const CtQSlot *s;
  switch( pNode->eOp ){
    case CT_QOP_KNESTED:
      ctQErr(c, pNode, "nested query on %s: the aws.cloudtrail mapping has no nested fields",
             pNode->zField);
      return;
    case CT_QOP_KFREE:
      ctQErr(c, pNode, "value '%s' names no field: default-field search is not supported",
             pNode->z);
      return;
  }
  s = ctQFieldSlot(c, pNode);
  if( s==0 || pNode->eOp==CT_QOP_KEXISTS ) return;
  if( pNode->eOp==CT_QOP_KRANGE && s->pType->eType==CT_QT_TEXT ){
    ctQErr(c, pNode, "a range on the text field %s", pNode->zField);
    return;
  }
  ctQCompileKValue(c, pNode, s->pType->eType);
}

/* EQL: a literal compared with a date or IP field is parsed as one. */
static void ctQCompileTyped(CtQCompile *c, CtQNode *pField, CtQNode *pLit){
  int eType;
  if( pField->eOp!=CT_QOP_FIELD || pLit->eOp!=CT_QOP_STR || pField->iSlot<0 ) return;
  eType = c->p->aSlot[pField->iSlot].pType->eType;
  if( eType==CT_QT_DATE ){
    if( !ctQParseDate(pLit->z, pLit->n, &pLit->r) ) ctQErr(c, pLit, "'%s' is no date", pLit->z);
    else pLit->eOp = CT_QOP_REAL;
  }
}

static void ctQCompileNode(CtQCompile *c, CtQNode *pNode, int nDepth){
  int k;
  if( pNode==0 || c->rc ) return;
  if( nDepth>CT_JSON_MAX_DEPTH ){ ctQErr(c, pNode, "%s", "query nested too deeply"); return; }
  switch( pNode->eOp ){
    case CT_QOP_KMATCH: case CT_QOP_KRANGE: case CT_QOP_KEXISTS:
    case CT_QOP_KNESTED: case CT_QOP_KFREE:
      ctQCompileKql(c, pNode);
      return;
    case CT_QOP_FIELD:
      ctQFieldSlot(c, pNode);
      return;
  }
  ctQCompileNode(c, pNode->pLeft, nDepth+1);
  ctQCompileNode(c, pNode->pRight, nDepth+1);
  for(k=0; k<pNode->nArg; k++) ctQCompileNode(c, pNode->apArg[k], nDepth+1);
  if( c->rc ) return;
  if( pNode->eOp==CT_QOP_REGEX ){
    for(k=0; k<pNode->nArg && c->rc==0; k++){
      ctQCompileRegex(c, pNode->apArg[k], (pNode->flags & CT_QF_CASELESS)!=0);
    }
  }else if( pNode->eOp==CT_QOP_LIKE ){
    for(k=0; k<pNode->nArg && c->rc==0; k++){
      if( pNode->apArg[k]->eOp!=CT_QOP_STR ){
        ctQErr(c, pNode->apArg[k], "%s", "like patterns must be strings");
      }
    }
  }else if( pNode->eOp==CT_QOP_CMP ){
    ctQCompileTyped(c, pNode->pLeft, pNode->pRight);
    ctQCompileTyped(c, pNode->pRight, pNode->pLeft);
  }else if( pNode->eOp==CT_QOP_IN ){
    for(k=0; k<pNode->nArg; k++) ctQCompileTyped(c, pNode->pLeft, pNode->apArg[k]);
  }
}

/* ---------------------------------------------------------------------
** Rules
*/

static int ctQFailedResult(CtQProg *p, CtQRule *r, int iRule);

/* True if the tree pNode reads field zPath. */
static int ctQNodeUses(const CtQNode *pNode, const char *zPath){
  int k;
  if( pNode==0 ) return 0;
  if( pNode->zField && strcmp(pNode->zField, zPath)==0 ) return 1;
  if( ctQNodeUses(pNode->pLeft, zPath) || ctQNodeUses(pNode->pRight, zPath) ) return 1;
  for(k=0; k<pNode->nArg; k++) if( ctQNodeUses(pNode->apArg[k], zPath) ) return 1;
  return 0;
}

static int ctQQueryUses(const CtQuery *q, const char *zPath){
  int k;
  if( ctQNodeUses(q->pWhere, zPath) ) return 1;
  for(k=0; k<q->nStep; k++) if( ctQNodeUses(q->aStep[k].pWhere, zPath) ) return 1;
  return q->pUntil && ctQNodeUses(q->pUntil->pWhere, zPath);
}

/* Characters a needle may hold: any that JSON writes as themselves in every
** encoder (no quote, backslash, control byte or '/', which may be "\/"). */
static int ctQNeedleSafe(const char *z, int n){
  int i;
  for(i=0; i<n; i++){
    unsigned char ch = (unsigned char)z[i];
    if( ch<0x20 || ch=='"' || ch=='\\' || ch=='/' ) return 0;
  }
  return n>=4;
}

/* The literal a conjunct requires of a field whose ECS value is a raw
** string copied as it is, or 0. */
static const CtQNode *ctQRequiredLiteral(const CtQProg *p, const CtQNode *pNode){
  const CtQNode *pField = 0, *pLit = 0;
  if( pNode->eOp==CT_QOP_KMATCH && (pNode->flags & CT_QF_WILD)==0 ){
    pField = pLit = pNode;
  }else if( pNode->eOp==CT_QOP_CMP && pNode->iCmp==CT_QC_EQ
         && (pNode->flags & CT_QF_CASELESS)==0 ){
    pField = pNode->pLeft->eOp==CT_QOP_FIELD ? pNode->pLeft : pNode->pRight;
    pLit = pField==pNode->pLeft ? pNode->pRight : pNode->pLeft;
    if( pField->eOp!=CT_QOP_FIELD || pLit->eOp!=CT_QOP_STR ) return 0;
  }else{
    return 0;
  }
  if( pField->iSlot<0 ) return 0;
  {
    const CtQSlot *s = &p->aSlot[pField->iSlot];
    if( s->pType->eType!=CT_QT_KEYWORD || s->iEcs<0 || s->zPath[s->iSub]!=0 ) return 0;
    if( !ctEcsIsCopy(s->iEcs) ) return 0;
  }
  return ctQNeedleSafe(pLit->z, pLit->n) ? pLit : 0;
}

/*
** The needle of a condition: the longest literal that one of its top-level
** "and" terms requires verbatim of a field copied from the raw record
** (event.provider == "signin.amazonaws.com" needs the text
** signin.amazonaws.com in the record, or an escape that may spell it).
** Every event the condition matches contains it, so an event that lacks
** it is rejected without mapping a field (ctNeedleExcluded()).
*/
static const CtQNode *ctQNeedleOf(const CtQProg *p, const CtQNode *pNode){
  const CtQNode *a, *b;
  if( pNode==0 ) return 0;
  if( pNode->eOp==CT_QOP_AND ){
    a = ctQNeedleOf(p, pNode->pLeft);
    b = ctQNeedleOf(p, pNode->pRight);
    if( a==0 ) return b;
    if( b==0 ) return a;
    return b->n > a->n ? b : a;
  }
  return ctQRequiredLiteral(p, pNode);
}

/* pNode itself when it is a KQL wildcard of one literal and a final '*'
** (event.action: DeleteFunction20*) on a field copied as it is, so a match
** starts with the literal; else 0.  Case-sensitive, as KQL is on keyword
** fields; EQL's ':' folds case and is no such term. */
static const CtQNode *ctQRequiredPrefix(const CtQProg *p, const CtQNode *pNode){
  const CtQSlot *s;
  if( pNode->eOp!=CT_QOP_KMATCH || (pNode->flags & CT_QF_WILD)==0
   || (pNode->flags & CT_QF_CASELESS)!=0 || pNode->iSlot<0 || pNode->n<2
   || pNode->z[pNode->n-1]!='*' || memchr(pNode->z, '*', (size_t)pNode->n-1) ){
    return 0;
  }
  s = &p->aSlot[pNode->iSlot];
  if( s->pType->eType!=CT_QT_KEYWORD || s->iEcs<0 || s->zPath[s->iSub]!=0 ) return 0;
  if( !ctEcsIsCopy(s->iEcs) ) return 0;
  return ctQNeedleSafe(pNode->z, pNode->n-1) ? pNode : 0;
}

/* A dispatch candidate: field slot and the literals one of which it must
** hold (ctQDispatchOf()). */
#define CT_Q_MAX_DISPATCH 64    /* longest literal list worth indexing */
typedef struct CtQDisp CtQDisp;
struct CtQDisp {
  int iSlot, n;
  const CtQNode *ap[CT_Q_MAX_DISPATCH];
};

/* The literals pNode requires of one copied keyword field (an equality,
** an "in" list, or an "or" of equalities on the field), into *d; 0 if
** pNode is no such term. */
static int ctQDispTerm(const CtQProg *p, const CtQNode *pNode, CtQDisp *d){
  const CtQNode *pLit;
  if( pNode->eOp==CT_QOP_OR ){
    CtQDisp a, b;
    if( !ctQDispTerm(p, pNode->pLeft, &a) || !ctQDispTerm(p, pNode->pRight, &b) ) return 0;
    if( a.iSlot!=b.iSlot || a.n+b.n>CT_Q_MAX_DISPATCH ) return 0;
    *d = a;
    memcpy(&d->ap[d->n], b.ap, sizeof(b.ap[0])*(size_t)b.n);
    d->n += b.n;
    return 1;
  }
  if( pNode->eOp==CT_QOP_IN && (pNode->flags & (CT_QF_NEGATED|CT_QF_CASELESS))==0
   && pNode->pLeft->eOp==CT_QOP_FIELD && pNode->nArg<=CT_Q_MAX_DISPATCH && pNode->nArg>0 ){
    int k;
    CtQNode cmp;
    memset(&cmp, 0, sizeof(cmp));
    cmp.eOp = CT_QOP_CMP;
    cmp.iCmp = CT_QC_EQ;
    cmp.pLeft = pNode->pLeft;
    d->n = 0;
    for(k=0; k<pNode->nArg; k++){
      cmp.pRight = pNode->apArg[k];
      if( ctQRequiredLiteral(p, &cmp)==0 ) return 0;
      d->ap[d->n++] = pNode->apArg[k];
    }
    d->iSlot = pNode->pLeft->iSlot;
    return 1;
  }
  pLit = ctQRequiredLiteral(p, pNode);
  if( pLit==0 ) pLit = ctQRequiredPrefix(p, pNode);
  if( pLit==0 ) return 0;
  d->iSlot = pNode->eOp==CT_QOP_KMATCH ? pNode->iSlot
           : pNode->pLeft->eOp==CT_QOP_FIELD ? pNode->pLeft->iSlot : pNode->pRight->iSlot;
  d->n = 1;
  d->ap[0] = pLit;
  return 1;
}

/* A provider serves tens of actions: a term on event.provider counts as
** this many literals of event.action (measured on the bench corpus, the
** S3, EC2 and Lambda rules' action lists of 5 to 12 are far more selective
** than their provider). */
#define CT_Q_PROVIDER_COST 16
/* A dispatch on a field below the top level needs the record mapped
** first, and cloudtrail_detect's text dispatch cannot use it at all: it
** counts as this many literals of a top-level one, so that any top-level
** dispatch wins (aws.cloudtrail.user_identity.type: AssumedRole, one
** literal, names most events; eleven event.action names do not). */
#define CT_Q_NESTED_COST CT_Q_MAX_DISPATCH

/* How selective a dispatch term is: fewer literals, event.action (hundreds
** of values) before event.provider (tens: CT_Q_PROVIDER_COST), a top-level key before a nested one; lower is better. */
static int ctQDispCost(const CtQProg *p, const CtQDisp *d){
  const CtQSlot *s = &p->aSlot[d->iSlot];
  int nCost = d->n * (strcmp(s->zPath, "event.provider")==0 ? CT_Q_PROVIDER_COST : 1);
  /* a top-level key can be found in the text without mapping the record */
  return ctEcsTopKey(s->iEcs) ? nCost : nCost*CT_Q_NESTED_COST;
}

/*
** The dispatch of a condition: the most selective of its top-level "and"
** terms that requires one of a few literals of a field copied from the
** record.  cloudtrail_detect reads the field once per event and evaluates
** only the rules one of whose literals it holds.  0 if none.
*/
static int ctQDispatchOf(const CtQProg *p, const CtQNode *pNode, CtQDisp *pBest){
  CtQDisp d;
  if( pNode==0 ) return 0;
  if( pNode->eOp==CT_QOP_AND ){
    int a = ctQDispatchOf(p, pNode->pLeft, pBest);
    CtQDisp best2;
    int b = ctQDispatchOf(p, pNode->pRight, &best2);
    if( b && (!a || ctQDispCost(p, &best2)<ctQDispCost(p, pBest)) ) *pBest = best2;
    return a || b;
  }
  if( ctQDispTerm(p, pNode, &d) ){
    *pBest = d;
    return 1;
  }
  if( pNode->eOp==CT_QOP_OR ){
    /* each side's dispatch on one field: a match holds one of the union
    ** (event.action: (A or B) or (event.action: C and x: *) needs A, B, C) */
    CtQDisp b;
    if( !ctQDispatchOf(p, pNode->pLeft, &d) || !ctQDispatchOf(p, pNode->pRight, &b) ) return 0;
    if( d.iSlot!=b.iSlot || d.n+b.n>CT_Q_MAX_DISPATCH ) return 0;
    memcpy(&d.ap[d.n], b.ap, sizeof(b.ap[0])*(size_t)b.n);
    d.n += b.n;
    *pBest = d;
    return 1;
  }
  return 0;
}

/* A set of needles (ctQNeedlesOf()): texts of which a match holds one. */
#define CT_Q_MAX_NEEDLES 16
typedef struct CtQNeedles CtQNeedles;
struct CtQNeedles {
  int n;
  const char *az[CT_Q_MAX_NEEDLES];
  int an[CT_Q_MAX_NEEDLES];
  int aiSlot[CT_Q_MAX_NEEDLES];    /* the field each is of */
};

/* The longest run of literal bytes in KQL wildcard pattern z (no escapes),
** or 0. */
static int ctQPatternRun(const char *z, int n, const char **pz){
  int i, iStart = 0, nBest = 0;
  if( memchr(z, '\\', (size_t)n) ) return 0;
  for(i=0; i<=n; i++){
    if( i==n || z[i]=='*' ){
      if( i-iStart>nBest ){ nBest = i-iStart; *pz = z+iStart; }
      iStart = i+1;
    }
  }
  return nBest;
}

/* One leaf's needle: an equality, a case-sensitive substring function or
** a KQL wildcard on a field copied from the record. */
static int ctQNeedleLeaf(const CtQProg *p, const CtQNode *pNode, const char **pz,
                         int *pn, int *piSlot){
  const CtQNode *pLit = ctQRequiredLiteral(p, pNode), *pF;
  const CtQSlot *s;
  if( pLit ){
    *pz = pLit->z;
    *pn = pLit->n;
    if( pNode->eOp==CT_QOP_KMATCH ) *piSlot = pNode->iSlot;
    else *piSlot = pNode->pLeft->eOp==CT_QOP_FIELD ? pNode->pLeft->iSlot : pNode->pRight->iSlot;
    return 1;
  }
  if( pNode->eOp==CT_QOP_CALL && (pNode->flags & CT_QF_CASELESS)==0 && pNode->nArg==2
   && (strcmp(pNode->z, "stringcontains")==0 || strcmp(pNode->z, "startswith")==0
       || strcmp(pNode->z, "endswith")==0) ){
    pF = pNode->apArg[0];
    pLit = pNode->apArg[1];
    if( pF->eOp!=CT_QOP_FIELD || pLit->eOp!=CT_QOP_STR || pF->iSlot<0 ) return 0;
    *pz = pLit->z;
    *pn = pLit->n;
  }else if( pNode->eOp==CT_QOP_KMATCH && (pNode->flags & CT_QF_WILD) && pNode->iSlot>=0 ){
    pF = pNode;
    *pn = ctQPatternRun(pNode->z, pNode->n, pz);
  }else{
    return 0;
  }
  s = &p->aSlot[pF->iSlot];
  if( s->pType->eType!=CT_QT_KEYWORD || s->iEcs<0 || s->zPath[s->iSub]!=0 || !ctEcsIsCopy(s->iEcs) ){
    return 0;
  }
  *piSlot = pF->iSlot;
  return ctQNeedleSafe(*pz, *pn);
}

/* The length of the shortest needle of ns. */
static int ctQNeedlesShortest(const CtQNeedles *ns){
  int k, n = ns->an[0];
  for(k=1; k<ns->n; k++) if( ns->an[k]<n ) n = ns->an[k];
  return n;
}

/*
** The needles of a condition: texts one of which every event it matches
** contains (an "and" term's, or the union of both sides of an "or").
** A rule without a dispatch is rejected by them before it is evaluated.
*/
static int ctQNeedlesOf(const CtQProg *p, const CtQNode *pNode, CtQNeedles *pOut){
  CtQNeedles a, b;
  if( pNode==0 ) return 0;
  if( pNode->eOp==CT_QOP_AND ){
    int bA = ctQNeedlesOf(p, pNode->pLeft, &a), bB = ctQNeedlesOf(p, pNode->pRight, &b);
    if( !bA && !bB ) return 0;
    /* fewer needles, then the longer shortest one (rarer in a record:
    ** BedrockAPIKey- before IAMUser) */
    if( bA && bB && a.n==b.n ) *pOut = ctQNeedlesShortest(&a)>=ctQNeedlesShortest(&b) ? a : b;
    else *pOut = (!bB || (bA && a.n<b.n)) ? a : b;
    return 1;
  }
  if( pNode->eOp==CT_QOP_OR ){
    if( !ctQNeedlesOf(p, pNode->pLeft, &a) || !ctQNeedlesOf(p, pNode->pRight, &b) ) return 0;
    if( a.n+b.n>CT_Q_MAX_NEEDLES ) return 0;
    memcpy(&a.az[a.n], b.az, sizeof(b.az[0])*(size_t)b.n);
    memcpy(&a.an[a.n], b.an, sizeof(b.an[0])*(size_t)b.n);
    memcpy(&a.aiSlot[a.n], b.aiSlot, sizeof(b.aiSlot[0])*(size_t)b.n);
    a.n += b.n;
    *pOut = a;
    return 1;
  }
  if( !ctQNeedleLeaf(p, pNode, &pOut->az[0], &pOut->an[0], &pOut->aiSlot[0]) ) return 0;
  pOut->n = 1;
  return 1;
}

static int ctQKeepNeedles(CtQRule *r, const CtQNeedles *ns){
  int k;
  r->azNeedles = sqlite3_malloc64(sizeof(char*)*(sqlite3_uint64)ns->n);
  if( r->azNeedles==0 ) return SQLITE_NOMEM;
  r->aiNeedleSlot = sqlite3_malloc64(sizeof(int)*(sqlite3_uint64)ns->n);
  if( r->aiNeedleSlot==0 ) return SQLITE_NOMEM;
  memcpy(r->aiNeedleSlot, ns->aiSlot, sizeof(int)*(size_t)ns->n);
  for(k=0; k<ns->n; k++){
    r->azNeedles[k] = sqlite3_mprintf("%.*s", ns->an[k], ns->az[k]);
    if( r->azNeedles[k]==0 ) return SQLITE_NOMEM;
    r->nNeedles = k+1;
  }
  return SQLITE_OK;
}

int ctQProgAdd(CtQProg *p, CtQuery *pQuery, const char *zCategoryField,
               int *piRule, char **pzErr){
  CtQCompile c = { .p = p, .pzErr = pzErr };
  CtQRule *r;
  const CtQNode *pNeedle = 0;
  int k;
  *pzErr = 0;
  if( p->nRule>=p->nRuleAlloc ){
    int nNew = p->nRuleAlloc*2 + 8;
    CtQRule *aNew = sqlite3_realloc64(p->aRule, sizeof(CtQRule)*(sqlite3_uint64)nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    p->aRule = aNew;
    p->nRuleAlloc = nNew;
  }
  r = &p->aRule[p->nRule];
  memset(r, 0, sizeof(*r));
  r->pQuery = pQuery;
  r->iCatSlot = -1;
  if( pQuery->eLang==CT_QL_EQL ){
    c.rc = ctQProgSlot(p, zCategoryField ? zCategoryField : CT_Q_CATEGORY_FIELD,
                       &r->iCatSlot, pzErr);
  }
  ctQCompileNode(&c, pQuery->pWhere, 0);
  for(k=0; k<pQuery->nStep; k++) ctQCompileNode(&c, pQuery->aStep[k].pWhere, 0);
  for(k=0; k<pQuery->nBy; k++) ctQCompileNode(&c, pQuery->apBy[k], 0);
  for(k=0; k<pQuery->nStep; k++){
    int j;
    for(j=0; j<pQuery->aStep[k].nBy; j++) ctQCompileNode(&c, pQuery->aStep[k].apBy[j], 0);
  }
  if( pQuery->pUntil ) ctQCompileNode(&c, pQuery->pUntil->pWhere, 0);
  if( c.rc ) return c.rc;
  if( pQuery->nStep==0 ) pNeedle = ctQNeedleOf(p, pQuery->pWhere);
  if( pNeedle ){
    r->zNeedle = sqlite3_mprintf("%.*s", pNeedle->n, pNeedle->z);
    if( r->zNeedle==0 ) return SQLITE_NOMEM;
  }
  r->iDispSlot = -1;
  if( pQuery->nStep==0 ){
    CtQDisp *d = sqlite3_malloc64(sizeof(*d));
    if( d==0 ){ sqlite3_free(r->zNeedle); return SQLITE_NOMEM; }
    if( ctQDispatchOf(p, pQuery->pWhere, d) ){
      r->apDisp = sqlite3_malloc64(sizeof(CtQNode*)*(sqlite3_uint64)d->n);
      if( r->apDisp==0 ){ sqlite3_free(d); sqlite3_free(r->zNeedle); return SQLITE_NOMEM; }
      memcpy(r->apDisp, d->ap, sizeof(CtQNode*)*(size_t)d->n);
      r->nDisp = d->n;
      r->iDispSlot = d->iSlot;
    }
    sqlite3_free(d);
  }
  *piRule = p->nRule++;
  if( (c.rc = ctQFailedResult(p, r, *piRule))!=SQLITE_OK ) return c.rc;
  if( pQuery->nStep==0 ){
    CtQNeedles ns;
    if( ctQNeedlesOf(p, pQuery->pWhere, &ns) ) return ctQKeepNeedles(r, &ns);
  }
  return SQLITE_OK;
}

/* ---------------------------------------------------------------------
** Documents
*/

/* Memory for one event's decoded values, kept from event to event. */
#define CT_Q_ARENA_BLOCK 4096
typedef struct CtQBlock CtQBlock;
struct CtQBlock {
  CtQBlock *pNext;
  size_t nSize, nUsed;
  char a[];
};

struct CtQDoc {
  const CtQProg *pProg;
  CtBuf dec;                  /* a lookup item's decoded record */
  CtUnwrapped u;
  CtMembers m;                /* the object's members, when not given … */
  const CtMembers *pMem;      /* … the members in use: the caller's or m */
  int bRaw;                   /* u.rec is a raw record: map it */
  int bRec;                   /* rec is initialised */
  CtEcsRec rec;
  int bDataset;               /* an Elastic document of aws.cloudtrail */
  int bFailedDoc;             /* a failed event's document (ctQFailedResult()) */
  int nSlot;
  CtQVals *aVal;
  unsigned char *aDone;
  CtQBlock *pArena;
  pcre2_match_data *pMatch;
  int rc;
};

static char *ctQAlloc(CtQDoc *d, size_t n){
  CtQBlock *b = d->pArena;
  if( b==0 || b->nUsed+n > b->nSize ){
    size_t nSize = n>CT_Q_ARENA_BLOCK ? n : CT_Q_ARENA_BLOCK;
    CtQBlock *pNew = sqlite3_malloc64(sizeof(CtQBlock)+nSize);
    if( pNew==0 ){ d->rc = SQLITE_NOMEM; return 0; }
    pNew->pNext = b;
    pNew->nSize = nSize;
    pNew->nUsed = 0;
    d->pArena = b = pNew;
  }
  b->nUsed += n;
  return b->a + b->nUsed - n;
}

static void ctQArenaReset(CtQDoc *d){
  while( d->pArena && d->pArena->pNext ){
    CtQBlock *p = d->pArena;
    d->pArena = p->pNext;
    sqlite3_free(p);
  }
  if( d->pArena ) d->pArena->nUsed = 0;
}

static char *ctQCopy(CtQDoc *d, const char *z, size_t n){
  char *zOut = ctQAlloc(d, n+1);
  if( zOut ){ memcpy(zOut, z, n); zOut[n] = 0; }
  return zOut;
}

/* The dataset an Elastic document says it belongs to. */
static int ctQDocIsCloudtrail(CtSpan doc){
  static const char *const azField[] = { "data_stream.dataset", "event.dataset" };
  int k;
  for(k=0; k<2; k++){
    CtSpan v = ct_json_lookup(doc, azField[k]);
    CtSpan b = ctJsonStringBody(v);
    if( b.z && b.n==14 && memcmp(b.z, "aws.cloudtrail", 14)==0 ) return 1;
  }
  return 0;
}

/* ctQDocBegin(), and ctQDocBeginRaw() when bRaw: obj is known to be a
** raw record, so its shape is not looked for again. */
static int ctQDocStart(CtQDoc **pp, const CtQProg *pProg, CtSpan obj,
                       const CtMembers *pM, int bRaw){
  CtQDoc *d = *pp;
  if( d==0 ){
    d = sqlite3_malloc64(sizeof(*d));
    if( d==0 ) return SQLITE_NOMEM;
    memset(d, 0, sizeof(*d));
    *pp = d;
  }
  d->pProg = pProg;
  d->rc = SQLITE_OK;
  if( d->nSlot<pProg->nSlot ){
    CtQVals *aNew = sqlite3_realloc64(d->aVal, sizeof(CtQVals)*(sqlite3_uint64)pProg->nSlot);
    unsigned char *aDone;
    if( aNew==0 ) return SQLITE_NOMEM;
    memset(aNew+d->nSlot, 0, sizeof(CtQVals)*(size_t)(pProg->nSlot-d->nSlot));
    d->aVal = aNew;
    aDone = sqlite3_realloc64(d->aDone, (sqlite3_uint64)pProg->nSlot);
    if( aDone==0 ) return SQLITE_NOMEM;
    d->aDone = aDone;
    d->nSlot = pProg->nSlot;
  }
  if( d->nSlot ) memset(d->aDone, 0, (size_t)d->nSlot);
  if( pM ){
    d->pMem = pM;              /* valid until the caller moves on: ctQDocEnd() */
  }else{
    ctEcsMembers(obj, &d->m);
    d->pMem = &d->m;
  }
  if( bRaw ){
    memset(&d->u, 0, sizeof(d->u));
    d->u.eShape = CT_SHAPE_RAW;
    d->u.rec = obj;
    d->u.bMem = 1;
  }else if( ctRecordUnwrap(obj, d->pMem, &d->dec, &d->u) ){
    return SQLITE_NOMEM;
  }
  if( d->u.eShape==CT_SHAPE_DIGEST ){ d->u.rec = obj; d->u.bMem = 1; }
  d->bRaw = d->u.rec.z!=0 && !d->u.bEcs;
  d->bDataset = d->u.rec.z!=0 && d->u.bEcs && ctQDocIsCloudtrail(d->u.rec);
  if( d->bRaw ){
    ctEcsRecInit(&d->rec, d->u.rec, d->u.rec, &pProg->conf, d->u.bMem ? d->pMem : 0);
    d->bRec = 1;
    if( d->rec.rc ) return d->rec.rc;
  }
  return SQLITE_OK;
}

int ctQDocBegin(CtQDoc **pp, const CtQProg *pProg, CtSpan obj, const CtMembers *pM){
  return ctQDocStart(pp, pProg, obj, pM, 0);
}

int ctQDocBeginRaw(CtQDoc **pp, const CtQProg *pProg, CtSpan obj, const CtMembers *pM){
  return ctQDocStart(pp, pProg, obj, pM, 1);
}

int ctQDocEmpty(const CtQDoc *pDoc){
  return pDoc->u.rec.z==0;
}

void ctQDocEnd(CtQDoc *d){
  if( d==0 ) return;
  if( d->bRec ){ ctEcsRecFree(&d->rec); d->bRec = 0; }
  ctQArenaReset(d);
}

void ctQDocFree(CtQDoc *d){
  int k;
  if( d==0 ) return;
  ctQDocEnd(d);
  for(k=0; k<d->nSlot; k++) sqlite3_free(d->aVal[k].a);
  sqlite3_free(d->aVal);
  sqlite3_free(d->aDone);
  sqlite3_free(d->dec.a);
  if( d->pArena ) sqlite3_free(d->pArena);
  if( d->pMatch ) pcre2_match_data_free(d->pMatch);
  sqlite3_free(d);
}

/* Filling a slot: what a leaf of the document adds to it. */
typedef struct CtQFill CtQFill;
struct CtQFill {
  CtQDoc *d;
  CtQVals *pVals;
  const CtQType *pType;
  int bCopyJson;              /* JSON leaves are built values, freed after the walk */
};

static int ctQAddValue(CtQFill *f, int eType, const char *z, size_t n, double r){
  CtQVals *v = f->pVals;
  if( n>(size_t)0x7fffffff ) return 0;     /* no value of a record is this long */
  if( v->n>=v->nAlloc ){
    int nNew = v->nAlloc*2 + 4;
    CtQV *aNew = sqlite3_realloc64(v->a, sizeof(CtQV)*(sqlite3_uint64)nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    v->a = aNew;
    v->nAlloc = nNew;
  }
  v->a[v->n].eType = eType;
  v->a[v->n].z = z;
  v->a[v->n].n = (int)n;
  v->a[v->n].r = r;
  v->n++;
  return 0;
}

/* Add text z[0..n) (a string, or a scalar's text when bScalar) as the
** slot's type indexes it: skipped when the type cannot hold it or it is
** longer than ignore_above. */
static int ctQAddTyped(CtQFill *f, const char *z, size_t n, int bScalar, int bBool){
  double r = 0;
  switch( f->pType->eType ){
    case CT_QT_NUMBER:
      if( bBool || !ctQParseNumber(z, (int)n, &r) ) return 0;
      return ctQAddValue(f, CT_QV_NUM, z, n, r);
    case CT_QT_BOOL:
      if( n==4 && memcmp(z, "true", 4)==0 ) return ctQAddValue(f, CT_QV_BOOL, z, n, 1);
      if( n==5 && memcmp(z, "false", 5)==0 ) return ctQAddValue(f, CT_QV_BOOL, z, n, 0);
      return 0;
    case CT_QT_DATE:
      if( bBool || !ctQParseDate(z, (int)n, &r) ) return 0;
      return ctQAddValue(f, CT_QV_NUM, z, n, r);
    case CT_QT_IP: {
      unsigned char a[16];
      if( bScalar || !ctQParseIp(z, (int)n, a) ) return 0;
      return ctQAddValue(f, CT_QV_STR, z, n, 0);
    }
    case CT_QT_KEYWORD:
      if( f->pType->nIgnoreAbove>0 && ctJvLength16(z, n)>f->pType->nIgnoreAbove ) return 0;
      break;
  }
  return ctQAddValue(f, CT_QV_STR, z, n, 0);
}

/* ctEcsLeaves() callback. */
static int ctQLeaf(void *pArg, int eKind, CtSpan v){
  CtQFill *f = pArg;
  CtQDoc *d = f->d;
  const char *z = v.z;
  size_t n = v.n;
  if( eKind==CT_LEAF_TEXT ){
    z = ctQCopy(d, v.z, v.n);
    return z ? ctQAddTyped(f, z, n, 0, 0) : SQLITE_NOMEM;
  }
  if( v.z[0]=='"' ){
    CtSpan b = { v.z+1, v.n-2 };
    if( memchr(b.z, '\\', b.n) ){
      char *zOut = ctQAlloc(d, b.n+1);
      if( zOut==0 ) return SQLITE_NOMEM;
      n = ct_json_unescape(b.z, b.n, zOut);
      zOut[n] = 0;
      z = zOut;
    }else if( eKind==CT_LEAF_JSON && f->bCopyJson ){
      z = ctQCopy(d, b.z, b.n);
      n = b.n;
      if( z==0 ) return SQLITE_NOMEM;
    }else{
      z = b.z;
      n = b.n;
    }
    return ctQAddTyped(f, z, n, 0, 0);
  }
  if( v.z[0]=='t' || v.z[0]=='f' ) return ctQAddTyped(f, v.z[0]=='t' ? "true" : "false",
                                                       v.z[0]=='t' ? 4 : 5, 1, 1);
  if( eKind==CT_LEAF_CLEAN ){
    /* a raw number reaches the index as the pipeline prints it */
    sqlite3_str *pOut = sqlite3_str_new(0);
    int nOut;
    char *zNum;
    ctJvNumber(pOut, v);
    nOut = sqlite3_str_length(pOut);
    zNum = sqlite3_str_finish(pOut);
    if( zNum==0 ) return SQLITE_NOMEM;
    z = ctQCopy(d, zNum, (size_t)nOut);
    sqlite3_free(zNum);
    if( z==0 ) return SQLITE_NOMEM;
    n = (size_t)nOut;
  }else if( f->bCopyJson ){
    z = ctQCopy(d, v.z, v.n);
    if( z==0 ) return SQLITE_NOMEM;
  }
  return ctQAddTyped(f, z, n, 1, 0);
}

/* Fill *pVals with slot iSlot's values.  A raw record's values are read
** as if it had no duplicate key until ctQDocSettle() has looked (ctQMatch()). */
static int ctQFillSlot(CtQDoc *d, int iSlot, CtQVals *pVals){
  int bPeek = d->bRaw && d->rec.bDupPending;
  const CtQSlot *s = &d->pProg->aSlot[iSlot];
  CtQFill f = { .d = d, .pVals = pVals, .pType = s->pType, .bCopyJson = d->bRaw };
  /* A flattened root holds every leaf below it; a key below the root
  ** (root.a.b) only the leaves whose key is exactly a.b, as Elasticsearch
  ** indexes each leaf under its full key (ctQTypeOf()'s "flat" has no path). */
  int rc = 0, bAll = s->pType->eType==CT_QT_FLATTENED && s->pType->zPath[0]!=0;
  f.pVals->n = 0;
  if( d->u.rec.z==0 ){
    /* no event: no values */
  }else if( d->bFailedDoc ){
    /* what is left of an event the pipeline failed on: the data stream */
    if( s->pType->eType==CT_QT_CONST ){
      rc = ctQAddValue(&f, CT_QV_STR, s->pType->zConst, strlen(s->pType->zConst), 0);
    }
  }else if( s->pType->eType==CT_QT_CONST && d->bRaw ){
    rc = ctQAddValue(&f, CT_QV_STR, s->pType->zConst, strlen(s->pType->zConst), 0);
  }else if( d->bRaw ){
    if( s->iEcs>=0 ) rc = ctEcsLeaves(&d->rec, s->iEcs, s->zPath+s->iSub, bAll, bPeek, ctQLeaf, &f);
  }else{
    rc = ctEcsDocLeaves(d->u.rec, s->zPath, bAll, ctQLeaf, &f);
    if( rc==0 && f.pVals->n==0 && s->pType->eType==CT_QT_CONST && d->bDataset ){
      rc = ctQAddValue(&f, CT_QV_STR, s->pType->zConst, strlen(s->pType->zConst), 0);
    }
  }
  if( rc==0 && d->rc ) rc = d->rc;
  if( rc ) d->rc = SQLITE_NOMEM;
  return rc;
}

const CtQVals *ctQDocValues(CtQDoc *d, int iSlot){
  if( d->aDone[iSlot] ) return &d->aVal[iSlot];
  if( ctQFillSlot(d, iSlot, &d->aVal[iSlot]) ) return 0;
  d->aDone[iSlot] = 1;
  return &d->aVal[iSlot];
}

int ctQDocSettle(CtQDoc *d){
  if( !d->bRaw || !d->rec.bDupPending ) return SQLITE_OK;
  if( ctEcsRecFailed(&d->rec) ){
    if( d->nSlot ) memset(d->aDone, 0, (size_t)d->nSlot);   /* the values were the pipeline's had it not failed */
  }
  return d->rec.rc;
}

/* ---------------------------------------------------------------------
** Comparing text
*/

static int ctQFold(int c){ return (c>='A' && c<='Z') ? c+32 : c; }

/* Equal texts; bCaseless folds ASCII letters (docs/detection.md). */
static int ctQTextEq(const char *a, int na, const char *b, int nb, int bCaseless){
  int i;
  if( na!=nb ) return 0;
  if( !bCaseless ) return memcmp(a, b, (size_t)na)==0;
  for(i=0; i<na; i++) if( ctQFold((unsigned char)a[i])!=ctQFold((unsigned char)b[i]) ) return 0;
  return 1;
}

/* Offset of needle b in a, or -1. */
static int ctQFind(const char *a, int na, const char *b, int nb, int bCaseless){
  int i;
  if( nb==0 ) return 0;
  if( !bCaseless ){
    const char *p = memmem(a, (size_t)na, b, (size_t)nb);
    return p ? (int)(p-a) : -1;
  }
  for(i=0; i+nb<=na; i++) if( ctQTextEq(a+i, nb, b, nb, 1) ) return i;
  return -1;
}

/* Wildcard patterns.  KQL: '*' any run, '\' escapes the next byte.  EQL
** like: '*' any run and '?' one character (a UTF-8 sequence).  Greedy with
** one backtrack point per star: linear in practice, O(n*m) at worst. */
#define CT_GLOB_KQL 1
#define CT_GLOB_EQL 2
static int ctQUtf8Len(unsigned char c){
  return c<0x80 ? 1 : c>=0xf0 ? 4 : c>=0xe0 ? 3 : c>=0xc0 ? 2 : 1;
}
static int ctQGlob(const char *zP, int nP, const char *z, int n, int eMode, int bCaseless){
  int iP = 0, i = 0, iStarP = -1, iStar = 0;
  while( i<n ){
    if( iP<nP && zP[iP]=='*' ){
      iStarP = ++iP;
      iStar = i;
      continue;
    }
    if( iP<nP ){
      int bEsc = eMode==CT_GLOB_KQL && zP[iP]=='\\' && iP+1<nP;
      char cP = zP[iP+bEsc];
      if( !bEsc && eMode==CT_GLOB_EQL && cP=='?' ){
        int k = ctQUtf8Len((unsigned char)z[i]);
        i += (i+k<=n) ? k : 1;
        iP++;
        continue;
      }
      if( bCaseless ? ctQFold((unsigned char)cP)==ctQFold((unsigned char)z[i]) : cP==z[i] ){
        iP += 1+bEsc;
        i++;
        continue;
      }
    }
    if( iStarP<0 ) return 0;
    iP = iStarP;
    i = ++iStar;
  }
  while( iP<nP && zP[iP]=='*' ) iP++;
  return iP==nP;
}

/* ---------------------------------------------------------------------
** KQL
*/

/* Tokens of text as the standard analyser makes them: runs of letters and
** digits (any non-ASCII byte counts as a letter), ASCII lower-cased. */
static int ctQNextToken(const char *z, int n, int *pi, int *piStart){
  int i = *pi;
  while( i<n && !(isalnum((unsigned char)z[i]) || (unsigned char)z[i]>=0x80) ) i++;
  if( i>=n ){ *pi = i; return 0; }
  *piStart = i;
  while( i<n && (isalnum((unsigned char)z[i]) || (unsigned char)z[i]>=0x80) ) i++;
  *pi = i;
  return i - *piStart;
}

/* KQL on a text field: unquoted, any token of the value is a token of the
** field; quoted, its tokens follow each other in the field; a wildcard
** value matches a token. */
static int ctQTextMatch(const CtQNode *pNode, const char *z, int n){
  int iQ = 0, iQs, nQ, bQuoted = (pNode->flags & CT_QF_QUOTED)!=0;
  if( pNode->flags & CT_QF_WILD ){
    int i = 0, iS, nT;
    while( (nT = ctQNextToken(z, n, &i, &iS))>0 ){
      if( ctQGlob(pNode->z, pNode->n, z+iS, nT, CT_GLOB_KQL, 1) ) return 1;
    }
    return 0;
  }
  if( !bQuoted ){
    while( (nQ = ctQNextToken(pNode->z, pNode->n, &iQ, &iQs))>0 ){
      int i = 0, iS, nT;
      while( (nT = ctQNextToken(z, n, &i, &iS))>0 ){
        if( ctQTextEq(z+iS, nT, pNode->z+iQs, nQ, 1) ) return 1;
      }
    }
    return 0;
  }
  {
    int iStart = 0, iS0, nT0;
    while( (nT0 = ctQNextToken(z, n, &iStart, &iS0))>0 ){
      int i = iS0, iS, nT, bAll = 1;
      iQ = 0;
      while( (nQ = ctQNextToken(pNode->z, pNode->n, &iQ, &iQs))>0 ){
        nT = ctQNextToken(z, n, &i, &iS);
        if( nT==0 || !ctQTextEq(z+iS, nT, pNode->z+iQs, nQ, 1) ){ bAll = 0; break; }
      }
      if( bAll ) return 1;
    }
    return 0;
  }
}

static int ctQCmpNum(double a, double b, int iCmp){
  switch( iCmp ){
    case CT_QC_EQ: return a==b;
    case CT_QC_NE: return a!=b;
    case CT_QC_LT: return a<b;
    case CT_QC_LE: return a<=b;
    case CT_QC_GT: return a>b;
    case CT_QC_GE: return a>=b;
  }
  return 0;
}

static int ctQCmpText(const char *a, int na, const char *b, int nb){
  int c = memcmp(a, b, (size_t)(na<nb ? na : nb));
  return c ? c : na-nb;
}

/* One value against a KQL match or range node of its field's type. */
static int ctQKValue(const CtQNode *pNode, int eType, const CtQV *v){
  int bRange = pNode->eOp==CT_QOP_KRANGE;
  switch( eType ){
    case CT_QT_NUMBER: case CT_QT_DATE: case CT_QT_BOOL:
      return ctQCmpNum(v->r, pNode->r, bRange ? pNode->iCmp : CT_QC_EQ);
    case CT_QT_IP: {
      unsigned char a[16];
      const CtQNet *pNet = pNode->pAux;
      if( !ctQParseIp(v->z, v->n, a) ) return 0;
      if( !bRange ) return ctQNetHas(pNet, a);
      return ctQCmpNum((double)memcmp(a, pNet->a, 16), 0, pNode->iCmp);
    }
    case CT_QT_TEXT:
      return ctQTextMatch(pNode, v->z, v->n);
  }
  if( bRange ) return ctQCmpNum((double)ctQCmpText(v->z, v->n, pNode->z, pNode->n), 0, pNode->iCmp);
  if( pNode->flags & CT_QF_WILD ) return ctQGlob(pNode->z, pNode->n, v->z, v->n, CT_GLOB_KQL, 0);
  return v->n==pNode->n && memcmp(v->z, pNode->z, (size_t)v->n)==0;
}

/* A KQL field node: true if any value of the field satisfies it. */
static int ctQKField(CtQDoc *d, const CtQNode *pNode){
  const CtQVals *pV = ctQDocValues(d, pNode->iSlot);
  int k, eType;
  if( pV==0 ) return 0;
  if( pNode->eOp==CT_QOP_KEXISTS ) return pV->n>0;
  eType = d->pProg->aSlot[pNode->iSlot].pType->eType;
  for(k=0; k<pV->n; k++) if( ctQKValue(pNode, eType, &pV->a[k]) ) return 1;
  return 0;
}

/* ---------------------------------------------------------------------
** EQL
*/

/* An expression's value: the values of a field (n==0 is null), or one
** computed value held in one. */
typedef struct CtQX CtQX;
struct CtQX {
  const CtQV *a;
  int n;
  CtQV one;
};

static void ctQValue(CtQDoc *d, const CtQNode *pNode, CtQX *pX);
static int ctQCond(CtQDoc *d, const CtQNode *pNode);

static void ctQXOne(CtQX *pX, int eType, const char *z, int n, double r){
  pX->one.eType = eType;
  pX->one.z = z;
  pX->one.n = n;
  pX->one.r = r;
  pX->a = &pX->one;
  pX->n = 1;
}
static void ctQXNull(CtQX *pX){ pX->a = 0; pX->n = 0; }

/* The text of a value (numbers printed as EQL prints them). */
static int ctQVText(CtQDoc *d, const CtQV *v, const char **pz, int *pn){
  if( v->z ){ *pz = v->z; *pn = v->n; return 1; }
  if( v->eType==CT_QV_NUM ){
    char aBuf[40], *z;
    if( v->r==floor(v->r) && fabs(v->r)<9e15 ) sqlite3_snprintf(sizeof(aBuf), aBuf, "%lld", (sqlite3_int64)v->r);
    else ctJvReal17(aBuf, v->r);
    z = ctQCopy(d, aBuf, strlen(aBuf));
    if( z==0 ) return 0;
    *pz = z;
    *pn = (int)strlen(z);
    return 1;
  }
  return 0;
}

/* x iCmp y for two values: numbers and booleans as numbers, strings by
** their bytes (ASCII case folded for ":" and "~"), a string and a number
** as numbers when the string is one. */
static int ctQVCmp(const CtQV *x, const CtQV *y, int iCmp, int bCaseless){
  double rx = x->r, ry = y->r;
  if( x->eType==CT_QV_STR && y->eType==CT_QV_STR ){
    if( iCmp==CT_QC_EQ ) return ctQTextEq(x->z, x->n, y->z, y->n, bCaseless);
    return ctQCmpNum((double)ctQCmpText(x->z, x->n, y->z, y->n), 0, iCmp);
  }
  if( x->eType==CT_QV_STR && !ctQParseNumber(x->z, x->n, &rx) ) return 0;
  if( y->eType==CT_QV_STR && !ctQParseNumber(y->z, y->n, &ry) ) return 0;
  return ctQCmpNum(rx, ry, iCmp);
}

static int ctQAnyPair(const CtQX *a, const CtQX *b, int iCmp, int bCaseless){
  int i, j;
  for(i=0; i<a->n; i++){
    for(j=0; j<b->n; j++) if( ctQVCmp(&a->a[i], &b->a[j], iCmp, bCaseless) ) return 1;
  }
  return 0;
}

static int ctQCmpNode(CtQDoc *d, const CtQNode *pNode){
  CtQX a, b;
  int bCaseless = (pNode->flags & CT_QF_CASELESS)!=0;
  if( pNode->pLeft->eOp==CT_QOP_NULL || pNode->pRight->eOp==CT_QOP_NULL ){
    const CtQNode *pOther = pNode->pLeft->eOp==CT_QOP_NULL ? pNode->pRight : pNode->pLeft;
    ctQValue(d, pOther, &a);
    if( pNode->iCmp==CT_QC_EQ ) return a.n==0;
    if( pNode->iCmp==CT_QC_NE ) return a.n>0;
    return 0;
  }
  ctQValue(d, pNode->pLeft, &a);
  ctQValue(d, pNode->pRight, &b);
  if( pNode->iCmp==CT_QC_NE ) return !ctQAnyPair(&a, &b, CT_QC_EQ, bCaseless);
  return ctQAnyPair(&a, &b, pNode->iCmp, bCaseless);
}

static int ctQInNode(CtQDoc *d, const CtQNode *pNode){
  CtQX a, b;
  int k, bIn = 0, bCaseless = (pNode->flags & CT_QF_CASELESS)!=0;
  ctQValue(d, pNode->pLeft, &a);
  for(k=0; k<pNode->nArg && !bIn; k++){
    ctQValue(d, pNode->apArg[k], &b);
    bIn = ctQAnyPair(&a, &b, CT_QC_EQ, bCaseless);
  }
  return (pNode->flags & CT_QF_NEGATED) ? !bIn : bIn;
}

static int ctQRegexMatch(CtQDoc *d, const CtQNode *pArg, const CtQV *v){
  int rc;
  if( d->pMatch==0 ){
    d->pMatch = pcre2_match_data_create(1, 0);
    if( d->pMatch==0 ){ d->rc = SQLITE_NOMEM; return 0; }
  }
  rc = pcre2_match((const pcre2_code*)pArg->pAux, (PCRE2_SPTR)v->z, (PCRE2_SIZE)v->n,
                   0, 0, d->pMatch, 0);
  if( rc==PCRE2_ERROR_NOMEMORY ) d->rc = SQLITE_NOMEM;
  return rc>0;
}

/* like / regex: any string value matches any pattern. */
static int ctQPatternNode(CtQDoc *d, const CtQNode *pNode){
  CtQX a;
  int i, k, bCaseless = (pNode->flags & CT_QF_CASELESS)!=0;
  ctQValue(d, pNode->pLeft, &a);
  for(i=0; i<a.n; i++){
    const CtQV *v = &a.a[i];
    if( v->eType!=CT_QV_STR ) continue;
    for(k=0; k<pNode->nArg; k++){
      const CtQNode *pArg = pNode->apArg[k];
      if( pNode->eOp==CT_QOP_REGEX ? ctQRegexMatch(d, pArg, v)
          : ctQGlob(pArg->z, pArg->n, v->z, v->n, CT_GLOB_EQL, bCaseless) ) return 1;
    }
  }
  return 0;
}

/* Functions.  A predicate is true when some values of its arguments make
** it true; a value function reads the first value of each argument. */
typedef struct CtQFunc CtQFunc;
struct CtQFunc {
  const char *zName;
  int bPredicate;
  int (*xPred)(const CtQV *a, const CtQV *b, int bCaseless);
};

static int ctQFnStarts(const CtQV *a, const CtQV *b, int bCi){
  return a->eType==CT_QV_STR && b->eType==CT_QV_STR && b->n<=a->n
      && ctQTextEq(a->z, b->n, b->z, b->n, bCi);
}
static int ctQFnEnds(const CtQV *a, const CtQV *b, int bCi){
  return a->eType==CT_QV_STR && b->eType==CT_QV_STR && b->n<=a->n
      && ctQTextEq(a->z+a->n-b->n, b->n, b->z, b->n, bCi);
}
static int ctQFnContains(const CtQV *a, const CtQV *b, int bCi){
  return a->eType==CT_QV_STR && b->eType==CT_QV_STR && ctQFind(a->z, a->n, b->z, b->n, bCi)>=0;
}
static int ctQFnCidr(const CtQV *a, const CtQV *b, int bCi){
  unsigned char ip[16];
  CtQNet net;
  (void)bCi;
  return a->eType==CT_QV_STR && b->eType==CT_QV_STR && ctQParseIp(a->z, a->n, ip)
      && ctQParseNet(b->z, b->n, &net) && ctQNetHas(&net, ip);
}

static const CtQFunc ctQFuncs[] = {
  { "cidrmatch", 1, ctQFnCidr },
  { "endswith", 1, ctQFnEnds },
  { "startswith", 1, ctQFnStarts },
  { "stringcontains", 1, ctQFnContains },
};

static const CtQFunc *ctQFuncOf(const char *zName){
  int k;
  for(k=0; k<(int)(sizeof(ctQFuncs)/sizeof(ctQFuncs[0])); k++){
    if( strcmp(ctQFuncs[k].zName, zName)==0 ) return &ctQFuncs[k];
  }
  return 0;
}

/* A predicate call: any value of argument 0 with any of argument 1..n. */
static int ctQPredCall(CtQDoc *d, const CtQNode *pNode, const CtQFunc *f){
  CtQX a, b;
  int i, j, k, bCi = (pNode->flags & CT_QF_CASELESS)!=0;
  if( pNode->nArg<2 ) return 0;
  ctQValue(d, pNode->apArg[0], &a);
  for(k=1; k<pNode->nArg; k++){
    ctQValue(d, pNode->apArg[k], &b);
    for(i=0; i<a.n; i++){
      for(j=0; j<b.n; j++) if( f->xPred(&a.a[i], &b.a[j], bCi) ) return 1;
    }
  }
  return 0;
}

/* The first value of argument k as text, or 0 (null). */
static const char *ctQArgText(CtQDoc *d, const CtQNode *pNode, int k, int *pn, CtQX *pX){
  const char *z;
  if( k>=pNode->nArg ) return 0;
  ctQValue(d, pNode->apArg[k], pX);
  if( pX->n==0 || !ctQVText(d, &pX->a[0], &z, pn) ) return 0;
  return z;
}

/* A number is a float (not an integer) when it is written as one: a
** decimal literal, or a value whose text has a '.' or an exponent.  divide()
** and '/' truncate only when both operands are integers. */
static int ctQIsFloat(const CtQNode *pNode, const CtQV *v){
  int i;
  if( pNode->eOp==CT_QOP_REAL ) return 1;
  if( v->z==0 ) return v->r!=floor(v->r);
  for(i=0; i<v->n; i++) if( v->z[i]=='.' || v->z[i]=='e' || v->z[i]=='E' ) return 1;
  return 0;
}

static int ctQArgNumF(CtQDoc *d, const CtQNode *pNode, int k, double *pR, int *pbFloat){
  CtQX x;
  if( k>=pNode->nArg ) return 0;
  ctQValue(d, pNode->apArg[k], &x);
  if( x.n==0 ) return 0;
  if( pbFloat ) *pbFloat = ctQIsFloat(pNode->apArg[k], &x.a[0]);
  if( x.a[0].eType==CT_QV_STR ) return ctQParseNumber(x.a[0].z, x.a[0].n, pR);
  *pR = x.a[0].r;
  return 1;
}
static int ctQArgNum(CtQDoc *d, const CtQNode *pNode, int k, double *pR){
  return ctQArgNumF(d, pNode, k, pR, 0);
}

/* Number of characters (UTF-8 sequences) in z[0..n). */
static int ctQChars(const char *z, int n){
  int i, nChar = 0;
  for(i=0; i<n; i++) if( ((unsigned char)z[i] & 0xc0)!=0x80 ) nChar++;
  return nChar;
}
/* Byte offset of character iChar of z[0..n) (n past the end). */
static int ctQCharAt(const char *z, int n, int iChar){
  int i;
  for(i=0; i<n && iChar>0; i++){
    if( i+1>=n || ((unsigned char)z[i+1] & 0xc0)!=0x80 ) iChar--;
  }
  return i;
}

static void ctQValueCall(CtQDoc *d, const CtQNode *pNode, CtQX *pX){
  const char *zF = pNode->z, *z, *z2;
  int n, n2, bCi = (pNode->flags & CT_QF_CASELESS)!=0, bFa = 0, bFb = 0;
  double a, b;
  CtQX x, y;
  ctQXNull(pX);
  if( strcmp(zF, "length")==0 ){
    if( (z = ctQArgText(d, pNode, 0, &n, &x))!=0 ) ctQXOne(pX, CT_QV_NUM, 0, 0, ctQChars(z, n));
  }else if( strcmp(zF, "string")==0 ){
    if( (z = ctQArgText(d, pNode, 0, &n, &x))!=0 ) ctQXOne(pX, CT_QV_STR, z, n, 0);
  }else if( strcmp(zF, "number")==0 ){
    if( (z = ctQArgText(d, pNode, 0, &n, &x))!=0 ){
      double base = 10;
      if( pNode->nArg>1 && !ctQArgNum(d, pNode, 1, &base) ) return;
      if( base==10 ){
        if( ctQParseNumber(z, n, &a) ) ctQXOne(pX, CT_QV_NUM, 0, 0, a);
      }else if( base>=2 && base<=36 && n<40 ){
        char aBuf[48], *zEnd;
        long long v;
        memcpy(aBuf, z, (size_t)n);
        aBuf[n] = 0;
        v = strtoll(aBuf, &zEnd, (int)base);
        if( zEnd==aBuf+n && n>0 ) ctQXOne(pX, CT_QV_NUM, 0, 0, (double)v);
      }
    }
  }else if( strcmp(zF, "concat")==0 ){
    sqlite3_str *pOut = sqlite3_str_new(0);
    int k;
    char *zAll;
    for(k=0; k<pNode->nArg; k++){
      if( (z = ctQArgText(d, pNode, k, &n, &x))==0 ){ sqlite3_free(sqlite3_str_finish(pOut)); return; }
      sqlite3_str_append(pOut, z, n);
    }
    n = sqlite3_str_length(pOut);
    zAll = sqlite3_str_finish(pOut);
    if( zAll==0 && n>0 ){ d->rc = SQLITE_NOMEM; return; }
    z = ctQCopy(d, zAll ? zAll : "", (size_t)n);
    sqlite3_free(zAll);
    if( z ) ctQXOne(pX, CT_QV_STR, z, n, 0);
  }else if( strcmp(zF, "substring")==0 ){
    double rs, re;
    int nChar, iS, iE;
    if( (z = ctQArgText(d, pNode, 0, &n, &x))==0 || !ctQArgNum(d, pNode, 1, &rs) ) return;
    nChar = ctQChars(z, n);
    if( pNode->nArg<3 || !ctQArgNum(d, pNode, 2, &re) ) re = nChar;
    iS = rs<0 ? (int)rs+nChar : (int)rs;
    iE = re<0 ? (int)re+nChar : (int)re;
    if( iS<0 ) iS = 0;
    if( iE>nChar ) iE = nChar;
    if( iE<iS ) iE = iS;
    iS = ctQCharAt(z, n, iS);
    iE = ctQCharAt(z, n, iE);
    ctQXOne(pX, CT_QV_STR, z+iS, iE-iS, 0);
  }else if( strcmp(zF, "indexof")==0 ){
    double rStart = 0;
    int iAt, iStart;
    if( (z = ctQArgText(d, pNode, 0, &n, &x))==0 || (z2 = ctQArgText(d, pNode, 1, &n2, &y))==0 ) return;
    if( pNode->nArg>2 && !ctQArgNum(d, pNode, 2, &rStart) ) return;
    iStart = rStart<0 ? 0 : ctQCharAt(z, n, (int)rStart);
    if( iStart>n ) return;
    iAt = ctQFind(z+iStart, n-iStart, z2, n2, bCi);
    if( iAt>=0 ) ctQXOne(pX, CT_QV_NUM, 0, 0, ctQChars(z, iStart+iAt));
  }else if( strcmp(zF, "between")==0 ){
    CtQX w;
    const char *z3;
    int n3, iL, iR, bGreedy = 0;
    if( (z = ctQArgText(d, pNode, 0, &n, &x))==0 || (z2 = ctQArgText(d, pNode, 1, &n2, &y))==0
     || (z3 = ctQArgText(d, pNode, 2, &n3, &w))==0 ) return;
    if( pNode->nArg>3 ){
      CtQX g;
      ctQValue(d, pNode->apArg[3], &g);
      bGreedy = g.n>0 && g.a[0].eType==CT_QV_BOOL && g.a[0].r!=0;
    }
    iL = ctQFind(z, n, z2, n2, bCi);
    if( iL<0 ){ ctQXOne(pX, CT_QV_STR, "", 0, 0); return; }
    iL += n2;
    if( bGreedy ){
      for(iR=n-n3; iR>=iL && !ctQTextEq(z+iR, n3, z3, n3, bCi); iR--){}
    }else{
      iR = ctQFind(z+iL, n-iL, z3, n3, bCi);
      if( iR>=0 ) iR += iL;
    }
    if( iR<iL ) ctQXOne(pX, CT_QV_STR, "", 0, 0);
    else ctQXOne(pX, CT_QV_STR, z+iL, iR-iL, 0);
  }else if( pNode->nArg==2 && ctQArgNumF(d, pNode, 0, &a, &bFa) && ctQArgNumF(d, pNode, 1, &b, &bFb) ){
    int bInt = !bFa && !bFb;
    if( strcmp(zF, "add")==0 ) ctQXOne(pX, CT_QV_NUM, 0, 0, a+b);
    else if( strcmp(zF, "subtract")==0 ) ctQXOne(pX, CT_QV_NUM, 0, 0, a-b);
    else if( strcmp(zF, "multiply")==0 ) ctQXOne(pX, CT_QV_NUM, 0, 0, a*b);
    else if( strcmp(zF, "divide")==0 && b!=0 ) ctQXOne(pX, CT_QV_NUM, 0, 0, bInt ? trunc(a/b) : a/b);
    else if( strcmp(zF, "modulo")==0 && b!=0 ) ctQXOne(pX, CT_QV_NUM, 0, 0, fmod(a, b));
  }
}

static void ctQValueArith(CtQDoc *d, const CtQNode *pNode, CtQX *pX){
  CtQX x, y;
  double a, b;
  int bInt;
  ctQXNull(pX);
  ctQValue(d, pNode->pLeft, &x);
  if( x.n==0 ) return;
  a = x.a[0].r;
  if( x.a[0].eType==CT_QV_STR && !ctQParseNumber(x.a[0].z, x.a[0].n, &a) ) return;
  if( pNode->eOp==CT_QOP_NEG ){ ctQXOne(pX, CT_QV_NUM, 0, 0, -a); return; }
  ctQValue(d, pNode->pRight, &y);
  if( y.n==0 ) return;
  b = y.a[0].r;
  if( y.a[0].eType==CT_QV_STR && !ctQParseNumber(y.a[0].z, y.a[0].n, &b) ) return;
  bInt = !ctQIsFloat(pNode->pLeft, &x.a[0]) && !ctQIsFloat(pNode->pRight, &y.a[0]);
  switch( pNode->iCmp ){
    case '+': ctQXOne(pX, CT_QV_NUM, 0, 0, a+b); break;
    case '-': ctQXOne(pX, CT_QV_NUM, 0, 0, a-b); break;
    case '*': ctQXOne(pX, CT_QV_NUM, 0, 0, a*b); break;
    case '/': if( b!=0 ) ctQXOne(pX, CT_QV_NUM, 0, 0, bInt ? trunc(a/b) : a/b); break;
    case '%': if( b!=0 ) ctQXOne(pX, CT_QV_NUM, 0, 0, fmod(a, b)); break;
  }
}

static void ctQValue(CtQDoc *d, const CtQNode *pNode, CtQX *pX){
  ctQXNull(pX);
  switch( pNode->eOp ){
    case CT_QOP_FIELD: {
      const CtQVals *pV = ctQDocValues(d, pNode->iSlot);
      if( pV ){ pX->a = pV->a; pX->n = pV->n; }
      return;
    }
    case CT_QOP_STR:  ctQXOne(pX, CT_QV_STR, pNode->z, pNode->n, 0); return;
    case CT_QOP_INT:  ctQXOne(pX, CT_QV_NUM, 0, 0, (double)pNode->i); return;
    case CT_QOP_REAL: ctQXOne(pX, CT_QV_NUM, 0, 0, pNode->r); return;
    case CT_QOP_BOOL: ctQXOne(pX, CT_QV_BOOL, pNode->i ? "true" : "false", pNode->i ? 4 : 5,
                              (double)(pNode->i!=0)); return;
    case CT_QOP_NULL: return;
    case CT_QOP_CALL: {
      const CtQFunc *f = ctQFuncOf(pNode->z);
      if( f && f->bPredicate ){
        int b = ctQPredCall(d, pNode, f);
        ctQXOne(pX, CT_QV_BOOL, b ? "true" : "false", b ? 4 : 5, b);
      }else{
        ctQValueCall(d, pNode, pX);
      }
      return;
    }
    case CT_QOP_ARITH: case CT_QOP_NEG:
      ctQValueArith(d, pNode, pX);
      return;
  }
  {
    int b = ctQCond(d, pNode);
    ctQXOne(pX, CT_QV_BOOL, b ? "true" : "false", b ? 4 : 5, b);
  }
}

/* A condition: 1 or 0.  A comparison with a missing field is false, and
** "not" of it true, as Elasticsearch's must_not treats a document without
** the field (docs/detection.md). */
static int ctQCond(CtQDoc *d, const CtQNode *pNode){
  if( pNode==0 ) return 1;
  switch( pNode->eOp ){
    case CT_QOP_AND: return ctQCond(d, pNode->pLeft) && ctQCond(d, pNode->pRight);
    case CT_QOP_OR:  return ctQCond(d, pNode->pLeft) || ctQCond(d, pNode->pRight);
    case CT_QOP_NOT: return !ctQCond(d, pNode->pLeft);
    case CT_QOP_TRUE: return 1;
    case CT_QOP_KMATCH: case CT_QOP_KRANGE: case CT_QOP_KEXISTS:
      return ctQKField(d, pNode);
    case CT_QOP_CMP: return ctQCmpNode(d, pNode);
    case CT_QOP_IN: return ctQInNode(d, pNode);
    case CT_QOP_LIKE: case CT_QOP_REGEX: return ctQPatternNode(d, pNode);
    case CT_QOP_CALL: {
      const CtQFunc *f = ctQFuncOf(pNode->z);
      if( f && f->bPredicate ) return ctQPredCall(d, pNode, f);
      break;
    }
  }
  {
    CtQX x;
    int k;
    ctQValue(d, pNode, &x);
    for(k=0; k<x.n; k++) if( x.a[k].eType==CT_QV_BOOL && x.a[k].r!=0 ) return 1;
    return 0;
  }
}

/* The event's category (the rule's category field) holds zCategory. */
static int ctQCategory(CtQDoc *d, int iSlot, const char *zCategory){
  const CtQVals *pV;
  int k, n;
  if( zCategory==0 ) return 1;
  n = (int)strlen(zCategory);
  pV = ctQDocValues(d, iSlot);
  for(k=0; pV && k<pV->n; k++){
    if( pV->a[k].n==n && memcmp(pV->a[k].z, zCategory, (size_t)n)==0 ) return 1;
  }
  return 0;
}

int ctQMatch(CtQDoc *d, int iRule, int iStep){
  const CtQRule *r = &d->pProg->aRule[iRule];
  const CtQuery *q = r->pQuery;
  const char *zCat = q->zCategory;
  const CtQNode *pWhere = q->pWhere;
  int b;
  if( d->u.rec.z==0 ) return 0;
  if( q->nStep>0 ){
    const CtQStep *s = iStep<0 ? q->pUntil : &q->aStep[iStep];
    if( s==0 ) return 0;
    zCat = s->zCategory;
    pWhere = s->pWhere;
  }
  b = (zCat==0 || ctQCategory(d, r->iCatSlot, zCat)) && ctQCond(d, pWhere);
  if( d->bRaw && d->rec.bDupPending && !d->rc ){
    /* Evaluated as if the record had no duplicate key.  If it had one, the
    ** answer is the rule's on the failed event: the same answer needs no
    ** check (most rules: 0 either way). */
    int iFailed = iStep<0 ? r->iFailedUntil : iStep<CT_Q_MAX_STEPS ? r->aiFailed[iStep] : -1;
    if( iFailed<0 || iFailed!=b ){
      if( ctQDocSettle(d) ) return -SQLITE_NOMEM;
      if( d->rec.bFailed ){
        b = (zCat==0 || ctQCategory(d, r->iCatSlot, zCat)) && ctQCond(d, pWhere);
      }
    }
  }
  return d->rc ? -d->rc : b;
}

/* The answer of every step of rule r on the document of an event the
** pipeline failed on (only the data stream's constants): -1 when the rule
** reads a field that document has (event.kind, error.message). */
static int ctQFailedResult(CtQProg *p, CtQRule *r, int iRule){
  CtQDoc *d = 0;
  const CtQuery *q = r->pQuery;
  int k, rc;
  static const char *const azFailed[] = { "event.kind", "error.message", "event.original" };
  for(k=0; k<3; k++){
    if( ctQQueryUses(q, azFailed[k]) ){
      for(k=0; k<CT_Q_MAX_STEPS; k++) r->aiFailed[k] = -1;
      r->iFailedUntil = -1;
      return SQLITE_OK;
    }
  }
  {
    CtSpan empty = { "{}", 2 };
    rc = ctQDocBegin(&d, p, empty, 0);
    if( rc ){ ctQDocFree(d); return rc; }
    ctQDocEnd(d);
    d->u.rec = empty;
    d->bRaw = 0;
    d->bFailedDoc = 1;
    d->pProg = p;
    if( d->nSlot ) memset(d->aDone, 0, (size_t)d->nSlot);
  }
  for(k=0; k<CT_Q_MAX_STEPS; k++){
    int b = 0;
    if( (q->nStep==0 && k==0) || k<q->nStep ){
      b = ctQMatch(d, iRule, k);
      if( b<0 ){ ctQDocFree(d); return SQLITE_NOMEM; }
    }
    r->aiFailed[k] = b;
  }
  r->iFailedUntil = q->pUntil ? ctQMatch(d, iRule, -1) : 0;
  ctQDocFree(d);
  return r->iFailedUntil<0 ? SQLITE_NOMEM : SQLITE_OK;
}

/* ---------------------------------------------------------------------
** kql_match(QUERY, JSON) and eql_match(QUERY, JSON [, CATEGORY_FIELD])
*/

/* A query compiled for one statement (sqlite3_set_auxdata on QUERY). */
typedef struct CtQAux CtQAux;
struct CtQAux {
  CtQuery *pQuery;
  CtQProg *pProg;
  char *zCategory;            /* eql_match's CATEGORY_FIELD, or 0 */
  int iRule;
  size_t iPair;               /* the needle's rarest pair (ctNeedlePair) */
  CtQDoc *pDoc;               /* reused from row to row */
};

static void ctQAuxFree(void *pArg){
  CtQAux *p = pArg;
  if( p==0 ) return;
  ctQDocFree(p->pDoc);
  ctQProgFree(p->pProg);
  ctQueryFree(p->pQuery);
  sqlite3_free(p->zCategory);
  sqlite3_free(p);
}

/* Parse and compile the query text zQuery of language eLang. */
static int ctQAuxNew(int eLang, const char *zQuery, const char *zCategory,
                     CtQAux **pp, char **pzErr){
  static const CtEcsConf def = { .eGen = CT_ECS_PREVIOUS };
  CtQAux *p = sqlite3_malloc64(sizeof(*p));
  int rc;
  *pp = 0;
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  rc = eLang==CT_QL_KQL ? ctKqlParse(zQuery, &p->pQuery, pzErr)
                        : ctEqlParse(zQuery, &p->pQuery, pzErr);
  if( rc==SQLITE_OK && p->pQuery->nStep>0 ){
    *pzErr = sqlite3_mprintf("cloudtrail: eql_match() evaluates one event: a sequence "
                             "needs cloudtrail_detect()");
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ) rc = ctQProgNew(&def, &p->pProg);
  if( rc==SQLITE_OK && zCategory ){
    p->zCategory = sqlite3_mprintf("%s", zCategory);
    if( p->zCategory==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ) rc = ctQProgAdd(p->pProg, p->pQuery, zCategory, &p->iRule, pzErr);
  if( rc==SQLITE_OK && ctQProgNeedle(p->pProg, p->iRule) ){
    p->iPair = ctNeedlePair(ctQProgNeedle(p->pProg, p->iRule));
  }
  if( rc ){ ctQAuxFree(p); return rc; }
  *pp = p;
  return SQLITE_OK;
}

CtSpan ctQJsonArg(sqlite3_value *pVal){
  CtSpan obj = { 0, 0 };
  int eType = sqlite3_value_type(pVal);
  const char *z;
  size_t n, i, iEnd;
  if( eType!=SQLITE_TEXT && eType!=SQLITE_BLOB ) return obj;
  z = eType==SQLITE_TEXT ? (const char*)sqlite3_value_text(pVal)
                         : (const char*)sqlite3_value_blob(pVal);
  n = (size_t)sqlite3_value_bytes(pVal);
  if( z==0 ) return obj;
  i = ct_json_skip_ws(z, n, 0);
  if( i>=n || z[i]!='{' ) return obj;
  if( eType==SQLITE_TEXT && sqlite3_value_subtype(pVal)==CT_SUBTYPE_RECORD ){
    iEnd = n;
    while( iEnd>i && CT_JSON_IS_WS(z[iEnd-1]) ) iEnd--;
  }else if( ct_json_validate(z, n, i, 1, CT_JSON_MAX_DEPTH, &iEnd, 0)!=CT_JSON_OK
         || ct_json_skip_ws(z, n, iEnd)!=n ){
    return obj;
  }
  obj.z = z+i;
  obj.n = iEnd-i;
  return obj;
}

/*
** The two functions: 1 if the event matches the query, 0 if not, NULL if
** JSON is NULL, no JSON object, or no event (a lookup item whose
** CloudTrailEvent is no record).  A query that does not parse or compile
** is an error naming the construct and its offset.
*/
static void ctQMatchFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  int eLang = sqlite3_user_data(ctx)!=0 ? CT_QL_EQL : CT_QL_KQL;
  const char *zQuery = (const char*)sqlite3_value_text(argv[0]);
  const char *zCat = argc>2 ? (const char*)sqlite3_value_text(argv[2]) : 0;
  CtQAux *p = sqlite3_get_auxdata(ctx, 0);
  CtSpan obj;
  int r;
  if( zQuery==0 ) return;
  if( p && ((zCat==0)!=(p->zCategory==0) || (zCat && strcmp(zCat, p->zCategory)!=0)) ) p = 0;
  if( p==0 ){
    char *zErr = 0;
    int rc = ctQAuxNew(eLang, zQuery, zCat, &p, &zErr);
    if( rc ){
      if( rc==SQLITE_NOMEM ) sqlite3_result_error_nomem(ctx);
      else sqlite3_result_error(ctx, zErr, -1);
      sqlite3_free(zErr);
      return;
    }
    sqlite3_set_auxdata(ctx, 0, p, ctQAuxFree);
    p = sqlite3_get_auxdata(ctx, 0);
    if( p==0 ){ sqlite3_result_error_nomem(ctx); return; }
  }
  obj = ctQJsonArg(argv[1]);
  if( obj.z==0 ) return;
  {
    const char *zNeedle = ctQProgNeedle(p->pProg, p->iRule);
    if( zNeedle && ctNeedleExcluded(obj.z, obj.n, zNeedle, p->iPair) ){
      sqlite3_result_int(ctx, 0);
      return;
    }
  }
  if( ctQDocBegin(&p->pDoc, p->pProg, obj, 0) ){
    ctQDocEnd(p->pDoc);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if( ctQDocEmpty(p->pDoc) ){ ctQDocEnd(p->pDoc); return; }
  r = ctQMatch(p->pDoc, p->iRule, 0);
  ctQDocEnd(p->pDoc);
  if( r<0 ) sqlite3_result_error_nomem(ctx);
  else sqlite3_result_int(ctx, r);
}

/*
** kql_match/2, eql_match/2 and /3 read only their arguments: deterministic
** and innocuous, so saved views and indexes may use them under
** trusted_schema=OFF.  SQLITE_SUBTYPE: they read the raw column's subtype.
*/
int ctRegisterQEval(sqlite3 *db){
  const int m = SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS|SQLITE_SUBTYPE;
  int rc = sqlite3_create_function(db, "kql_match", 2, m, 0, ctQMatchFunc, 0, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_create_function(db, "eql_match", 2, m, (void*)db, ctQMatchFunc, 0, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_create_function(db, "eql_match", 3, m, (void*)db, ctQMatchFunc, 0, 0);
  return rc;
}
