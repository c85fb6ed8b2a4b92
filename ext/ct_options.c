/*
** ct_options.c — parse "key=value" options.  The same keys work as a
** comma- or space-separated string (the table-valued form's second
** argument) and as separate CREATE VIRTUAL TABLE arguments.
*/
#include <string.h>
#include "ct_options.h"
#include "ct_stream.h"
SQLITE_EXTENSION_INIT3

void ctOptionsInit(CtOptions *p){
  p->bSkip = 0;
  p->mxRecord = CT_DEFAULT_MAX_RECORD;
  p->nBuffer = CT_DEFAULT_BUFFER;
  p->nThreads = CT_STREAM_THREADS;
  p->bPrune = 1;
  p->eNotCt = CT_NOTCT_AUTO;
  p->bQuiet = 0;
  p->bEcs = 0;
}

/* The options of the ecs column, which cloudtrail_ecs() takes too and
** ct_ecs.c checks (ctEcsOptsParse()). */
static int ctIsEcsOption(const char *zKey, size_t nKey){
  static const char *const az[] = { "pipeline", "retain", "geoip", "asn", 0 };
  int k;
  for(k=0; az[k]; k++){
    if( strlen(az[k])==nKey && memcmp(az[k], zKey, nKey)==0 ) return 1;
  }
  return 0;
}

/* Copy z[0..n), removing one level of '…', "…" or `…` quoting. */
char *ctDequote(const char *z, size_t n){
  char *zOut = sqlite3_malloc64(n+1), q;
  size_t i, o = 0;
  if( zOut==0 ) return 0;
  q = n>=2 ? z[0] : 0;
  if( (q=='\'' || q=='"' || q=='`') && z[n-1]==q ){
    for(i=1; i<n-1; i++){
      zOut[o++] = z[i];
      if( z[i]==q && i+1<n-1 && z[i+1]==q ) i++;   /* '' inside '…' */
    }
  }else{
    memcpy(zOut, z, n);
    o = n;
  }
  zOut[o] = 0;
  return zOut;
}

/* Parse a byte size: digits with an optional K, M or G (binary) suffix.
** 1 and *pN on success, 0 if z[0..n) is not one, -1 if it is larger than
** CT_MAX_SIZE (which no window or record can reach, and which keeps the
** arithmetic far from overflow). */
int ctParseSize(const char *z, size_t n, sqlite3_int64 *pN){
  sqlite3_int64 v = 0, mult = 1;
  size_t i = 0;
  if( n==0 ) return 0;
  if( z[n-1]=='k' || z[n-1]=='K' ){ mult = 1024; n--; }
  else if( z[n-1]=='m' || z[n-1]=='M' ){ mult = 1024*1024; n--; }
  else if( z[n-1]=='g' || z[n-1]=='G' ){ mult = 1024*1024*1024; n--; }
  if( n==0 ) return 0;
  for(i=0; i<n; i++){
    if( z[i]<'0' || z[i]>'9' ) return 0;
    if( v>CT_MAX_SIZE ) continue;          /* keep checking the digits */
    v = v*10 + (z[i]-'0');
  }
  if( v>CT_MAX_SIZE/mult ) return -1;
  *pN = v*mult;
  return 1;
}

/*
** The size option zName = zV (NUL-terminated, unquoted) into *pN, at least
** nMin bytes.  On error *pzErr names the option and the value.
*/
int ctParseSizeOption(const char *zName, const char *zV, sqlite3_int64 nMin,
                      sqlite3_int64 *pN, char **pzErr){
  int e = ctParseSize(zV, strlen(zV), pN);
  if( e>0 && *pN>=nMin ) return SQLITE_OK;
  if( e<0 ){
    *pzErr = sqlite3_mprintf("cloudtrail: %s '%s' is too large (the most is "
                             "%lldG)", zName, zV, CT_MAX_SIZE>>30);
  }else{
    *pzErr = sqlite3_mprintf("cloudtrail: %s must be a size of at least %lld "
                             "bytes, not '%s'", zName, nMin, zV);
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* An option zName with two values: *pi 0 for zV equal to zA, 1 for zB;
** else an error naming both. */
static int ctOptionPair(const char *zName, const char *zV, const char *zA,
                        const char *zB, int *pi, char **pzErr){
  if( strcmp(zV, zA)==0 || strcmp(zV, zB)==0 ){
    *pi = strcmp(zV, zB)==0;
    return SQLITE_OK;
  }
  *pzErr = sqlite3_mprintf("cloudtrail: %s must be %s or %s, not '%s'",
                           zName, zA, zB, zV);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** Set one option.  Key and value are not NUL-terminated; the value may be
** quoted.  On error *pzErr is a "cloudtrail: …" message.
*/
int ctOptionsSet(CtOptions *p, const char *zKey, size_t nKey,
                 const char *zVal, size_t nVal, char **pzErr){
  char *zV = ctDequote(zVal, nVal);
  int rc = SQLITE_OK, i = 0;
  sqlite3_int64 n;
  if( zV==0 ) return SQLITE_NOMEM;
  if( nKey==6 && memcmp(zKey, "errors", 6)==0 ){
    rc = ctOptionPair("errors", zV, "strict", "skip", &i, pzErr);
    if( rc==SQLITE_OK ) p->bSkip = i;
  }else if( nKey==15 && memcmp(zKey, "max_record_size", 15)==0 ){
    rc = ctParseSizeOption("max_record_size", zV, CT_MIN_MAX_RECORD, &n, pzErr);
    if( rc==SQLITE_OK ) p->mxRecord = n;
  }else if( nKey==11 && memcmp(zKey, "buffer_size", 11)==0 ){
    rc = ctParseSizeOption("buffer_size", zV, CT_MIN_BUFFER, &n, pzErr);
    if( rc==SQLITE_OK ) p->nBuffer = n;
  }else if( nKey==7 && memcmp(zKey, "threads", 7)==0 ){
    rc = ctOptionPair("threads", zV, "0", "1", &i, pzErr);
    if( rc==SQLITE_OK ) p->nThreads = i ? CT_STREAM_THREADS : 0;
  }else if( nKey==5 && memcmp(zKey, "prune", 5)==0 ){
    rc = ctOptionPair("prune", zV, "0", "1", &i, pzErr);
    if( rc==SQLITE_OK ) p->bPrune = i;
  }else if( nKey==14 && memcmp(zKey, "not_cloudtrail", 14)==0 ){
    rc = ctOptionPair("not_cloudtrail", zV, "ignore", "error", &i, pzErr);
    if( rc==SQLITE_OK ) p->eNotCt = i ? CT_NOTCT_ERROR : CT_NOTCT_IGNORE;
  }else if( nKey==5 && memcmp(zKey, "quiet", 5)==0 ){
    rc = ctOptionPair("quiet", zV, "0", "1", &i, pzErr);
    if( rc==SQLITE_OK ) p->bQuiet = i;
  }else if( ctIsEcsOption(zKey, nKey) ){
    p->bEcs = 1;
  }else{
    *pzErr = sqlite3_mprintf("cloudtrail: unknown option '%.*s' (expected "
        "errors, max_record_size, buffer_size, threads, prune, not_cloudtrail, "
        "quiet, or for the ecs column pipeline, retain, geoip, asn)", (int)nKey, zKey);
    rc = SQLITE_ERROR;
  }
  sqlite3_free(zV);
  return rc;
}

static int ctIsSep(char c){
  return c==',' || c==' ' || c=='\t' || c=='\n' || c=='\r';
}

/*
** Call xSet(pArg, key, nKey, value, nValue, pzErr) for each pair of
** "key=value, key = value" (commas and/or whitespace between).  A value in
** '…' or "…" may hold separators (a path with spaces); the quotes are
** passed on for xSet to remove with ctDequote().
*/
int ctOptionsEach(const char *z,
                  int (*xSet)(void*, const char*, size_t, const char*, size_t,
                              char**),
                  void *pArg, char **pzErr){
  size_t i = 0;
  while( z[i] ){
    size_t iKey, nKey, iVal;
    int rc;
    while( ctIsSep(z[i]) ) i++;
    if( z[i]==0 ) break;
    iKey = i;
    while( z[i] && z[i]!='=' && !ctIsSep(z[i]) ) i++;
    nKey = i-iKey;
    while( z[i]==' ' || z[i]=='\t' ) i++;
    if( z[i]!='=' ){
      *pzErr = sqlite3_mprintf("cloudtrail: option '%.*s' needs a value "
                               "(key=value)", (int)nKey, z+iKey);
      return SQLITE_ERROR;
    }
    i++;
    while( z[i]==' ' || z[i]=='\t' ) i++;
    iVal = i;
    if( z[i]=='\'' || z[i]=='"' ){
      char q = z[i++];
      while( z[i] && (z[i]!=q || z[i+1]==q) ) i += (z[i]==q) ? 2 : 1;
      if( z[i]==q ) i++;
    }else{
      while( z[i] && !ctIsSep(z[i]) ) i++;
    }
    rc = xSet(pArg, z+iKey, nKey, z+iVal, i-iVal, pzErr);
    if( rc ) return rc;
  }
  return SQLITE_OK;
}

static int ctOptionsSetCb(void *p, const char *zKey, size_t nKey,
                          const char *zVal, size_t nVal, char **pzErr){
  return ctOptionsSet((CtOptions*)p, zKey, nKey, zVal, nVal, pzErr);
}

/* Parse the table options from "key=value, key = value". */
int ctOptionsParse(CtOptions *p, const char *z, char **pzErr){
  return ctOptionsEach(z, ctOptionsSetCb, p, pzErr);
}

/*
** xColumn of a hidden argument column (zArg of table-valued function
** zTable): its value z (0 for SQL NULL) when this scan was given the
** argument, else an error.  The argument's value is what it was given, so
** when it was not, a comparison such as "FROM cloudtrail('d') AS c CROSS
** JOIN t WHERE c.options = t.o" — which SQLite could not hand to the table
** in that join order — has no right answer: it fails instead of silently
** being another query.  (So does reading the column in such a scan.)
*/
int ctResultArgument(sqlite3_context *ctx, const char *zTable,
                     const char *zArg, int bGiven, const char *z){
  char *zErr;
  if( bGiven ){
    if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
    return SQLITE_OK;
  }
  zErr = sqlite3_mprintf("cloudtrail: this scan of %s was given no %s "
      "argument, so its %s column cannot be read or compared: list the table "
      "the value comes from before %s in FROM, or pass the value as the "
      "argument (%s(…, t.column))", zTable, zArg, zArg, zTable, zTable);
  if( zErr==0 ){ sqlite3_result_error_nomem(ctx); return SQLITE_NOMEM; }
  sqlite3_result_error(ctx, zErr, -1);
  sqlite3_free(zErr);
  return SQLITE_ERROR;
}
