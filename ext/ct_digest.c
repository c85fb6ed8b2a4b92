/*
** ct_digest.c — read a copy of a trail for cloudtrail_validate(): walk
** PATH, hash every file (SHA-256 of its uncompressed bytes, as AWS defines
** a log file's hash), parse the files whose content is a digest (an object
** with digestStartTime and logFiles), and load the public keys
** (`aws cloudtrail list-public-keys` output) and digest signatures
** (DIGEST-OBJECT SIGNATURE lines) the options name.  Files are found by
** their key: the base name without ".gz" (ctTrailKeyOf()), so a copied or
** decompressed tree reads the same.
*/
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include <stdlib.h>
#include <string.h>
#include "ct_digest.h"
#include "ct_time.h"
#include "ct_fields.h"
#include "ct_filter.h"
#include "ct_json.h"
#include "ct_options.h"
#include "ct_stream.h"
#include "ct_walk.h"

/* ------------------------------------------------------------- utilities */

/* Grow *pa (elements of sz bytes, *pnAlloc of them) to hold n+1. */
int ctTrailGrow(void **pa, int n, int *pnAlloc, size_t sz){
  if( n>=*pnAlloc ){
    int nNew = *pnAlloc ? *pnAlloc*2 : 16;
    void *aNew = sqlite3_realloc64(*pa, (sqlite3_uint64)nNew*sz);
    if( aNew==0 ) return SQLITE_NOMEM;
    *pa = aNew;
    *pnAlloc = nNew;
  }
  return SQLITE_OK;
}

/* The matching key of a path or S3 key: the base name without ".gz". */
const char *ctTrailKeyOf(const char *z, int *pn){
  const char *zBase = strrchr(z, '/');
  size_t n;
  zBase = zBase ? zBase+1 : z;
  n = strlen(zBase);
  if( n>3 && strcmp(zBase+n-3, ".gz")==0 ) n -= 3;
  *pn = (int)n;
  return zBase;
}

/* Order two keys (not NUL-terminated) bytewise, a prefix first. */
int ctTrailKeyCmp(const char *a, int na, const char *b, int nb){
  int c = memcmp(a, b, (size_t)(na<nb ? na : nb));
  return c ? c : (na>nb) - (na<nb);
}

/* A JSON string member of obj, decoded into a new string; 0 if absent,
** null or not a string.  *pbNoMem is set if allocation failed. */
static char *ctTrailStr(CtSpan obj, const char *zKey, int *pbNoMem){
  CtSpan v = ct_json_lookup(obj, zKey);
  char *z;
  size_t n;
  if( v.z==0 || v.n<2 || v.z[0]!='"' ) return 0;
  z = sqlite3_malloc64(v.n);
  if( z==0 ){ *pbNoMem = 1; return 0; }
  n = ct_json_unescape(v.z+1, v.n-2, z);
  z[n] = 0;
  return z;
}

/* Field iField (0-based, '_'-separated) of a CloudTrail file's base name,
** e.g. the region of "111122223333_CloudTrail-Digest_us-east-1_…". */
char *ctTrailNameField(const char *zName, int iField){
  const char *zBase = strrchr(zName, '/'), *zEnd;
  zBase = zBase ? zBase+1 : zName;
  while( iField-- > 0 ){
    zBase = strchr(zBase, '_');
    if( zBase==0 ) return 0;
    zBase++;
  }
  zEnd = strchr(zBase, '_');
  if( zEnd==0 || zEnd==zBase ) return 0;
  return sqlite3_mprintf("%.*s", (int)(zEnd-zBase), zBase);
}

/* Read a whole small file (plain or gzip) into a new NUL-terminated
** buffer.  On error *pzErr names the file. */
static int ctTrailReadAll(const char *zPath, const char *zWhat, char **paOut,
                          size_t *pn, char **pzErr){
  CtStream s;
  int rc;
  memset(&s, 0, sizeof(s));
  s.fd = -1;
  rc = ctStreamOpen(&s, zPath, 64*1024, CT_V_MAX_AUX_FILE, 0);
  while( rc==CT_STREAM_OK && !s.bEof ) rc = ctStreamMore(&s, 0);
  if( rc==CT_STREAM_OK ){
    *paOut = sqlite3_malloc64(s.nData+1);
    if( *paOut==0 ){
      rc = SQLITE_NOMEM;
    }else{
      memcpy(*paOut, s.aBuf, s.nData);
      (*paOut)[s.nData] = 0;
      *pn = s.nData;
    }
  }else if( rc==CT_STREAM_TOOBIG ){
    *pzErr = sqlite3_mprintf("cloudtrail: %s %s: larger than %d bytes",
                             zWhat, zPath, CT_V_MAX_AUX_FILE);
    rc = SQLITE_ERROR;
  }else if( rc==CT_STREAM_ERROR ){
    *pzErr = sqlite3_mprintf("cloudtrail: %s %s: %s", zWhat, zPath, s.zErr);
    rc = SQLITE_ERROR;
  }
  ctStreamClose(&s);
  return rc;
}

/* -------------------------------------------------------------- options */

/* One cloudtrail_validate option (a ctOptionsEach() callback on a CtTrail). */
int ctTrailOption(void *pArg, const char *zKey, size_t nKey,
                  const char *zVal, size_t nVal, char **pzErr){
  CtTrail *p = (CtTrail*)pArg;
  char **pz = 0;
  if( nKey==11 && memcmp(zKey, "public_keys", 11)==0 ) pz = &p->zKeysFile;
  if( nKey==10 && memcmp(zKey, "signatures", 10)==0 ) pz = &p->zSigsFile;
  if( pz ){
    sqlite3_free(*pz);
    *pz = ctDequote(zVal, nVal);
    return *pz ? SQLITE_OK : SQLITE_NOMEM;
  }
  if( nKey==15 && memcmp(zKey, "max_digest_size", 15)==0 ){
    char *zV = ctDequote(zVal, nVal);
    sqlite3_int64 n;
    int rc = SQLITE_OK;
    if( zV==0 ) return SQLITE_NOMEM;
    rc = ctParseSizeOption("max_digest_size", zV, CT_MIN_MAX_RECORD, &n, pzErr);
    if( rc==SQLITE_OK ) p->mxDigest = n;
    sqlite3_free(zV);
    return rc;
  }
  *pzErr = sqlite3_mprintf("cloudtrail: unknown option '%.*s' for "
                           "cloudtrail_validate (expected public_keys, "
                           "signatures or max_digest_size)", (int)nKey, zKey);
  return SQLITE_ERROR;
}

/* ------------------------------------------------------ keys, signatures */

/* Add the keys of one list-public-keys document (obj) from zFile. */
static int ctTrailAddKeys(CtTrail *p, CtSpan obj, const char *zFile,
                          size_t iOff, char **pzErr){
  CtSpan list = ct_json_lookup(obj, "PublicKeyList"), v;
  size_t i = 1;
  int bNoMem = 0;
  if( list.z==0 || list.z[0]!='[' ){
    *pzErr = sqlite3_mprintf("cloudtrail: public_keys %s: the value at byte "
        "%llu is not list-public-keys output (no PublicKeyList array)",
        zFile, (unsigned long long)iOff);
    return SQLITE_ERROR;
  }
  while( ct_json_next_element(list.z, list.n, &i, &v) ){
    CtVKey *k;
    char *zValue, *zWhy = 0;
    if( ctTrailGrow((void**)&p->aKey, p->nKey, &p->nKeyAlloc, sizeof(CtVKey)) ){
      return SQLITE_NOMEM;
    }
    k = &p->aKey[p->nKey];
    memset(k, 0, sizeof(*k));
    k->zFinger = v.z[0]=='{' ? ctTrailStr(v, "Fingerprint", &bNoMem) : 0;
    zValue = v.z[0]=='{' ? ctTrailStr(v, "Value", &bNoMem) : 0;
    if( bNoMem ){ sqlite3_free(k->zFinger); sqlite3_free(zValue); return SQLITE_NOMEM; }
    if( k->zFinger==0 || zValue==0 ){
      *pzErr = sqlite3_mprintf("cloudtrail: public_keys %s: key %d of the "
          "list at byte %llu lacks Fingerprint or Value", zFile, p->nKey+1,
          (unsigned long long)iOff);
      sqlite3_free(k->zFinger); sqlite3_free(zValue);
      return SQLITE_ERROR;
    }
    k->pKey = ctPubKeyFromBase64(zValue, strlen(zValue), &zWhy);
    sqlite3_free(zValue);
    if( k->pKey==0 ){
      if( zWhy==0 ){ sqlite3_free(k->zFinger); return SQLITE_NOMEM; }
      *pzErr = sqlite3_mprintf("cloudtrail: public_keys %s: key with "
          "fingerprint %s: %s", zFile, k->zFinger, zWhy);
      sqlite3_free(zWhy);
      sqlite3_free(k->zFinger);
      return SQLITE_ERROR;
    }
    p->nKey++;
  }
  return SQLITE_OK;
}

/*
** Load the public_keys file: one or more list-public-keys outputs, one
** after another (as `aws cloudtrail list-public-keys --region R >> keys`
** makes them for several regions).
*/
int ctTrailLoadKeys(CtTrail *p, char **pzErr){
  char *a = 0;
  size_t n = 0, i = 0, iEnd;
  int rc = ctTrailReadAll(p->zKeysFile, "public_keys", &a, &n, pzErr);
  while( rc==SQLITE_OK ){
    CtJsonError err;
    CtSpan obj;
    i = ct_json_skip_ws(a, n, i);
    if( i>=n ) break;
    if( a[i]!='{'
     || ct_json_validate(a, n, i, 1, CT_JSON_MAX_DEPTH, &iEnd, &err)!=CT_JSON_OK ){
      *pzErr = sqlite3_mprintf("cloudtrail: public_keys %s: byte %llu: "
          "expected list-public-keys output (a JSON object)", p->zKeysFile,
          (unsigned long long)(a[i]!='{' ? i : err.iOff));
      rc = SQLITE_ERROR;
      break;
    }
    obj.z = a+i;
    obj.n = iEnd-i;
    rc = ctTrailAddKeys(p, obj, p->zKeysFile, i, pzErr);
    i = iEnd;
  }
  sqlite3_free(a);
  return rc;
}

/*
** Load the signatures file: lines "DIGEST-OBJECT SIGNATURE" (the digest's
** S3 key or file name, then its x-amz-meta-signature in hex); blank lines
** and lines starting with '#' are skipped.
*/
int ctTrailLoadSigs(CtTrail *p, char **pzErr){
  char *a = 0, *zLine, *zNext;
  size_t n = 0;
  int rc = ctTrailReadAll(p->zSigsFile, "signatures", &a, &n, pzErr);
  int nAlloc = 0, iLine = 0;
  for(zLine=a; rc==SQLITE_OK && zLine && *zLine; zLine=zNext){
    char *azTok[3];
    int nTok = 0;
    char *z;
    iLine++;
    zNext = strchr(zLine, '\n');
    if( zNext ) *zNext++ = 0;
    for(z=zLine; *z && nTok<3; ){
      while( *z==' ' || *z=='\t' || *z=='\r' ) *z++ = 0;
      if( *z==0 ) break;
      azTok[nTok++] = z;
      while( *z && *z!=' ' && *z!='\t' && *z!='\r' ) z++;
    }
    if( nTok==0 || azTok[0][0]=='#' ) continue;
    if( nTok!=2 ){
      *pzErr = sqlite3_mprintf("cloudtrail: signatures %s: line %d: expected "
          "'DIGEST-OBJECT SIGNATURE'", p->zSigsFile, iLine);
      rc = SQLITE_ERROR;
      break;
    }
    rc = ctTrailGrow((void**)&p->aSig, p->nSig, &nAlloc, sizeof(CtVSig));
    if( rc ) break;
    p->aSig[p->nSig].zObject = sqlite3_mprintf("%s", azTok[0]);
    p->aSig[p->nSig].zSig = sqlite3_mprintf("%s", azTok[1]);
    p->nSig++;
    if( !p->aSig[p->nSig-1].zObject || !p->aSig[p->nSig-1].zSig ) rc = SQLITE_NOMEM;
  }
  sqlite3_free(a);
  return rc;
}

/* ------------------------------------------------------- reading files */

/* Parse the digest whose decoded bytes are obj into a new aDigest entry
** for file iFile.  A missing field the signature covers sets d->zBad;
** times in another form clear d->bTimes. */
static int ctTrailParseDigest(CtTrail *p, int iFile, CtSpan obj){
  CtVDigest *d;
  CtSpan logs, v;
  size_t i = 1;
  int bNoMem = 0, nLogAlloc = 0;
  if( ctTrailGrow((void**)&p->aDigest, p->nDigest, &p->nDigestAlloc,
              sizeof(CtVDigest)) ){
    return SQLITE_NOMEM;
  }
  d = &p->aDigest[p->nDigest++];
  memset(d, 0, sizeof(*d));
  d->iFile = iFile;
  d->iPrevFile = d->iNext = -1;
  d->zAccount = ctTrailStr(obj, "awsAccountId", &bNoMem);
  d->zStart = ctTrailStr(obj, "digestStartTime", &bNoMem);
  d->zEnd = ctTrailStr(obj, "digestEndTime", &bNoMem);
  d->zBucket = ctTrailStr(obj, "digestS3Bucket", &bNoMem);
  d->zObject = ctTrailStr(obj, "digestS3Object", &bNoMem);
  d->zFinger = ctTrailStr(obj, "digestPublicKeyFingerprint", &bNoMem);
  d->zAlgo = ctTrailStr(obj, "digestSignatureAlgorithm", &bNoMem);
  d->zPrevObject = ctTrailStr(obj, "previousDigestS3Object", &bNoMem);
  d->zPrevHash = ctTrailStr(obj, "previousDigestHashValue", &bNoMem);
  d->zPrevSig = ctTrailStr(obj, "previousDigestSignature", &bNoMem);
  d->zRegion = ctTrailNameField(d->zObject ? d->zObject : p->aFile[iFile].zPath, 2);
  if( bNoMem ) return SQLITE_NOMEM;
  if( d->zObject==0 || d->zBucket==0 || d->zEnd==0 ){
    d->zBad = sqlite3_mprintf("the digest lacks digestEndTime, "
                              "digestS3Bucket or digestS3Object");
  }
  /* The signature covers digestEndTime as written; only the period checks
  ** need the times as numbers. */
  d->bTimes = ctIsoSeconds(d->zStart, &d->tStart) && ctIsoSeconds(d->zEnd, &d->tEnd);
  logs = ct_json_lookup(obj, "logFiles");
  if( logs.z && logs.z[0]=='[' ){
    while( ct_json_next_element(logs.z, logs.n, &i, &v) ){
      CtVLog *l;
      if( ctTrailGrow((void**)&d->aLog, d->nLog, &nLogAlloc, sizeof(CtVLog)) ){
        return SQLITE_NOMEM;
      }
      l = &d->aLog[d->nLog++];
      l->zObject = v.z[0]=='{' ? ctTrailStr(v, "s3Object", &bNoMem) : 0;
      l->zHash = v.z[0]=='{' ? ctTrailStr(v, "hashValue", &bNoMem) : 0;
      if( bNoMem ) return SQLITE_NOMEM;
    }
  }
  return SQLITE_OK;
}

/*
** If the decoded bytes z[0..n) of file iFile are one JSON object that the
** reader would call a digest (ctRecordShape(): digestStartTime and
** logFiles, and no wrapper keys), parse it as a digest.
*/
static int ctTrailMaybeDigest(CtTrail *p, int iFile, const char *z, size_t n){
  size_t i = ct_json_skip_ws(z, n, 0), iEnd;
  CtJsonError err;
  CtShape shape;
  CtSpan obj;
  if( i>=n || z[i]!='{' ) return SQLITE_OK;
  if( ct_json_validate(z, n, i, 1, CT_JSON_MAX_DEPTH, &iEnd, &err)!=CT_JSON_OK
   || ct_json_skip_ws(z, n, iEnd)!=n ){
    return SQLITE_OK;
  }
  obj.z = z+i;
  obj.n = iEnd-i;
  if( ctRecordShape(obj, 0, &shape)!=CT_SHAPE_DIGEST ) return SQLITE_OK;
  p->aFile[iFile].iDigest = p->nDigest;
  return ctTrailParseDigest(p, iFile, obj);
}

/*
** Hash file f through the stream s (reused across files), keeping its
** decoded bytes while they may still be a digest (at most mxDigest), and
** parse them if they are.  A read error is kept in f->zErr, not returned.
*/
static int ctTrailReadFile(CtTrail *p, CtStream *s, int iFile){
  CtVFile *f = &p->aFile[iFile];
  CtSha *pSha = ctShaNew();
  size_t nHashed = 0;
  int bKeep = 1, rc;
  if( pSha==0 ) return SQLITE_NOMEM;
  rc = ctStreamOpen(s, f->zPath, CT_V_BUFFER,
                    (size_t)p->mxDigest + CT_STREAM_INPUT_CHUNK, 1);
  while( rc==CT_STREAM_OK ){
    size_t iKeep = 0;
    ctShaUpdate(pSha, s->aBuf+nHashed, s->nData-nHashed);
    nHashed = s->nData;
    if( s->bEof ) break;
    if( bKeep ){
      size_t i = ct_json_skip_ws(s->aBuf, s->nData, 0);
      if( i<s->nData && s->aBuf[i]!='{' ) bKeep = 0;
    }
    if( !bKeep ){ iKeep = s->nData; nHashed = 0; }
    rc = ctStreamMore(s, iKeep);
    if( rc==CT_STREAM_TOOBIG ){      /* too big to be a digest: stream on */
      bKeep = 0;
      nHashed = 0;
      rc = ctStreamMore(s, s->nData);
    }
  }
  if( rc==CT_STREAM_OK ){
    ctShaHex(pSha, f->zSha);
    if( bKeep && s->iBase==0 && s->nData<=(size_t)p->mxDigest ){
      rc = ctTrailMaybeDigest(p, iFile, s->aBuf, s->nData);
    }
  }else if( rc==CT_STREAM_ERROR ){
    f->zErr = sqlite3_mprintf("%s", s->zErr);
    rc = f->zErr ? SQLITE_OK : SQLITE_NOMEM;
  }
  ctShaFree(pSha);
  ctStreamEnd(s);
  return rc;
}

static int ctTrailSortFiles(CtTrail *p);

/*
** Walk zPath, adding and reading every file, then order the files by key
** for ctTrailFind().  Before each file, pPing (a prepared "SELECT 1") is
** stepped: SQLite 3.40 has no sqlite3_is_interrupted(), but the step fails
** with SQLITE_INTERRUPT after sqlite3_interrupt() or when a progress
** handler asks to stop, so a long validation can be stopped between files.
*/
int ctTrailRead(CtTrail *p, const char *zPath, sqlite3_stmt *pPing,
                char **pzErr){
  CtWalk *pWalk = 0;
  CtOwnDb *pOwn = 0;
  CtStream s;
  const char *zFile, *zFileErr, *zSchema = 0;
  int rc = ctWalkOpen(zPath, &pWalk, pzErr);
  memset(&s, 0, sizeof(s));
  s.fd = -1;
  /* The connection's own database files are never opened: closing any
  ** descriptor of a database file drops the locks SQLite holds on it. */
  if( rc==SQLITE_OK ){
    rc = ctOwnDbLoad(sqlite3_db_handle(pPing), &pOwn);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      *pzErr = sqlite3_mprintf("cloudtrail: cannot list this connection's "
          "database files (PRAGMA database_list): %s",
          sqlite3_errmsg(sqlite3_db_handle(pPing)));
    }
  }
  while( rc==SQLITE_OK && (rc = ctWalkNext(pWalk, &zFile, &zFileErr, pzErr))==SQLITE_ROW ){
    CtVFile *f;
    rc = sqlite3_step(pPing);
    sqlite3_reset(pPing);
    if( rc==SQLITE_INTERRUPT ) break;
    rc = ctTrailGrow((void**)&p->aFile, p->nFile, &p->nFileAlloc, sizeof(CtVFile));
    if( rc ) break;
    f = &p->aFile[p->nFile++];
    memset(f, 0, sizeof(*f));
    f->iDigest = -1;
    f->zPath = sqlite3_mprintf("%s", zFile);
    if( f->zPath==0 ){ rc = SQLITE_NOMEM; break; }
    f->zKey = ctTrailKeyOf(f->zPath, &f->nKey);
    if( zFileErr ){
      f->zErr = sqlite3_mprintf("%s", zFileErr);
      rc = f->zErr ? SQLITE_OK : SQLITE_NOMEM;
    }else{
      int eOwn = ctOwnDbKind(pOwn, zFile, ctWalkStat(pWalk), &zSchema);
      if( eOwn!=CT_OWN_NONE ){
        f->zNote = ctOwnDbNote(eOwn, zSchema);
        rc = f->zNote ? SQLITE_OK : SQLITE_NOMEM;
      }else{
        rc = ctTrailReadFile(p, &s, p->nFile-1);
      }
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  ctOwnDbFree(pOwn);
  ctStreamClose(&s);
  ctWalkClose(pWalk);
  return rc==SQLITE_OK ? ctTrailSortFiles(p) : rc;
}

/* (key, index) pairs for qsort(), which passes the comparison no context;
** the index breaks ties so the order is the walk's for equal names. */
typedef struct CtTrailKeyIdx CtTrailKeyIdx;
struct CtTrailKeyIdx { const char *z; int n; int i; };
static int ctTrailCmpKeyIdx(const void *a, const void *b){
  const CtTrailKeyIdx *x = a, *y = b;
  int c = ctTrailKeyCmp(x->z, x->n, y->z, y->n);
  return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Order file indices by key so that names in digests are found by bisection. */
static int ctTrailSortFiles(CtTrail *p){
  CtTrailKeyIdx *a = sqlite3_malloc64(sizeof(CtTrailKeyIdx)*(p->nFile+1));
  int i;
  if( a==0 ) return SQLITE_NOMEM;
  p->aiSorted = sqlite3_malloc64(sizeof(int)*(p->nFile+1));
  if( p->aiSorted==0 ){ sqlite3_free(a); return SQLITE_NOMEM; }
  for(i=0; i<p->nFile; i++){
    a[i].z = p->aFile[i].zKey;
    a[i].n = p->aFile[i].nKey;
    a[i].i = i;
  }
  qsort(a, (size_t)p->nFile, sizeof(CtTrailKeyIdx), ctTrailCmpKeyIdx);
  for(i=0; i<p->nFile; i++) p->aiSorted[i] = a[i].i;
  sqlite3_free(a);
  return SQLITE_OK;
}

/* Files whose key equals that of zName: the first position in aiSorted
** (returned) and how many (*pnMatch). */
int ctTrailFind(CtTrail *p, const char *zName, int *pnMatch){
  int nKey, lo = 0, hi = p->nFile, iFirst;
  const char *zKey;
  *pnMatch = 0;
  if( zName==0 ) return 0;
  zKey = ctTrailKeyOf(zName, &nKey);
  while( lo<hi ){
    int mid = (lo+hi)/2;
    CtVFile *f = &p->aFile[p->aiSorted[mid]];
    if( ctTrailKeyCmp(f->zKey, f->nKey, zKey, nKey)<0 ) lo = mid+1; else hi = mid;
  }
  iFirst = lo;
  while( lo<p->nFile ){
    CtVFile *f = &p->aFile[p->aiSorted[lo]];
    if( ctTrailKeyCmp(f->zKey, f->nKey, zKey, nKey)!=0 ) break;
    lo++;
  }
  *pnMatch = lo-iFirst;
  return iFirst;
}

/* Free everything read; the trail is zeroed for the next query. */
void ctTrailClear(CtTrail *p){
  int i, j;
  for(i=0; i<p->nFile; i++){
    sqlite3_free(p->aFile[i].zPath);
    sqlite3_free(p->aFile[i].zErr);
    sqlite3_free(p->aFile[i].zNote);
  }
  for(i=0; i<p->nDigest; i++){
    CtVDigest *d = &p->aDigest[i];
    char *az[] = { d->zAccount, d->zRegion, d->zStart, d->zEnd, d->zBucket,
                   d->zObject, d->zFinger, d->zAlgo, d->zPrevObject,
                   d->zPrevHash, d->zPrevSig, d->zBad, d->zSigWhy };
    for(j=0; j<(int)(sizeof(az)/sizeof(az[0])); j++) sqlite3_free(az[j]);
    for(j=0; j<d->nLog; j++){
      sqlite3_free(d->aLog[j].zObject);
      sqlite3_free(d->aLog[j].zHash);
    }
    sqlite3_free(d->aLog);
  }
  for(i=0; i<p->nKey; i++){
    sqlite3_free(p->aKey[i].zFinger);
    ctPubKeyFree(p->aKey[i].pKey);
  }
  for(i=0; i<p->nSig; i++){
    sqlite3_free(p->aSig[i].zObject);
    sqlite3_free(p->aSig[i].zSig);
  }
  sqlite3_free(p->aFile);
  sqlite3_free(p->aiSorted);
  sqlite3_free(p->aDigest);
  sqlite3_free(p->aKey);
  sqlite3_free(p->aSig);
  sqlite3_free(p->zKeysFile);
  sqlite3_free(p->zSigsFile);
  memset(p, 0, sizeof(*p));
}