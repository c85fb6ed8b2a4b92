/*
** ct_jvalue.c — JSON values as Elasticsearch's ingest pipeline holds them.
**
** Elastic's aws.cloudtrail pipeline parses each record into Java maps and
** lists (Elasticsearch's json processor), removes empty values, and keeps
** four of the record's objects as the text Java's toString() gives them:
**
**   SELECT cloudtrail_ecs('{"eventVersion":"1.08","eventName":"X",
**       "requestParameters":{"b":1.50,"a":[true,null,"-"],"c":"none"}}',
**       'aws.cloudtrail.request_parameters');
**   -- {a=[true], b=1.5}
**
** This file reproduces that from the JSON text, without building a tree:
**   - ctJvKept(): does a value survive the pipeline's first removal pass
**     (null, "", "-", "none", and objects and arrays left empty);
**   - ctJvOrder(): the order a java.util.HashMap, filled key by key from
**     the JSON, iterates its keys (buckets of String.hashCode());
**   - ctJvToString(): Java's AbstractMap/AbstractCollection toString();
**   - ctJvJson(): the cleaned value as JSON, numbers as Jackson writes them;
**   - ctJvDuplicate(): the duplicate-key check Elasticsearch's JSON parser
**     makes (a record with one fails the whole pipeline).
** Recursion follows the input's nesting, which ct_json_validate() bounds
** at CT_JSON_MAX_DEPTH levels; frames are small and hold no arrays.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct_jvalue.h"
SQLITE_EXTENSION_INIT3

/* java.util.HashMap: first table 16 buckets, grown when more than 3/4
** full; a bucket reaching 9 entries while the table is below 64 buckets
** doubles the table instead of becoming a tree. */
#define CT_JV_HASHMAP_FIRST      16
#define CT_JV_HASHMAP_TREEIFY    9
#define CT_JV_HASHMAP_MIN_TREE   64

/* Objects with at most this many keys are checked for duplicates pair by
** pair (no hashing, no sort): CloudTrail objects have about 20. */
#define CT_JV_PAIRWISE 32

/* Longest string body compared as "-" or "none" after decoding escapes. */
#define CT_JV_SHORT 32

void ctJvInit(CtJv *p, sqlite3_str *pOut){
  memset(p, 0, sizeof(*p));
  p->pOut = pOut;
}
void ctJvFree(CtJv *p){
  sqlite3_free(p->a);
  p->a = 0;
  p->nAlloc = p->nUsed = 0;
}

/* True if the JSON string v decodes to exactly zText. */
int ctJvStringIs(CtSpan v, const char *zText){
  size_t nText = strlen(zText);
  CtSpan b;
  if( v.z==0 || v.n<2 || v.z[0]!='"' ) return 0;
  b.z = v.z+1;
  b.n = v.n-2;
  return ct_json_key_eq(b, zText, nText);
}

/* True if the scalar v is one the pipeline's first pass removes. */
static int ctJvEmptyScalar(CtSpan v){
  if( ct_json_is_null(v) ) return 1;
  if( v.z[0]!='"' ) return 0;
  if( v.n==2 ) return 1;
  if( v.n>CT_JV_SHORT ) return 0;
  return ctJvStringIs(v, "-") || ctJvStringIs(v, "none") || ctJvStringIs(v, "");
}

/*
** True if the value v survives the pipeline's first removal pass
** ("script_remove_nulls_before_renames"): it is not null, "", "-" or
** "none", and not an object or array whose members all go.  An absent
** value (v.z==0) is not kept.
*/
int ctJvKept(CtSpan v){
  CtSpan key, val;
  size_t i = 1;
  if( v.z==0 ) return 0;
  if( v.z[0]=='{' ){
    while( ct_json_next_member(v.z, v.n, &i, &key, &val) ){
      if( ctJvKept(val) ) return 1;
    }
    return 0;
  }
  if( v.z[0]=='[' ){
    while( ct_json_next_element(v.z, v.n, &i, &val) ){
      if( ctJvKept(val) ) return 1;
    }
    return 0;
  }
  return !ctJvEmptyScalar(v);
}

/* The string v (quoted JSON) decoded into a new buffer; *pn its length.
** 0 on out-of-memory. */
char *ctJvDecode(CtSpan v, size_t *pn){
  char *z;
  CtSpan b = v;
  if( v.n>=2 && v.z[0]=='"' ){ b.z++; b.n -= 2; }
  z = sqlite3_malloc64(b.n+1);
  if( z==0 ) return 0;
  *pn = ct_json_unescape(b.z, b.n, z);
  z[*pn] = 0;
  return z;
}

/* Next code point of UTF-8 z[*pi..n); invalid bytes count as themselves. */
static unsigned ctUtf8Next(const char *z, size_t n, size_t *pi){
  const unsigned char *u = (const unsigned char*)z;
  size_t i = *pi;
  unsigned c = u[i++], k = 0, cp;
  if( c<0x80 ){ *pi = i; return c; }
  if( c>=0xF0 ){ k = 3; cp = c&0x07; }
  else if( c>=0xE0 ){ k = 2; cp = c&0x0F; }
  else if( c>=0xC0 ){ k = 1; cp = c&0x1F; }
  else{ *pi = i; return c; }
  while( k-- && i<n && (u[i]&0xC0)==0x80 ) cp = (cp<<6) | (u[i++]&0x3F);
  *pi = i;
  return cp;
}

/* Java's String.hashCode() of UTF-8 text: 31*h + each UTF-16 unit. */
unsigned int ctJvHash16(const char *z, size_t n){
  unsigned int h = 0;
  size_t i = 0;
  while( i<n ){
    unsigned cp = ctUtf8Next(z, n, &i);
    if( cp>=0x10000 ){
      cp -= 0x10000;
      h = 31*h + (0xD800 + (cp>>10));
      h = 31*h + (0xDC00 + (cp&0x3FF));
    }else{
      h = 31*h + cp;
    }
  }
  return h;
}

/* String.hashCode() of an escaped key (the bytes between its quotes)
** into *pH.  SQLITE_NOMEM or SQLITE_OK. */
static int ctJvHashKey(CtSpan key, unsigned int *pH){
  char aBuf[CT_JV_SHORT];
  char *z;
  size_t n;
  if( memchr(key.z, '\\', key.n)==0 ){ *pH = ctJvHash16(key.z, key.n); return SQLITE_OK; }
  if( key.n<=sizeof(aBuf) ){
    n = ct_json_unescape(key.z, key.n, aBuf);
    *pH = ctJvHash16(aBuf, n);
    return SQLITE_OK;
  }
  z = sqlite3_malloc64(key.n);
  if( z==0 ){ *pH = 0; return SQLITE_NOMEM; }
  n = ct_json_unescape(key.z, key.n, z);
  *pH = ctJvHash16(z, n);
  sqlite3_free(z);
  return SQLITE_OK;
}
/* The same, 0 on out-of-memory. */
unsigned int ctJvHash(CtSpan key){
  unsigned int h;
  ctJvHashKey(key, &h);
  return h;
}

/* Java's String.compareTo() of two UTF-8 texts: UTF-16 unit order, which
** differs from code point order only above U+FFFF against U+E000-U+FFFF. */
int ctJvCompare16(const char *a, size_t na, const char *b, size_t nb){
  size_t i = 0, j = 0;
  while( i<na && j<nb ){
    unsigned x = ctUtf8Next(a, na, &i), y = ctUtf8Next(b, nb, &j);
    if( x>=0x10000 ) x = 0xD800 + ((x-0x10000)>>10);
    if( y>=0x10000 ) y = 0xD800 + ((y-0x10000)>>10);
    if( x!=y ) return x<y ? -1 : 1;
  }
  return (i<na) - (j<nb);
}

/* Make room for n more members on the stack.  SQLITE_NOMEM on failure. */
int ctJvReserve(CtJv *p, int n){
  if( p->nUsed+n > p->nAlloc ){
    int nNew = (p->nUsed+n)*2 + 16;
    CtJvMember *aNew = sqlite3_realloc64(p->a, sizeof(CtJvMember)*(sqlite3_uint64)nNew);
    if( aNew==0 ){ p->rc = SQLITE_NOMEM; return SQLITE_NOMEM; }
    p->a = aNew;
    p->nAlloc = nNew;
  }
  return SQLITE_OK;
}

/* Push obj's members onto the stack; returns how many, or -1 (NOMEM). */
static int ctJvPushAs(CtJv *p, CtSpan obj, int bHash){
  CtSpan key, val;
  size_t i = 1;
  int n = 0;
  while( ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
    CtJvMember *m;
    if( ctJvReserve(p, 1) ) return -1;
    m = &p->a[p->nUsed++];
    m->key = key;
    m->val = val;
    m->h = 0;
    if( bHash && ctJvHashKey(key, &m->h) ){ p->rc = SQLITE_NOMEM; return -1; }
    m->iIns = n++;
    m->iBin = 0;
  }
  return n;
}
static int ctJvPush(CtJv *p, CtSpan obj){
  return ctJvPushAs(p, obj, 1);
}

/* HashMap's bucket of hash h in a table of nCap buckets. */
static int ctJvBin(unsigned int h, int nCap){
  return (int)((h ^ (h>>16)) & (unsigned)(nCap-1));
}

/* The table size a HashMap ends with after a[0..n) were put in order,
** or -1 on out-of-memory.  Bucket counts are kept per table size. */
static int ctJvCapacity(CtJvMember *a, int n){
  int nCap = CT_JV_HASHMAP_FIRST, k, j;
  int *aCount = sqlite3_malloc64(sizeof(int)*(sqlite3_uint64)CT_JV_HASHMAP_FIRST);
  if( aCount==0 ) return -1;
  memset(aCount, 0, sizeof(int)*CT_JV_HASHMAP_FIRST);
  for(k=0; k<n; k++){
    int nNew = nCap;
    if( ++aCount[ctJvBin(a[k].h, nCap)]>=CT_JV_HASHMAP_TREEIFY
     && nCap<CT_JV_HASHMAP_MIN_TREE ){
      nNew *= 2;
    }
    if( (k+1)*4 > nNew*3 ) nNew *= 2;
    if( nNew!=nCap ){
      int *aNew = sqlite3_realloc64(aCount, sizeof(int)*(sqlite3_uint64)nNew);
      if( aNew==0 ){ sqlite3_free(aCount); return -1; }
      aCount = aNew;
      nCap = nNew;
      memset(aCount, 0, sizeof(int)*(size_t)nCap);
      for(j=0; j<=k; j++) aCount[ctJvBin(a[j].h, nCap)]++;
    }
  }
  sqlite3_free(aCount);
  return nCap;
}

static int ctJvCmpBin(const void *pa, const void *pb){
  const CtJvMember *a = pa, *b = pb;
  if( a->iBin!=b->iBin ) return a->iBin<b->iBin ? -1 : 1;
  return a->iIns - b->iIns;
}

/*
** Sort a[0..n), whose h and iIns are set, into the order a HashMap that
** was filled with them in iIns order iterates: by bucket at the table's
** final size, then by insertion.  Buckets that became trees (9 or more
** colliding keys in a table of 64 or more) are taken in insertion order
** (docs/ecs.md).  SQLITE_NOMEM or SQLITE_OK.
*/
int ctJvSortHashMap(CtJvMember *a, int n){
  int nCap = n<CT_JV_HASHMAP_TREEIFY ? CT_JV_HASHMAP_FIRST : ctJvCapacity(a, n), k;
  if( nCap<0 ) return SQLITE_NOMEM;
  for(k=0; k<n; k++) a[k].iBin = ctJvBin(a[k].h, nCap);
  qsort(a, (size_t)n, sizeof(CtJvMember), ctJvCmpBin);
  return SQLITE_OK;
}

/*
** Push the members of object obj onto p's stack in HashMap order
** (ctJvSortHashMap()).  *pn receives their count; the caller pops them
** with p->nUsed = (the returned index).  Returns the index of the first,
** or -1 on out-of-memory.  The map's size counts every member, also those
** the removal pass drops later: they were in the map when it grew.
*/
int ctJvOrder(CtJv *p, CtSpan obj, int *pn){
  int i0 = p->nUsed, n = ctJvPush(p, obj);
  if( n<0 || ctJvSortHashMap(p->a+i0, n) ){
    p->rc = SQLITE_NOMEM;
    p->nUsed = i0;
    *pn = 0;
    return -1;
  }
  *pn = n;
  return i0;
}

/* Append the decoded body of string v (quoted) to pOut (p->rc on
** out-of-memory). */
static void ctJvAppendString(CtJv *p, sqlite3_str *pOut, CtSpan v){
  CtSpan b = v;
  if( v.n>=2 && v.z[0]=='"' ){ b.z++; b.n -= 2; }
  if( memchr(b.z, '\\', b.n)==0 ){
    sqlite3_str_append(pOut, b.z, (int)b.n);
  }else{
    size_t n;
    char *z = ctJvDecode(v, &n);
    if( z==0 ){ p->rc = SQLITE_NOMEM; return; }
    sqlite3_str_append(pOut, z, (int)n);
    sqlite3_free(z);
  }
}

/*
** Java's Double.toString(r) (JDK 19 and later): the shortest decimal that
** reads back as r; plain for 10^-3 <= |r| < 10^7 ("0.001", "1234567.0"),
** else "d.dddE±n" ("1.0E7", "1.5E-5").
*/
/*
** r as printf's "%.17g" with a ".0" added when the text would read as an
** integer (SQLite's "%!.17g").  glibc's printf rather than SQLite's: SQLite
** formats through long double where it has one, and valgrind runs long
** double at 64 bits, so SQLite's digits differ under valgrind.  zBuf holds
** at least CT_JV_REAL17_SZ bytes.
*/
void ctJvReal17(char *zBuf, double r){
  size_t n = (size_t)snprintf(zBuf, CT_JV_REAL17_SZ-2, "%.17g", r);
  if( strspn(zBuf, "-0123456789")==n ) memcpy(zBuf+n, ".0", 3);
}

void ctJvDouble(sqlite3_str *pOut, double r){
  char aBuf[40], aDig[24];
  int nDig = 0, iExp, k, p;
  const char *z;
  if( isinf(r) ){ sqlite3_str_appendall(pOut, r<0 ? "-Infinity" : "Infinity"); return; }
  if( isnan(r) ){ sqlite3_str_appendall(pOut, "NaN"); return; }
  if( r==0 ){ sqlite3_str_appendall(pOut, signbit(r) ? "-0.0" : "0.0"); return; }
  for(p=1; p<=17; p++){
    snprintf(aBuf, sizeof(aBuf), "%.*e", p-1, r);
    if( strtod(aBuf, 0)==r ) break;
  }
  z = aBuf;
  if( *z=='-' ){ sqlite3_str_appendchar(pOut, 1, '-'); z++; }
  for(; *z && *z!='e'; z++){ if( *z>='0' && *z<='9' ) aDig[nDig++] = *z; }
  iExp = atoi(z+1);
  while( nDig>1 && aDig[nDig-1]=='0' ) nDig--;
  if( fabs(r)>=1e-3 && fabs(r)<1e7 ){
    if( iExp<0 ){
      sqlite3_str_appendall(pOut, "0.");
      sqlite3_str_appendchar(pOut, -iExp-1, '0');
      sqlite3_str_append(pOut, aDig, nDig);
      return;
    }
    for(k=0; k<=iExp; k++) sqlite3_str_appendchar(pOut, 1, k<nDig ? aDig[k] : '0');
    sqlite3_str_appendchar(pOut, 1, '.');
    if( nDig>iExp+1 ) sqlite3_str_append(pOut, aDig+iExp+1, nDig-iExp-1);
    else sqlite3_str_appendchar(pOut, 1, '0');
    return;
  }
  sqlite3_str_appendchar(pOut, 1, aDig[0]);
  sqlite3_str_appendchar(pOut, 1, '.');
  if( nDig>1 ) sqlite3_str_append(pOut, aDig+1, nDig-1);
  else sqlite3_str_appendchar(pOut, 1, '0');
  sqlite3_str_appendf(pOut, "E%d", iExp);
}

/*
** A JSON number as Java holds it after Jackson parsed it: an integer
** (Integer, Long or BigInteger) prints its digits ("-0" is 0), anything
** with a fraction or exponent is a Double (ctJvDouble()).  bJson: for
** JSON, where a Double beyond the range (1e999: Infinity) is written as
** a string, as Jackson's QUOTE_NON_NUMERIC_NUMBERS does; a bare Infinity
** is no JSON.  SQLITE_NOMEM or SQLITE_OK.
*/
static void ctJvNumberDouble(sqlite3_str *pOut, double r, int bJson){
  if( bJson && isinf(r) ) sqlite3_str_appendchar(pOut, 1, '"');
  ctJvDouble(pOut, r);
  if( bJson && isinf(r) ) sqlite3_str_appendchar(pOut, 1, '"');
}
static int ctJvNumberRc(sqlite3_str *pOut, CtSpan v, int bJson){
  char aBuf[64];
  if( memchr(v.z, '.', v.n)==0 && memchr(v.z, 'e', v.n)==0
   && memchr(v.z, 'E', v.n)==0 ){
    if( v.n==2 && v.z[0]=='-' && v.z[1]=='0' ){
      sqlite3_str_appendchar(pOut, 1, '0');
    }else{
      sqlite3_str_append(pOut, v.z, (int)v.n);
    }
    return SQLITE_OK;
  }
  if( v.n>=sizeof(aBuf) ){
    char *z = sqlite3_malloc64(v.n+1);
    if( z==0 ) return SQLITE_NOMEM;
    memcpy(z, v.z, v.n);
    z[v.n] = 0;
    ctJvNumberDouble(pOut, strtod(z, 0), bJson);
    sqlite3_free(z);
    return SQLITE_OK;
  }
  memcpy(aBuf, v.z, v.n);
  aBuf[v.n] = 0;
  ctJvNumberDouble(pOut, strtod(aBuf, 0), bJson);
  return SQLITE_OK;
}
/* The same; on out-of-memory pOut is emptied.  (The renderers below use
** ctJvNumberRc(), which tells them.) */
void ctJvNumber(sqlite3_str *pOut, CtSpan v){
  if( ctJvNumberRc(pOut, v, 0) ) sqlite3_str_reset(pOut);
}

/*
** Append Java's toString() of the value v, after the removal pass, to
** p->pOut: "{k=v, k2=[a, b]}" with keys in HashMap order, strings bare,
** numbers as Java prints them.
*/
void ctJvToString(CtJv *p, CtSpan v){
  sqlite3_str *pOut = p->pOut;
  if( v.z[0]=='{' ){
    int n, k, bFirst = 1, i0 = ctJvOrder(p, v, &n);
    const char *zSkip = p->zSkip;
    if( i0<0 ) return;
    p->zSkip = 0;
    sqlite3_str_appendchar(pOut, 1, '{');
    for(k=0; k<n; k++){
      CtJvMember m = p->a[i0+k];
      CtSpan q;
      if( !ctJvKept(m.val) ) continue;
      if( zSkip && ct_json_key_eq(m.key, zSkip, strlen(zSkip)) ) continue;
      if( !bFirst ) sqlite3_str_append(pOut, ", ", 2);
      bFirst = 0;
      q.z = m.key.z-1;
      q.n = m.key.n+2;
      ctJvAppendString(p, pOut, q);
      sqlite3_str_appendchar(pOut, 1, '=');
      ctJvToString(p, m.val);
    }
    sqlite3_str_appendchar(pOut, 1, '}');
    p->nUsed = i0;
  }else if( v.z[0]=='[' ){
    CtSpan val;
    size_t i = 1;
    int bFirst = 1;
    sqlite3_str_appendchar(pOut, 1, '[');
    while( ct_json_next_element(v.z, v.n, &i, &val) ){
      if( !ctJvKept(val) ) continue;
      if( !bFirst ) sqlite3_str_append(pOut, ", ", 2);
      bFirst = 0;
      ctJvToString(p, val);
    }
    sqlite3_str_appendchar(pOut, 1, ']');
  }else if( v.z[0]=='"' ){
    ctJvAppendString(p, pOut, v);
  }else if( v.z[0]=='-' || (v.z[0]>='0' && v.z[0]<='9') ){
    if( ctJvNumberRc(pOut, v, 0) ) p->rc = SQLITE_NOMEM;
  }else{
    sqlite3_str_append(pOut, v.z, (int)v.n);   /* true, false, null */
  }
}

/*
** Append the value v after the removal pass as JSON: members and
** elements that the pass drops are left out, numbers are written as
** Jackson writes Java's numbers, strings and keys keep their escapes.
*/
void ctJvJson(CtJv *p, CtSpan v){
  sqlite3_str *pOut = p->pOut;
  CtSpan key, val;
  size_t i = 1;
  int bFirst = 1;
  if( v.z[0]=='{' ){
    const char *zSkip = p->zSkip;
    p->zSkip = 0;
    sqlite3_str_appendchar(pOut, 1, '{');
    while( ct_json_next_member(v.z, v.n, &i, &key, &val) ){
      if( !ctJvKept(val) ) continue;
      if( zSkip && ct_json_key_eq(key, zSkip, strlen(zSkip)) ) continue;
      if( !bFirst ) sqlite3_str_appendchar(pOut, 1, ',');
      bFirst = 0;
      sqlite3_str_append(pOut, key.z-1, (int)key.n+2);
      sqlite3_str_appendchar(pOut, 1, ':');
      ctJvJson(p, val);
    }
    sqlite3_str_appendchar(pOut, 1, '}');
  }else if( v.z[0]=='[' ){
    sqlite3_str_appendchar(pOut, 1, '[');
    while( ct_json_next_element(v.z, v.n, &i, &val) ){
      if( !ctJvKept(val) ) continue;
      if( !bFirst ) sqlite3_str_appendchar(pOut, 1, ',');
      bFirst = 0;
      ctJvJson(p, val);
    }
    sqlite3_str_appendchar(pOut, 1, ']');
  }else if( v.z[0]=='-' || (v.z[0]>='0' && v.z[0]<='9') ){
    if( ctJvNumberRc(pOut, v, 1) ) p->rc = SQLITE_NOMEM;
  }else{
    sqlite3_str_append(pOut, v.z, (int)v.n);
  }
}

/* Append z[0..n) as a JSON string, quoted and escaped. */
void ctJvQuote(sqlite3_str *pOut, const char *z, size_t n){
  size_t i, j = 0;
  sqlite3_str_appendchar(pOut, 1, '"');
  for(i=0; i<n; i++){
    unsigned char c = (unsigned char)z[i];
    if( c>=0x20 && c!='"' && c!='\\' ) continue;
    sqlite3_str_append(pOut, z+j, (int)(i-j));
    j = i+1;
    switch( c ){
      case '"':  sqlite3_str_append(pOut, "\\\"", 2); break;
      case '\\': sqlite3_str_append(pOut, "\\\\", 2); break;
      case '\n': sqlite3_str_append(pOut, "\\n", 2); break;
      case '\r': sqlite3_str_append(pOut, "\\r", 2); break;
      case '\t': sqlite3_str_append(pOut, "\\t", 2); break;
      default:   sqlite3_str_appendf(pOut, "\\u%04x", c); break;
    }
  }
  sqlite3_str_append(pOut, z+j, (int)(n-j));
  sqlite3_str_appendchar(pOut, 1, '"');
}

/* Java's String.length() of UTF-8 text: its UTF-16 units. */
sqlite3_int64 ctJvLength16(const char *z, size_t n){
  sqlite3_int64 nUnit = 0;
  size_t i;
  for(i=0; i<n; i++){
    unsigned char c = (unsigned char)z[i];
    if( (c&0xC0)!=0x80 ) nUnit++;
    if( c>=0xF0 ) nUnit++;
  }
  return nUnit;
}

/* True if escaped keys a and b decode to the same text; -1 on
** out-of-memory. */
static int ctJvSameKey(CtSpan a, CtSpan b){
  char *z;
  size_t n;
  int bSame;
  if( a.n==b.n && memcmp(a.z, b.z, a.n)==0 ) return 1;
  if( memchr(a.z, '\\', a.n)==0 && memchr(b.z, '\\', b.n)==0 ) return 0;
  z = sqlite3_malloc64(a.n+1);
  if( z==0 ) return -1;
  n = ct_json_unescape(a.z, a.n, z);
  bSame = ct_json_key_eq(b, z, n);
  sqlite3_free(z);
  return bSame;
}

static int ctJvCmpHash(const void *pa, const void *pb){
  const CtJvMember *a = pa, *b = pb;
  if( a->h!=b->h ) return a->h<b->h ? -1 : 1;
  return a->iIns - b->iIns;
}

/*
** True if some object in v, at any depth, has the same key twice (after
** decoding escapes): Elasticsearch's JSON parser refuses such a record
** (strict duplicate detection), so the pipeline fails on it.  *pKey
** receives the second occurrence.  Returns -1 on out-of-memory.
*/
int ctJvDuplicate(CtJv *p, CtSpan v, CtSpan *pKey){
  CtSpan val;
  size_t i = 1;
  if( v.z[0]=='[' ){
    while( ct_json_next_element(v.z, v.n, &i, &val) ){
      int r = ctJvDuplicate(p, val, pKey);
      if( r ) return r;
    }
    return 0;
  }
  if( v.z[0]=='{' ){
    int i0 = p->nUsed, n = ctJvPushAs(p, v, 0), k, j, r = 0;
    if( n<0 ){ p->nUsed = i0; return -1; }
    if( n<=CT_JV_PAIRWISE ){
      /* Few keys (every CloudTrail object): compare each pair in place;
      ** iBin marks a key holding an escape, which must be decoded. */
      for(k=0; k<n; k++){
        CtJvMember *m = &p->a[i0+k];
        m->iBin = memchr(m->key.z, '\\', m->key.n)!=0;
      }
      for(k=1; k<n && r==0; k++){
        for(j=0; j<k && r==0; j++){
          CtJvMember *a = &p->a[i0+j], *b = &p->a[i0+k];
          if( a->iBin || b->iBin ) r = ctJvSameKey(a->key, b->key);
          else r = a->key.n==b->key.n && memcmp(a->key.z, b->key.z, a->key.n)==0;
          if( r>0 ) *pKey = b->key;
        }
      }
    }else{
      for(k=0; k<n; k++){
        if( ctJvHashKey(p->a[i0+k].key, &p->a[i0+k].h) ){
          p->rc = SQLITE_NOMEM;
          p->nUsed = i0;
          return -1;
        }
      }
      qsort(p->a+i0, (size_t)n, sizeof(CtJvMember), ctJvCmpHash);
      for(k=1; k<n && r==0; k++){
        CtJvMember *a = &p->a[i0+k-1], *b = &p->a[i0+k];
        if( a->h==b->h && (r = ctJvSameKey(a->key, b->key))>0 ) *pKey = b->key;
      }
    }
    for(k=0; k<n && r==0; k++) r = ctJvDuplicate(p, p->a[i0+k].val, pKey);
    p->nUsed = i0;
    return r;
  }
  return 0;
}

/*
** The value at the dotted zPath in obj, following objects only, each
** segment one exact key (as the pipeline's ctx.a?.b?.c and $("a.b.c")
** read a record: a list on the way means absent).  No null or removal
** check: see ctJvKept().
*/
CtSpan ctJvGet(CtSpan obj, const char *zPath){
  CtSpan none = {0, 0}, key, val;
  while( 1 ){
    const char *zDot = strchr(zPath, '.');
    size_t nSeg = zDot ? (size_t)(zDot-zPath) : strlen(zPath), i = 1;
    CtSpan found = none;
    if( obj.z==0 || obj.z[0]!='{' ) return none;
    while( ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
      if( ct_json_key_eq(key, zPath, nSeg) ){ found = val; break; }
    }
    if( found.z==0 || zDot==0 ) return found;
    obj = found;
    zPath = zDot+1;
  }
}
