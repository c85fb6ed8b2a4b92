/*
** fuzz_json.c — libFuzzer harness for the JSON scanner (ext/ct_json.c),
** column extraction (ext/ct_fields.c) and the SQL functions that read
** JSON text: ec2_console_login() (ext/ct_rules.c) and cloudtrail_value()
** (ext/ct_func.c), on arbitrary bytes.
**
** Every routine gets its own exact-size heap copy of the bytes it may
** read, so reading one byte past them is an ASan report, not a silent read
** of the input's tail.
**
**   1. ct_json_validate() and ct_json_validate_members() with bEof 0 and 1
**      and depth budgets from 0 to past CT_JSON_MAX_DEPTH: they must agree
**      with each other, a larger budget must accept what a smaller one
**      did, and the streaming contract the reader relies on must hold: a
**      prefix that stops before the end of a valid value (or before the
**      offending byte of an invalid one) is INCOMPLETE without EOF and an
**      error with EOF, never OK and never a different error.
**   2. The routines meant for validated input (skip, next_member,
**      next_element, lookup, unescape, key_eq, ctFieldsRaw, ctFieldsEcs,
**      ctRecordShape) on the raw bytes, valid or not: ct_json.h promises
**      they never read outside their input.  Spans they return must lie
**      inside it.
**   3. On a valid object: the members table equals a walk with
**      ct_json_next_member(); fields and shape found through the table equal
**      those found by scanning; ct_json_skip() ends where the validator
**      did; every string decodes to at most its own length, to valid UTF-8
**      when it was valid UTF-8; nested objects and arrays are walked.
**   4. SQL, on a :memory: database with the extension: ec2_console_login()
**      on the input as TEXT, as BLOB and with the cloudtrail table's
**      "validated record" subtype (through a helper function), and
**      cloudtrail_value() at several paths.  TEXT and BLOB must agree; on a
**      valid object the subtype path must agree with the validating path,
**      and the result must equal the rule's predicates evaluated without
**      the needle prefilter (ctRuleExcluded() may only reject records that
**      cannot match).
*/
#include "fuzz_common.h"
#include "ct_fields.h"
#include "ct_json.h"
#include "ct_rules.h"

int sqlite3_cloudtrail_init(sqlite3*, char**, const sqlite3_api_routines*);

static sqlite3 *db;
static sqlite3_stmt *pRule;       /* the rule on ?1 as text, blob, record */
static sqlite3_stmt *pValue;      /* cloudtrail_value(?1, ?2) */

static volatile size_t sink;

/* Dotted paths for lookups and cloudtrail_value(). */
static const char *const azPath[] = {
  "eventName", "eventSource", "userIdentity.type", "userIdentity.principalId",
  "userIdentity.sessionContext.sessionIssuer.arn", "responseElements.ConsoleLogin",
  "event.action", "event.provider", "event.outcome", "event.dataset",
  "aws.cloudtrail.user_identity.type", "user.id", "@timestamp",
  "source.ip", "source.address", "cloud.account.id", "data_stream.dataset",
  "aws.cloudtrail.user_identity.session_context.session_issuer.arn",
  "detail", "detail.eventName", "_source", "CloudTrailEvent", "Records",
  "a", "a.b", "a.b.c", "", ".", "..", "a..b", "a.",
  /* more than 32 segments: the lookup's "seen" bitmask runs out */
  "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a",
};
#define N_PATH (sizeof(azPath)/sizeof(azPath[0]))

static const char *const azKey[] = {
  "Records", "Events", "detail", "detail-type", "_source",
  "CloudTrailEvent", "eventName", "userIdentity", "ConsoleLogin", "a", "",
};
#define N_KEY (sizeof(azKey)/sizeof(azKey[0]))

/* The helper: its argument, marked as a record the cloudtrail table
** validated (what the raw column carries). */
static void recordFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc;
  sqlite3_result_value(ctx, argv[0]);
  sqlite3_result_subtype(ctx, CT_SUBTYPE_RECORD);
}

int LLVMFuzzerInitialize(int *argc, char ***argv){
  (void)argc; (void)argv;
  fuzzExactMalloc();
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) abort();
  if( sqlite3_cloudtrail_init(db, 0, 0)!=SQLITE_OK ) abort();
  if( sqlite3_create_function(db, "fuzz_record", 1, SQLITE_UTF8, 0,
                              recordFunc, 0, 0)!=SQLITE_OK ) abort();
  if( sqlite3_prepare_v2(db, "SELECT ec2_console_login(?1),"
        " ec2_console_login(CAST(?1 AS BLOB)), ec2_console_login(fuzz_record(?1))",
        -1, &pRule, 0)!=SQLITE_OK ) abort();
  if( sqlite3_prepare_v2(db, "SELECT cloudtrail_value(?1, ?2)", -1,
                         &pValue, 0)!=SQLITE_OK ) abort();
  return 0;
}

/* An exact-size heap copy of a[0..n) (one byte if n is 0). */
static char *copyOf(const char *a, size_t n){
  char *z = malloc(n ? n : 1);
  if( z==0 ) abort();
  if( n ) memcpy(z, a, n);
  return z;
}

static int spanIn(CtSpan s, const char *a, size_t n){
  return s.z>=a && s.n<=n && (size_t)(s.z-a)<=n-s.n;
}

static int isNumberStart(char c){
  return c=='-' || (c>='0' && c<='9');
}

/* True if a[0..n) is valid UTF-8 (no overlongs, no surrogates). */
static int isUtf8(const unsigned char *a, size_t n){
  size_t i = 0;
  while( i<n ){
    unsigned c = a[i];
    size_t k, nMore;
    unsigned cp, lo;
    if( c<0x80 ){ i++; continue; }
    if( c>=0xC2 && c<=0xDF ){ nMore = 1; cp = c&0x1F; lo = 0x80; }
    else if( c>=0xE0 && c<=0xEF ){ nMore = 2; cp = c&0x0F; lo = 0x800; }
    else if( c>=0xF0 && c<=0xF4 ){ nMore = 3; cp = c&0x07; lo = 0x10000; }
    else return 0;
    if( n-i<=nMore ) return 0;                 /* truncated sequence */
    for(k=1; k<=nMore; k++){
      if( (a[i+k]&0xC0)!=0x80 ) return 0;
      cp = (cp<<6) | (a[i+k]&0x3F);
    }
    if( cp<lo || cp>0x10FFFF || (cp>=0xD800 && cp<=0xDFFF) ) return 0;
    i += nMore+1;
  }
  return 1;
}

/* Decode string body b (no quotes) into an exact-size buffer. */
static void unescapeBody(CtSpan b, int bValidated){
  char *zOut = malloc(b.n ? b.n : 1);
  size_t nOut;
  if( zOut==0 ) abort();
  nOut = ct_json_unescape(b.z, b.n, zOut);
  FUZZ_CHECK( nOut<=b.n );
  if( memchr(b.z, '\\', b.n)==0 ){
    FUZZ_CHECK( nOut==b.n && (b.n==0 || memcmp(zOut, b.z, b.n)==0) );
  }
  if( bValidated && isUtf8((const unsigned char*)b.z, b.n) ){
    FUZZ_CHECK( isUtf8((const unsigned char*)zOut, nOut) );
  }
  if( nOut ) sink += (unsigned char)zOut[nOut-1];
  free(zOut);
}

/* ---- 1. validation ------------------------------------------------------- */
static void checkValidate(const char *z, size_t n){
  static const int aDepth[] = { 0, 1, 2, 3, 16, 64, CT_JSON_MAX_DEPTH,
                                CT_JSON_MAX_DEPTH+100 };
  size_t d, iEnd = 0, iEndM = 0, iLim, j;
  int bEof, rc, rcM, rcPrev, i0;
  size_t iEndPrev = 0;
  CtJsonError e, eM;
  static CtMembers mem;

  for(bEof=0; bEof<2; bEof++){
    rcPrev = -1;
    for(d=0; d<sizeof(aDepth)/sizeof(aDepth[0]); d++){
      memset(&e, 0, sizeof(e));
      memset(&eM, 0, sizeof(eM));
      rc = ct_json_validate(z, n, 0, bEof, aDepth[d], &iEnd, &e);
      rcM = ct_json_validate_members(z, n, 0, bEof, aDepth[d], &iEndM, &eM, &mem);
      FUZZ_CHECK( rc==CT_JSON_OK || rc==CT_JSON_INCOMPLETE || rc==CT_JSON_ERROR );
      FUZZ_CHECK( rc==rcM );
      if( rc==CT_JSON_OK ) FUZZ_CHECK( iEnd==iEndM && iEnd>0 && iEnd<=n );
      if( rc==CT_JSON_ERROR ){
        FUZZ_CHECK( e.iOff==eM.iOff && e.zWhy!=0 && e.zWhy==eM.zWhy );
        FUZZ_CHECK( e.iOff<=n );
      }
      if( bEof ) FUZZ_CHECK( rc!=CT_JSON_INCOMPLETE );
      /* A larger depth budget accepts what a smaller one did. */
      if( rcPrev==CT_JSON_OK ) FUZZ_CHECK( rc==CT_JSON_OK && iEnd==iEndPrev );
      rcPrev = rc;
      iEndPrev = iEnd;
    }
  }

  /* The streaming contract, at a few cut points. */
  rc = ct_json_validate(z, n, 0, 1, CT_JSON_MAX_DEPTH, &iEnd, &e);
  i0 = (int)ct_json_skip_ws(z, n, 0);
  iLim = rc==CT_JSON_OK ? iEnd : e.iOff;
  for(j=0; j<5 && iLim>0; j++){
    size_t k = j<4 ? (iLim*j)/4 : iLim-1;
    size_t iE2 = 0;
    CtJsonError e2;
    char *zPre;
    if( k>=iLim ) continue;
    zPre = copyOf(z, k);
    rcM = ct_json_validate(zPre, k, 0, 0, CT_JSON_MAX_DEPTH, &iE2, &e2);
    FUZZ_CHECK( rcM==CT_JSON_INCOMPLETE );
    rcM = ct_json_validate(zPre, k, 0, 1, CT_JSON_MAX_DEPTH, &iE2, &e2);
    if( !((size_t)i0<n && isNumberStart(z[i0])) ) FUZZ_CHECK( rcM==CT_JSON_ERROR );
    free(zPre);
  }
  if( rc==CT_JSON_OK && (iEnd<n || !isNumberStart(z[i0])) ){
    /* What follows a complete value does not change it. */
    size_t iE2 = 0;
    FUZZ_CHECK( ct_json_validate(z, n, 0, 0, CT_JSON_MAX_DEPTH, &iE2, &e)
                ==CT_JSON_OK && iE2==iEnd );
  }
  if( rc==CT_JSON_ERROR && e.iOff<n ){
    /* Without EOF, the same error (it was found inside the buffer). */
    CtJsonError e2;
    size_t iE2;
    memset(&e2, 0, sizeof(e2));
    rcM = ct_json_validate(z, n, 0, 0, CT_JSON_MAX_DEPTH, &iE2, &e2);
    FUZZ_CHECK( rcM==CT_JSON_ERROR && e2.iOff==e.iOff && e2.zWhy==e.zWhy );
  }
  /* A second start offset, and a string on its own. */
  if( n>1 ){
    size_t iStart = (unsigned char)z[n-1] % n;
    rc = ct_json_validate(z, n, iStart, 1, CT_JSON_MAX_DEPTH, &iEnd, &e);
    if( rc==CT_JSON_OK ) FUZZ_CHECK( iEnd>iStart && iEnd<=n );
    if( rc==CT_JSON_ERROR ) FUZZ_CHECK( e.iOff>=iStart && e.iOff<=n );
  }
  if( (size_t)i0<n && z[i0]=='"' ){
    rc = ct_json_string_end(z, n, (size_t)i0, &iEnd, &e);
    if( rc==CT_JSON_OK ){
      CtSpan b;
      FUZZ_CHECK( iEnd>=(size_t)i0+2 && iEnd<=n && z[iEnd-1]=='"' );
      b.z = z+i0+1;
      b.n = iEnd-(size_t)i0-2;
      unescapeBody(b, 1);
    }
  }
}

/* ---- 2. the non-validating routines on anything -------------------------- */
static void checkUnvalidated(const char *z, size_t n){
  CtSpan obj, key, val;
  CtFields f;
  CtShape shape;
  size_t i, k, nIter;
  int bLower;
  for(k=0; k<4; k++){
    size_t iAt = k==0 ? 0 : (n*k)/4;
    size_t iEnd = ct_json_skip(z, n, iAt);
    FUZZ_CHECK( iEnd<=n && (iAt>=n || iEnd>=iAt) );
  }
  {
    CtSpan all;
    all.z = z;
    all.n = n;
    unescapeBody(all, 0);
    for(k=0; k<N_KEY; k++) sink += (size_t)ct_json_key_eq(all, azKey[k], strlen(azKey[k]));
    sink += (size_t)ct_json_is_null(all);
    sink += (size_t)(ctJsonStringBody(all).z!=0);
  }
  if( n==0 ) return;
  obj.z = z;
  obj.n = n;
  if( z[0]=='{' ){
    i = 1;
    nIter = 0;
    while( ct_json_next_member(z, n, &i, &key, &val) ){
      FUZZ_CHECK( i<=n && spanIn(key, z, n) && spanIn(val, z, n) && val.n>0 );
      FUZZ_CHECK( ++nIter<=n );
    }
    for(k=0; k<N_PATH; k++){
      CtSpan v = ct_json_lookup(obj, azPath[k]);
      if( v.z ) FUZZ_CHECK( spanIn(v, z, n) );
    }
    ctFieldsRaw(obj, 0, &f);
    for(k=0; k<CT_NFIELD; k++) if( f.a[k].z ) FUZZ_CHECK( spanIn(f.a[k], z, n) );
    sink += (size_t)(ctOutcomeRaw(&f, &bLower)!=0);
    ctFieldsRawPart(obj, 0, &f, 1);
    ctFieldsEcs(obj, &f);
    for(k=0; k<CT_NFIELD; k++) if( f.a[k].z ) FUZZ_CHECK( spanIn(f.a[k], z, n) );
    sink += (size_t)ctRecordShape(obj, 0, &shape);
    if( shape.detail.z ) FUZZ_CHECK( spanIn(shape.detail, z, n) );
    if( shape.source.z ) FUZZ_CHECK( spanIn(shape.source, z, n) );
    if( shape.ctEvent.z ) FUZZ_CHECK( spanIn(shape.ctEvent, z, n) );
  }else if( z[0]=='[' ){
    i = 1;
    nIter = 0;
    while( ct_json_next_element(z, n, &i, &val) ){
      FUZZ_CHECK( i<=n && spanIn(val, z, n) && val.n>0 );
      FUZZ_CHECK( ++nIter<=n );
    }
  }
}

/* ---- 3. a valid value ---------------------------------------------------- */
static void walkValue(CtSpan v, int nDepth);

static void walkObject(CtSpan obj, int nDepth){
  CtSpan key, val;
  size_t i = 1, k;
  while( ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
    FUZZ_CHECK( i<=obj.n && spanIn(key, obj.z, obj.n) && spanIn(val, obj.z, obj.n) );
    unescapeBody(key, 1);
    for(k=0; k<N_KEY; k++) sink += (size_t)ct_json_key_eq(key, azKey[k], strlen(azKey[k]));
    walkValue(val, nDepth);
  }
  for(k=0; k<N_PATH; k++){
    CtSpan v = ct_json_lookup(obj, azPath[k]);
    if( v.z ){
      FUZZ_CHECK( spanIn(v, obj.z, obj.n) && v.n>0 );
      FUZZ_CHECK( !ct_json_is_null(v) );
    }
  }
}

static void walkValue(CtSpan v, int nDepth){
  FUZZ_CHECK( v.n>0 );
  /* The value was validated as part of its parent: skip agrees. */
  FUZZ_CHECK( ct_json_skip(v.z, v.n, 0)==v.n );
  sink += (size_t)ct_json_is_null(v);
  if( v.z[0]=='"' ){
    CtSpan b = ctJsonStringBody(v);
    FUZZ_CHECK( b.z==v.z+1 && b.n==v.n-2 );
    unescapeBody(b, 1);
  }else if( v.z[0]=='{' && nDepth<8 ){
    walkObject(v, nDepth+1);
  }else if( v.z[0]=='[' && nDepth<8 ){
    CtSpan e;
    size_t i = 1;
    while( ct_json_next_element(v.z, v.n, &i, &e) ){
      FUZZ_CHECK( i<=v.n && spanIn(e, v.z, v.n) );
      walkValue(e, nDepth+1);
    }
  }
}

static void checkObject(CtSpan obj){
  static CtMembers mem;
  CtFields fScan, fMem;
  CtShape sScan, sMem;
  CtSpan key, val;
  size_t iEnd, i = 1;
  int k, nWalk = 0, eScan, bLower;
  CtJsonError e;
  FUZZ_CHECK( ct_json_validate_members(obj.z, obj.n, 0, 1, CT_JSON_MAX_DEPTH,
                                       &iEnd, &e, &mem)==CT_JSON_OK );
  FUZZ_CHECK( iEnd==obj.n );
  FUZZ_CHECK( ct_json_skip(obj.z, obj.n, 0)==obj.n );
  /* The members table is a walk of the top level, written down. */
  while( ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
    if( nWalk<CT_MAX_MEMBERS ){
      const CtMember *m = &mem.a[nWalk];
      FUZZ_CHECK( nWalk<mem.n );
      FUZZ_CHECK( obj.z+m->iKey==key.z && m->nKey==key.n );
      FUZZ_CHECK( obj.z+m->iVal==val.z && m->nVal==val.n );
    }
    nWalk++;
  }
  FUZZ_CHECK( mem.bOverflow ? (nWalk>CT_MAX_MEMBERS && mem.n==CT_MAX_MEMBERS)
                            : nWalk==mem.n );
  ctFieldsRaw(obj, 0, &fScan);
  ctFieldsRaw(obj, &mem, &fMem);
  for(k=0; k<CT_NFIELD; k++){
    FUZZ_CHECK( fScan.a[k].z==fMem.a[k].z && fScan.a[k].n==fMem.a[k].n );
    if( fScan.a[k].z ){
      FUZZ_CHECK( spanIn(fScan.a[k], obj.z, obj.n) );
      FUZZ_CHECK( ct_json_skip(fScan.a[k].z, fScan.a[k].n, 0)==fScan.a[k].n );
      if( fScan.a[k].z[0]=='"' ) unescapeBody(ctJsonStringBody(fScan.a[k]), 1);
    }
  }
  sink += (size_t)(ctOutcomeRaw(&fScan, &bLower)!=0) + (size_t)bLower;
  eScan = ctRecordShape(obj, 0, &sScan);
  FUZZ_CHECK( ctRecordShape(obj, &mem, &sMem)==eScan );
  FUZZ_CHECK( memcmp(&sScan, &sMem, sizeof(sScan))==0 );
  if( sScan.detail.z ) FUZZ_CHECK( spanIn(sScan.detail, obj.z, obj.n) && sScan.detail.z[0]=='{' );
  if( sScan.source.z ) FUZZ_CHECK( spanIn(sScan.source, obj.z, obj.n) && sScan.source.z[0]=='{' );
  if( sScan.ctEvent.z ) FUZZ_CHECK( spanIn(sScan.ctEvent, obj.z, obj.n) && sScan.ctEvent.z[0]=='"' );
  ctFieldsEcs(obj, &fScan);
  for(k=0; k<CT_F_NCOLUMN; k++){
    if( fScan.a[k].z ) FUZZ_CHECK( spanIn(fScan.a[k], obj.z, obj.n) );
  }
  walkObject(obj, 0);
}

/* ---- 4. SQL -------------------------------------------------------------- */

/* -1 for NULL, else the integer. */
static int intOrNull(sqlite3_stmt *p, int i){
  if( sqlite3_column_type(p, i)==SQLITE_NULL ) return -1;
  FUZZ_CHECK( sqlite3_column_type(p, i)==SQLITE_INTEGER );
  return sqlite3_column_int(p, i);
}

static void checkSql(const char *z, size_t n, const CtSpan *pObj){
  int rc, rText, rBlob, rRecord;
  size_t k;
  sqlite3_bind_text(pRule, 1, z, (int)n, SQLITE_STATIC);
  rc = sqlite3_step(pRule);
  FUZZ_CHECK( rc==SQLITE_ROW );
  rText = intOrNull(pRule, 0);
  rBlob = intOrNull(pRule, 1);
  rRecord = intOrNull(pRule, 2);
  FUZZ_CHECK( sqlite3_step(pRule)==SQLITE_DONE );
  sqlite3_reset(pRule);
  FUZZ_CHECK( rText==rBlob );
  if( pObj ){
    /* One object and only whitespace around it. */
    const CtRule *pRuleDef = ctRule(0);
    int rDirect = ctRuleEvaluate(pRuleDef, *pObj);
    FUZZ_CHECK( rText==0 || rText==1 );
    FUZZ_CHECK( rRecord==rText );
    if( rText!=rDirect ){
      fprintf(stderr, "fuzz: ec2_console_login()=%d but its predicates say %d"
              " (needle prefilter)\n", rText, rDirect);
      abort();
    }
  }else{
    FUZZ_CHECK( rText==-1 );
  }
  for(k=0; k<N_PATH; k++){
    sqlite3_bind_text(pValue, 1, z, (int)n, SQLITE_STATIC);
    sqlite3_bind_text(pValue, 2, azPath[k], -1, SQLITE_STATIC);
    FUZZ_CHECK( sqlite3_step(pValue)==SQLITE_ROW );
    if( pObj==0 ) FUZZ_CHECK( sqlite3_column_type(pValue, 0)==SQLITE_NULL );
    sink += (size_t)sqlite3_column_bytes(pValue, 0);
    FUZZ_CHECK( sqlite3_step(pValue)==SQLITE_DONE );
    sqlite3_reset(pValue);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  char *z;
  size_t iEnd, i0;
  CtJsonError e;
  int bObj = 0;
  CtSpan obj;
  if( size>(size_t)0x7fffffff ) return 0;
  z = copyOf((const char*)data, size);
  checkValidate(z, size);
  checkUnvalidated(z, size);
  i0 = ct_json_skip_ws(z, size, 0);
  if( i0<size && ct_json_validate(z, size, i0, 1, CT_JSON_MAX_DEPTH, &iEnd, &e)
                 ==CT_JSON_OK ){
    CtSpan v;
    char *zVal = copyOf(z+i0, iEnd-i0);
    v.z = zVal;
    v.n = iEnd-i0;
    if( zVal[0]=='{' ){
      checkObject(v);
      bObj = ct_json_skip_ws(z, size, iEnd)==size;
    }else{
      walkValue(v, 0);
    }
    free(zVal);
  }
  obj.z = z+i0;
  obj.n = bObj ? iEnd-i0 : 0;
  checkSql(z, size, bObj ? &obj : 0);
  free(z);
  return 0;
}
