/*
** test_unit.c — C tests for what SQL cannot reach: the JSON validator's
** streaming contract (every prefix of a valid document is INCOMPLETE, never
** an error), its strictness, the string decoder, and that the routines meant
** for validated input never read outside their buffer on any other input
** (run under ASan by make asan); and that the table of fields (ct_fields.h)
** agrees with itself, with the declared schema and with the raw and ECS
** readers derived from it.  Built with
** -DSQLITE_CORE against the system SQLite; prints "N passed, N failed".
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "ct_json.h"
#include "ct_fields.h"
#include "ct_reader.h"
#include "ct_ecs.h"
#include "ct_jvalue.h"
#include "ct_rules.h"
#include "ct_qeval.h"
#include "ct_query.h"

int sqlite3_cloudtrail_init(sqlite3*, char**, const sqlite3_api_routines*);

static int nPass = 0, nFail = 0;

static void check(int bOk, const char *zWhat, const char *zInput){
  if( bOk ){ nPass++; return; }
  nFail++;
  printf("FAIL: %s: %s\n", zWhat, zInput);
}

/* Valid documents: whole is OK and ends at the end; each strict prefix is
** INCOMPLETE without EOF and an error with EOF. */
static void testValid(const char *z){
  size_t n = strlen(z), i, iEnd = 0;
  CtJsonError e;
  int rc = ct_json_validate(z, n, 0, 1, CT_JSON_MAX_DEPTH, &iEnd, &e);
  check(rc==CT_JSON_OK && iEnd==n, "valid document accepted", z);
  for(i=1; i<n; i++){
    /* A prefix that is itself a complete top-level number is fine. */
    int rcA = ct_json_validate(z, i, 0, 0, CT_JSON_MAX_DEPTH, &iEnd, &e);
    int rcB = ct_json_validate(z, i, 0, 1, CT_JSON_MAX_DEPTH, &iEnd, &e);
    if( z[0]=='-' || (z[0]>='0' && z[0]<='9') ) continue;
    check(rcA==CT_JSON_INCOMPLETE, "prefix is incomplete", z);
    check(rcB==CT_JSON_ERROR, "prefix at EOF is an error", z);
  }
}

static void testInvalid(const char *z, const char *zWhy){
  size_t iEnd;
  CtJsonError e;
  int rc = ct_json_validate(z, strlen(z), 0, 1, CT_JSON_MAX_DEPTH, &iEnd, &e);
  check(rc==CT_JSON_ERROR && strcmp(e.zWhy, zWhy)==0, zWhy, z);
}

static void testUnescape(const char *zIn, const char *zOut, size_t nOut){
  char aBuf[256];
  size_t n = ct_json_unescape(zIn, strlen(zIn), aBuf);
  check(n==nOut && memcmp(aBuf, zOut, nOut)==0, "unescape", zIn);
}

static void testDepth(void){
  static char aDoc[2*(CT_JSON_MAX_DEPTH+1)+1];
  size_t iEnd;
  CtJsonError e;
  int d;
  for(d=0; d<CT_JSON_MAX_DEPTH; d++){ aDoc[d] = '['; aDoc[CT_JSON_MAX_DEPTH*2-1-d] = ']'; }
  check(ct_json_validate(aDoc, CT_JSON_MAX_DEPTH*2, 0, 1, CT_JSON_MAX_DEPTH,
                         &iEnd, &e)==CT_JSON_OK, "depth at the limit", "[[…]]");
  memmove(aDoc+1, aDoc, CT_JSON_MAX_DEPTH*2);
  aDoc[0] = '[';
  aDoc[CT_JSON_MAX_DEPTH*2+1] = ']';
  check(ct_json_validate(aDoc, CT_JSON_MAX_DEPTH*2+2, 0, 1, CT_JSON_MAX_DEPTH,
                         &iEnd, &e)==CT_JSON_ERROR, "depth over the limit", "[[…]]");
}

static void testLookup(void){
  const char *z = "{\"event.action\":null,\"event\":{\"action\":\"A\"},"
                  "\"aws.cloudtrail\":{\"user_identity.type\":\"T\"}}";
  CtSpan obj = { z, strlen(z) }, v;
  v = ct_json_lookup(obj, "event.action");
  check(v.z && v.n==3 && memcmp(v.z, "\"A\"", 3)==0, "lookup skips null, finds nested", z);
  v = ct_json_lookup(obj, "aws.cloudtrail.user_identity.type");
  check(v.z && v.n==3 && memcmp(v.z, "\"T\"", 3)==0, "lookup mixes dotted and nested", z);
  v = ct_json_lookup(obj, "event.outcome");
  check(v.z==0, "lookup of a missing path", z);
}

/* Walk garbage with every non-validating routine.  Each input lives in a
** heap block of exactly its size, so ASan reports any byte read past it. */
static void walkUnvalidated(const char *zIn, size_t n){
  char *z = malloc(n ? n : 1), *zOut = malloc(n ? n : 1);
  CtSpan obj, key, val;
  size_t i = 1, nSteps = 0;
  memcpy(z, zIn, n);
  obj.z = z;
  obj.n = n;
  while( n>0 && ct_json_next_member(z, n, &i, &key, &val) && nSteps++<1000 ){
    ct_json_unescape(key.z, key.n, zOut);
    ct_json_key_eq(key, "eventName", 9);
    if( val.z[0]=='"' && val.n>=2 ) ct_json_unescape(val.z+1, val.n-2, zOut);
  }
  i = 1;
  while( n>0 && ct_json_next_element(z, n, &i, &val) && nSteps++<2000 ){}
  ct_json_lookup(obj, "event.action");
  ct_json_lookup(obj, "aws.cloudtrail.user_identity.type");
  ct_json_skip(z, n, 0);
  ct_json_unescape(z, n, zOut);
  free(z);
  free(zOut);
}

static void testUnvalidatedSafety(void){
  static const char *const azSeed[] = {
    "{\"a\":\"x\\", "{\"a", "{\"", "{\"a\":", "{\"a\" ", "{\"event.action\":{",
    "{\"k\":\"\\u12\"}", "{\"k\":\"\\ud800\\u\"}", "[1,", "{\"a\":[\"\\\"\"",
  };
  unsigned seed = 12345;
  char aBuf[64];
  size_t k, i, n;
  for(k=0; k<sizeof(azSeed)/sizeof(azSeed[0]); k++){
    n = strlen(azSeed[k]);
    for(i=0; i<=n; i++) walkUnvalidated(azSeed[k], i);
  }
  for(k=0; k<20000; k++){
    n = (size_t)(k % sizeof(aBuf));
    for(i=0; i<n; i++){
      seed = seed*1103515245u + 12345u;
      aBuf[i] = "{}[]\":,\\u0a9 ."[(seed>>16) % 15];
    }
    if( n>0 ) aBuf[0] = '{';
    walkUnvalidated(aBuf, n);
  }
  check(1, "non-validating routines stay in bounds (ASan decides)", "");
}

/* Members recorded during validation match what a scan finds. */
static void testMembers(void){
  static const char *const az[] = {
    "{\"a\":1,\"b\":{\"c\":[1,2]},\"d\":\"x\\\"y\"}",
    " { \"k\" : [ ] , \"e\\u0041\" : null } ",
    "{}",
  };
  size_t k;
  for(k=0; k<sizeof(az)/sizeof(az[0]); k++){
    const char *z = az[k];
    size_t n = strlen(z), iEnd, i0 = 0, i = 1;
    CtMembers m;
    CtSpan key, val;
    int j = 0, bSame;
    while( z[i0]==' ' ) i0++;
    bSame = ct_json_validate_members(z, n, 0, 1, CT_JSON_MAX_DEPTH, &iEnd, 0, &m)
              ==CT_JSON_OK && !m.bOverflow;
    while( bSame && ct_json_next_member(z+i0, iEnd-i0, &i, &key, &val) ){
      bSame = j<m.n && key.z==z+i0+m.a[j].iKey && key.n==m.a[j].nKey
           && val.z==z+i0+m.a[j].iVal && val.n==m.a[j].nVal;
      j++;
    }
    check(bSame && j==m.n, "members recorded while validating", z);
  }
}

/*
** Regression: a record split over thousands of tiny gzip members was
** re-validated from its start after every member (quadratic time).  The
** window is now filled to the brim before a retry, so the refills needed
** grow with the logarithm of the record size, whatever the member size.
*/
static void testTinyMembersRefillLinear(void){
  static const char zPath[] = "dist/scratch/tiny-members.jsonl.gz";
  char aRec[8200];
  size_t n = 0, k;
  CtReader r;
  int rc, nRow = 0;
  n += (size_t)sprintf(aRec, "{\"eventName\":\"");
  while( n<8000 ) aRec[n++] = 'x';
  n += (size_t)sprintf(aRec+n, "\"}\n");
  mkdir("dist", 0777);
  mkdir("dist/scratch", 0777);
  remove(zPath);
  for(k=0; k<n; k++){
    gzFile g = gzopen(zPath, "ab");
    if( g==0 ){ check(0, "cannot write", zPath); return; }
    gzwrite(g, aRec+k, 1);
    gzclose(g);
  }
  memset(&r, 0, sizeof(r));
  rc = ctReaderOpen(&r, zPath, 16, 1<<20, 0);
  while( rc==SQLITE_OK || rc==SQLITE_ROW ){
    rc = ctReaderNext(&r);
    if( rc!=SQLITE_ROW ) break;
    nRow++;
    check(r.rec.n==n-1, "record decoded whole", zPath);
  }
  check(rc==SQLITE_DONE && nRow==1, "one record from 8 KB of 1-byte members", zPath);
  check(r.s.nRefill<64, "refills grow with log(record size)", zPath);
  ctReaderClose(&r);
}

/*
** A file truncated while it is being read ends the scan with the
** "JSON ends inside record" error, never a crash; a file replaced (renamed
** over) while being read is read to its end from the open descriptor.
*/
static void testFileChangesDuringScan(void){
  static const char zPath[] = "dist/scratch/changing.jsonl";
  static const char zNew[] = "dist/scratch/changing.new";
  FILE *f;
  CtReader r;
  int i, rc, nRow = 0;
  mkdir("dist", 0777);
  mkdir("dist/scratch", 0777);
  f = fopen(zPath, "w");
  for(i=0; i<20000; i++) fprintf(f, "{\"eventName\":\"E%d\",\"n\":%d}\n", i, i);
  fclose(f);
  memset(&r, 0, sizeof(r));
  rc = ctReaderOpen(&r, zPath, 4096, 1<<20, 0);
  while( rc==SQLITE_OK || rc==SQLITE_ROW ){
    rc = ctReaderNext(&r);
    if( rc!=SQLITE_ROW ) break;
    if( ++nRow==100 ) truncate(zPath, 300000+7);   /* mid-record */
  }
  check(rc==SQLITE_ERROR && r.zErr && strstr(r.zErr, "JSON ends inside record"),
        "truncated while read: JSON ends inside a record", r.zErr ? r.zErr : "");
  check(nRow>100 && nRow<20000, "the records before the cut were returned", zPath);
  ctReaderClose(&r);

  f = fopen(zPath, "w");
  for(i=0; i<20000; i++) fprintf(f, "{\"eventName\":\"E%d\"}\n", i);
  fclose(f);
  f = fopen(zNew, "w");
  fprintf(f, "{\"eventName\":\"other\"}\n");
  fclose(f);
  nRow = 0;
  memset(&r, 0, sizeof(r));
  rc = ctReaderOpen(&r, zPath, 4096, 1<<20, 0);
  while( rc==SQLITE_OK || rc==SQLITE_ROW ){
    rc = ctReaderNext(&r);
    if( rc!=SQLITE_ROW ) break;
    if( ++nRow==100 ) rename(zNew, zPath);
  }
  check(rc==SQLITE_DONE && nRow==20000, "replaced while read: the open file is read whole", zPath);
  ctReaderClose(&r);
}

/* ---- The table of fields ------------------------------------------------ */

/* The table itself: columns first, computed markers where paths are
** missing, pushable fields at the top level of a raw record. */
static void testFieldTableShape(void){
  int i;
  for(i=0; i<CT_NFIELD; i++){
    const CtField *f = &ctFieldTable[i];
    int bCol = !(f->mFlags & CT_FF_NOCOLUMN);
    check(bCol==(i<CT_F_NCOLUMN), "columns come before other fields", f->zRaw ? f->zRaw : "");
    if( !bCol ){
      check(f->zName==0 && f->zRaw!=0, "a field that is no column is read", f->zRaw ? f->zRaw : "");
      continue;
    }
    check((f->zRaw==0)==((f->mFlags & CT_FF_RAW_CALC)!=0),
          "raw: a path, or computed", f->zName);
    check((f->azEcs[0]==0)==((f->mFlags & CT_FF_ECS_CALC)!=0),
          "ECS: a path, or computed", f->zName);
    check(!(f->mFlags & CT_FF_PUSH) || (f->zRaw && strchr(f->zRaw, '.')==0),
          "a pushable field is a top-level key", f->zName);
    check(!(f->mFlags & (CT_FF_HIDDEN|CT_FF_HIDDEN_VALUE)) || strcmp(f->zType, "HIDDEN")==0,
          "a hidden column is declared HIDDEN", f->zName);
  }
}

/* The declared schema, as SQLite reads it, is the table's columns. */
static void testFieldTableSchema(void){
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  int i = 0;
  sqlite3_open(":memory:", &db);
  check(sqlite3_cloudtrail_init(db, 0, 0)==SQLITE_OK, "init", "");
  sqlite3_prepare_v2(db, "SELECT name, type, hidden FROM "
                     "pragma_table_xinfo('cloudtrail') ORDER BY cid", -1, &pStmt, 0);
  while( pStmt && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
    int bHidden = sqlite3_column_int(pStmt, 2)!=0;
    const CtField *f = i<CT_F_NCOLUMN ? &ctFieldTable[i] : 0;
    /* The pragma shows the type without its collation, and none for a
    ** hidden column. */
    const char *zColl = f ? strstr(f->zType, " COLLATE ") : 0;
    size_t nType = f ? (zColl ? (size_t)(zColl-f->zType) : strlen(f->zType)) : 0;
    if( f && bHidden ) nType = 0;
    check(f && strcmp(zName, f->zName)==0, "schema column named as in the table", zName);
    check(f && strlen(zType)==nType && strncmp(zType, f->zType, nType)==0,
          "schema column typed as in the table", zName);
    check(f && bHidden==((f->mFlags & (CT_FF_HIDDEN|CT_FF_HIDDEN_VALUE))!=0),
          "hidden as in the table", zName);
    i++;
  }
  check(i==CT_F_NCOLUMN, "schema has the table's columns", "");
  sqlite3_finalize(pStmt);
  sqlite3_close(db);
}

/* Append to z (a buffer of nAlloc bytes, used n) the JSON object holding,
** below the dotted prefix zPre (nPre bytes), every raw path of the table,
** each field's value the string "v<field>". */
static size_t rawObject(char *z, size_t n, size_t nAlloc, const char *zPre,
                        size_t nPre){
  int i, j, nOut = 0;
  n += (size_t)snprintf(z+n, nAlloc-n, "{");
  for(i=0; i<CT_NFIELD; i++){
    const char *zP = ctFieldTable[i].zRaw, *zSeg, *zDot;
    size_t nSeg;
    int bDup = 0;
    if( zP==0 || strlen(zP)<=nPre || strncmp(zP, zPre, nPre)!=0 ) continue;
    zSeg = zP + nPre;
    zDot = strchr(zSeg, '.');
    nSeg = zDot ? (size_t)(zDot-zSeg) : strlen(zSeg);
    for(j=0; j<i && !bDup; j++){       /* that object is already written */
      const char *zQ = ctFieldTable[j].zRaw;
      bDup = zQ && strlen(zQ)>nPre+nSeg && strncmp(zQ, zP, nPre+nSeg)==0
          && zQ[nPre+nSeg]=='.' && zDot;
    }
    if( bDup ) continue;
    n += (size_t)snprintf(z+n, nAlloc-n, "%s\"%.*s\":", nOut++ ? "," : "",
                          (int)nSeg, zSeg);
    if( zDot ) n = rawObject(z, n, nAlloc, zP, nPre+nSeg+1);
    else n += (size_t)snprintf(z+n, nAlloc-n, "\"v%d\"", i);
  }
  n += (size_t)snprintf(z+n, nAlloc-n, "}");
  return n;
}

/* True if span v is the JSON string "<c><i>". */
static int isMark(CtSpan v, char c, int i){
  char aBuf[16];
  int n = snprintf(aBuf, sizeof(aBuf), "\"%c%d\"", c, i);
  return v.z && v.n==(size_t)n && memcmp(v.z, aBuf, (size_t)n)==0;
}

/* The readers derived from the table find every field where it says: a
** record holding every raw path, and an ECS document holding every first
** ECS path (flattened), read back field by field. */
static void testFieldTableReaders(void){
  static char aRec[8192];
  CtFields f;
  CtSpan rec;
  int i, n = 0;
  rec.z = aRec;
  rec.n = rawObject(aRec, 0, sizeof(aRec), "", 0);
  ctFieldsRaw(rec, 0, &f);
  for(i=0; i<CT_NFIELD; i++){
    const CtField *p = &ctFieldTable[i];
    check(p->zRaw ? isMark(f.a[i], 'v', i) : f.a[i].z==0, "raw field read at its path",
          p->zRaw ? p->zRaw : p->zName);
  }
  ctFieldsRawPart(rec, 0, &f, 1);
  for(i=0; i<CT_NFIELD; i++){
    const CtField *p = &ctFieldTable[i];
    if( p->mFlags & CT_FF_PUSH ) check(isMark(f.a[i], 'v', i), "pushable field read top-only", p->zName);
  }
  n += snprintf(aRec+n, sizeof(aRec)-(size_t)n, "{");
  for(i=0; i<CT_NFIELD; i++){
    if( ctFieldTable[i].azEcs[0]==0 ) continue;
    n += snprintf(aRec+n, sizeof(aRec)-(size_t)n, "%s\"%s\":\"e%d\"", n>1 ? "," : "",
                  ctFieldTable[i].azEcs[0], i);
  }
  n += snprintf(aRec+n, sizeof(aRec)-(size_t)n, "}");
  rec.n = (size_t)n;
  ctFieldsEcs(rec, &f);
  for(i=0; i<CT_NFIELD; i++){
    const CtField *p = &ctFieldTable[i];
    check(p->azEcs[0] ? isMark(f.a[i], 'e', i) : f.a[i].z==0, "ECS field read at its path",
          p->azEcs[0] ? p->azEcs[0] : (p->zName ? p->zName : p->zRaw));
  }
}

/* Java's Double.toString(), as the pipeline prints numbers. */
static void testJavaDouble(double r, const char *zWant){
  sqlite3_str *p = sqlite3_str_new(0);
  char *z;
  ctJvDouble(p, r);
  z = sqlite3_str_finish(p);
  check(z && strcmp(z, zWant)==0, "Double.toString", zWant);
  sqlite3_free(z);
}

/* Java's toString() of a JSON value after the removal pass. */
static void testJavaString(const char *zJson, const char *zWant){
  sqlite3_str *p = sqlite3_str_new(0);
  CtSpan v = { zJson, strlen(zJson) };
  CtJv jv;
  char *z;
  ctJvInit(&jv, p);
  ctJvToString(&jv, v);
  ctJvFree(&jv);
  z = sqlite3_str_finish(p);
  check(z && strcmp(z, zWant)==0, "toString", zWant);
  sqlite3_free(z);
}

static void testEcsTables(void){
  CtSpan a = { "\"a\"", 3 }, b = { "\"\\u0061\"", 8 }, key, dup;
  CtJv jv;
  int r;
  check(ctEcsCheckFields(), "ctEcsFields[] is in path order, no field below another", "");
  /* String.hashCode("a") is 97; "\u0061" decodes to it */
  a.z++; a.n -= 2; b.z++; b.n -= 2;
  check(ctJvHash(a)==97 && ctJvHash(b)==97, "hashCode of a decoded key", "");
  check(ctJvCompare16("\xef\xbf\xbd", 3, "\xf0\x9f\x98\x80", 4)>0,
        "String order is UTF-16 order (U+FFFD after U+1F600)", "");
  key.z = "{\"x\":{\"k\":1,\"\\u006b\":2}}";
  key.n = strlen(key.z);
  ctJvInit(&jv, 0);
  r = ctJvDuplicate(&jv, key, &dup);
  ctJvFree(&jv);
  check(r==1 && dup.n==6, "a duplicate key after decoding, one level down", "");
}

/* Every rule of the table compiles with the generic evaluator; the
** prefilter of ec2_console_login is the one the evaluator derives from its
** query (the longest literal a top-level "and" term requires of a copied
** field), and ctRuleEvaluate() runs the query. */
/* The prefilters a KQL query compiles to: the dispatch literals (how many,
** or -1 for none; how many of them prefixes) and the first needle with the top-level key holding its
** field (0: none, or anywhere in the record). */
static void testPrefilter(const char *zQuery, int nWantDisp, int nWantPrefix,
                          const char *zWantNeedle, const char *zWantKey){
  CtEcsConf def = { .eGen = CT_ECS_PREVIOUS };
  CtQuery *pQ = 0;
  CtQProg *pP = 0;
  char *zErr = 0;
  const char *const *az = 0;
  const char *z = 0, *zKey = 0;
  int iRule = -1, n, nDisp = -1, nKey = 0, nNeedle, bPrefix = 0, nPrefix = 0;
  int rc = ctKqlParse(zQuery, &pQ, &zErr);
  if( rc==SQLITE_OK ) rc = ctQProgNew(&def, &pP);
  if( rc==SQLITE_OK ) rc = ctQProgAdd(pP, pQ, 0, &iRule, &zErr);
  check(rc==SQLITE_OK, "a prefilter test's query compiles", zErr ? zErr : zQuery);
  if( rc==SQLITE_OK ){
    if( ctQProgDispatch(pP, iRule, -1, &z, &n, &bPrefix)>=0 ){
      for(nDisp=0; ; nDisp++){
        z = 0;
        ctQProgDispatch(pP, iRule, nDisp, &z, &n, &bPrefix);
        if( z==0 ) break;
        nPrefix += bPrefix;
        check(!bPrefix || z[n]=='*', "a prefix literal stops before its '*'", zQuery);
      }
    }
    check(nDisp==nWantDisp, "the dispatch's number of literals", zQuery);
    check(nPrefix==nWantPrefix, "the dispatch's number of prefix literals", zQuery);
    nNeedle = ctQProgNeedles(pP, iRule, &az);
    if( nNeedle>0 ) nKey = ctQProgNeedleKey(pP, iRule, 0, &zKey);
    check(zWantNeedle==0 ? nNeedle==0 : (nNeedle>0 && strcmp(az[0], zWantNeedle)==0),
          "the needle kept", zQuery);
    check(zWantKey==0 ? nKey==0 : (nKey==(int)strlen(zWantKey) && memcmp(zKey, zWantKey, (size_t)nKey)==0),
          "the top-level key holding the needle's field", zQuery);
  }
  sqlite3_free(zErr);
  ctQProgFree(pP);
  ctQueryFree(pQ);
}

static void testRulePrograms(void){
  static const char zHit[] = "{\"eventSource\":\"signin.amazonaws.com\","
    "\"eventName\":\"ConsoleLogin\",\"eventTime\":\"2026-11-20T09:13:05Z\","
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAX:i-1\"},"
    "\"responseElements\":{\"ConsoleLogin\":\"Success\"}}";
  static const char zMiss[] = "{\"eventSource\":\"signin.amazonaws.com\","
    "\"eventName\":\"ConsoleLogin\",\"eventTime\":\"2026-11-20T09:13:05Z\","
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAX:jane\"},"
    "\"responseElements\":{\"ConsoleLogin\":\"Success\"}}";
  CtSpan hit = { zHit, sizeof(zHit)-1 }, miss = { zMiss, sizeof(zMiss)-1 };
  int i;
  for(i=0; i<ctRuleCount(); i++){
    CtRuleProg *p = 0;
    char *zErr = 0;
    int rc = ctRuleCompile(ctRule(i), &p, &zErr);
    check(rc==SQLITE_OK, "the rule's query compiles", zErr ? zErr : ctRule(i)->zRule);
    if( rc==SQLITE_OK && strcmp(ctRule(i)->zRule, "ec2_console_login")==0 ){
      const char *zNeedle = ctRuleProgNeedle(p);
      check(zNeedle && strcmp(zNeedle, "signin.amazonaws.com")==0,
            "ec2_console_login's needle, derived from its query", zNeedle ? zNeedle : "(none)");
      check(ctRuleEvaluate(ctRule(i), hit)==1, "ctRuleEvaluate: a match", zHit);
      check(ctRuleEvaluate(ctRule(i), miss)==0, "ctRuleEvaluate: no match", zMiss);
    }
    sqlite3_free(zErr);
    ctRuleProgFree(p);
  }
}

int main(void){
  /* an or whose sides dispatch on one field: their union (regression:
  ** such a rule fell back to event.provider) */
  testPrefilter("event.provider: ec2.amazonaws.com and (event.action: (CreateSecurityGroup or "
                "RevokeSecurityGroupIngress) or (event.action: ModifyInstanceAttribute and "
                "aws.cloudtrail.flattened.request_parameters.x: *))", 3, 0, "ec2.amazonaws.com", "eventSource");
  /* KQL prefix patterns dispatch (the Lambda rules' versioned action names) */
  testPrefilter("event.provider: lambda.amazonaws.com and event.action: (DeleteFunction or DeleteFunction20*)",
                2, 1, "lambda.amazonaws.com", "eventSource");
  testPrefilter("event.action: *Function* and event.provider: lambda.amazonaws.com", 1, 0,
                "lambda.amazonaws.com", "eventSource");
  /* a top-level dispatch wins over a nested one (regression: one literal of
  ** aws.cloudtrail.user_identity.type beat eleven event.action names) */
  testPrefilter("aws.cloudtrail.user_identity.type: AssumedRole and event.action: (CreateUser or CreateRole)",
                2, 0, "AssumedRole", "userIdentity");
  testPrefilter("event.action: CreateUser or source.address: config.amazonaws.com", -1, 0,
                "CreateUser", "eventName");
  /* one needle each side of an and: the longer one, in the member of its field */
  testPrefilter("aws.cloudtrail.user_identity.type: IAMUser and user_agent.original: *AppleWebKit*",
                1, 0, "AppleWebKit", "userAgent");
  testPrefilter("user_agent.original: *kali* or user_agent.original: *Gecko*", -1, 0, "kali", "userAgent");
  testPrefilter("not user.name: x", -1, 0, 0, 0);
  /* user.name is one of three raw strings: its literals are needles, to
  ** be looked for anywhere (regression: IAMUser was kept, and named most
  ** IAM users' events) */
  testPrefilter("aws.cloudtrail.user_identity.type: IAMUser and user.name: BedrockAPIKey-*",
                1, 0, "BedrockAPIKey-", 0);
  testValid("{\"a\":[1,-2.5e+3,true,false,null,\"x\\\"y\\u00e9\"],\"b\":{}}");
  testValid("[{\"k\":\"\\ud83d\\ude00\"},[],{}]");
  testValid("\"str\\n\"");
  testValid("{ \"sp\" : [ 0 , 0.0 , 1E5 ] }");
  testValid("-12.5e7");
  testInvalid("{\"a\":1,}", "expected a string key");
  testInvalid("[1,]", "expected a JSON value");
  testInvalid("{\"a\" 1}", "expected ':'");
  testInvalid("[01]", "expected ',' or ']'");
  testInvalid("[1.]", "bad number");
  testInvalid("[-]", "bad number");
  testInvalid("[tru]", "expected a JSON value");
  testInvalid("[\"a\tb\"]", "control character in string");
  testInvalid("[\"\\x\"]", "bad escape in string");
  testInvalid("[\"\\u12G4\"]", "bad \\u escape");
  testInvalid("{\"a\":1]", "expected ',' or '}'");
  testInvalid("'single'", "expected a JSON value");
  testUnescape("plain", "plain", 5);
  testUnescape("a\\n\\t\\\"\\\\\\/", "a\n\t\"\\/", 6);
  testUnescape("\\u003a", ":", 1);
  testUnescape("\\u00e9", "\xc3\xa9", 2);
  testUnescape("\\ud83d\\ude00", "\xf0\x9f\x98\x80", 4);
  testUnescape("\\ud800x", "\xef\xbf\xbdx", 4);
  testUnescape("\\ude00", "\xef\xbf\xbd", 3);
  testUnescape("a\\u0000b", "a\0b", 3);
  testDepth();
  testLookup();
  testMembers();
  testUnvalidatedSafety();
  testTinyMembersRefillLinear();
  testFileChangesDuringScan();
  testFieldTableShape();
  testFieldTableSchema();
  testFieldTableReaders();
  testEcsTables();
  testRulePrograms();
  testJavaDouble(1.5, "1.5");
  testJavaDouble(100.0, "100.0");
  testJavaDouble(1e7, "1.0E7");
  testJavaDouble(9999999.0, "9999999.0");
  testJavaDouble(0.001, "0.001");
  testJavaDouble(0.0001, "1.0E-4");
  testJavaDouble(-2.5e-5, "-2.5E-5");
  testJavaDouble(0.1+0.2, "0.30000000000000004");
  testJavaDouble(1.2345678e20, "1.2345678E20");
  testJavaDouble(-0.0, "-0.0");
  testJavaString("{\"action\":1,\"functionName\":2,\"principal\":3,\"statementId\":4}",
                 "{principal=3, functionName=2, statementId=4, action=1}");
  testJavaString("{\"a\":[true,null,\"-\",{}],\"b\":\"none\",\"c\":-0,\"d\":1E2}",
                 "{a=[true], c=0, d=100.0}");
  testJavaString("[\"x\\ty\",[],[[null]],12345678901234567890123]",
                 "[x\ty, 12345678901234567890123]");
  printf("unit: %d passed, %d failed\n", nPass, nFail);
  return nFail!=0;
}
