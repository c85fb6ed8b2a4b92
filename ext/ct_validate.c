/*
** ct_validate.c — cloudtrail_validate(PATH [, OPTIONS]): CloudTrail log
** file integrity validation from a local copy, without AWS.
**
** Every file under PATH is read once and hashed: SHA-256 of its
** uncompressed bytes, as AWS defines a log file's hash.  A file whose
** content is a digest (an object with digestStartTime and logFiles) is also
** parsed.  Then:
**   - each log file a digest names is compared with the hash it records;
**   - each file no digest names is placed against the digests' periods;
**   - each digest is linked to the previous one it names (whose hash it
**     records) and to the next one (which holds its signature);
**   - each signature is checked with the public key the digest names, from
**     the output of `aws cloudtrail list-public-keys` (option public_keys).
** The results are computed in xFilter and returned as rows; docs/integrity.md
** defines every status.  Files are matched to the names inside digests by
** their base name, without a ".gz" suffix, so a copied or decompressed tree
** validates the same.  Hashing and RSA are libcrypto's (ct_crypto.c).
*/
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include <stdlib.h>
#include <string.h>
#include "ct_crypto.h"
#include "ct_filter.h"
#include "ct_json.h"
#include "ct_options.h"
#include "ct_stream.h"
#include "ct_validate.h"
#include "ct_walk.h"

/* A digest lists an hour of log files, about 300 bytes each: even a busy
** trail's is well under a megabyte.  A larger file is hashed but not kept
** for parsing, so it counts as a log file (max_digest_size raises this). */
#define CT_V_MAX_DIGEST   (16*1024*1024)
/* The keys and signatures files are a few KiB per region and year. */
#define CT_V_MAX_AUX_FILE (16*1024*1024)
/* Read window for hashing: as the cloudtrail table's default. */
#define CT_V_BUFFER       (256*1024)
/* RSA signatures CloudTrail makes are 2048-bit (256 bytes); 16384-bit keys
** are beyond any use, so a longer hex text is not a signature. */
#define CT_V_MAX_SIG      2048

/* Columns. */
#define CT_V_KIND          0
#define CT_V_FILE          1
#define CT_V_S3_OBJECT     2
#define CT_V_ACCOUNT       3
#define CT_V_REGION        4
#define CT_V_STATUS        5
#define CT_V_DIGEST_FILE   6
#define CT_V_EXPECTED      7
#define CT_V_ACTUAL        8
#define CT_V_SIGNATURE     9
#define CT_V_PERIOD_START 10
#define CT_V_PERIOD_END   11
#define CT_V_PREV_DIGEST  12
#define CT_V_PREV_HASH    13
#define CT_V_CHAIN        14
#define CT_V_DETAIL       15
#define CT_V_NCOL         16
#define CT_V_PATH         16   /* hidden arguments */
#define CT_V_OPTIONS      17

/* A file under PATH. */
typedef struct CtVFile CtVFile;
struct CtVFile {
  char *zPath;                 /* as the walk gave it */
  const char *zKey;            /* its base name, inside zPath … */
  int nKey;                    /* … and its length without ".gz" */
  char zSha[CT_SHA256_HEX+1];  /* SHA-256 of the decoded bytes; "" if unread */
  char *zErr;                  /* why it could not be read, or 0 */
  int iDigest;                 /* index in aDigest, or -1 */
  int nNamed;                  /* times a digest names it */
};

/* One entry of a digest's logFiles. */
typedef struct CtVLog CtVLog;
struct CtVLog {
  char *zObject;               /* s3Object */
  char *zHash;                 /* hashValue */
};

/* A file whose content is a digest. */
typedef struct CtVDigest CtVDigest;
struct CtVDigest {
  int iFile;
  char *zAccount, *zRegion;
  char *zStart, *zEnd;         /* digestStartTime, digestEndTime */
  sqlite3_int64 tStart, tEnd;  /* the same as epoch seconds */
  char *zBucket, *zObject;     /* digestS3Bucket, digestS3Object */
  char *zFinger, *zAlgo;       /* digestPublicKeyFingerprint, …Algorithm */
  char *zPrevObject, *zPrevHash, *zPrevSig;  /* previousDigest… */
  char *zBad;                  /* a required field missing or malformed */
  CtVLog *aLog;
  int nLog;
  int iPrevFile;               /* file the previous name matches, or -1 */
  int iNext;                   /* digest naming this one as previous, or -1 */
  const char *zSigStatus;      /* valid, invalid or unverified */
  char *zSigWhy;               /* reason when not valid */
};

/* A public key from list-public-keys output. */
typedef struct CtVKey CtVKey;
struct CtVKey {
  char *zFinger;
  CtPubKey *pKey;
};

/* A digest's signature given by the signatures file. */
typedef struct CtVSig CtVSig;
struct CtVSig {
  char *zObject;               /* the digest's S3 key (or name) */
  char *zSig;                  /* hex */
};

typedef struct CtVRow CtVRow;
struct CtVRow {
  char *az[CT_V_NCOL];
};

/* Everything one query works out; freed by ctVReset(). */
typedef struct CtVState CtVState;
struct CtVState {
  char *zKeysFile, *zSigsFile; /* options */
  sqlite3_int64 mxDigest;
  CtVFile *aFile;  int nFile, nFileAlloc;
  int *aiSorted;               /* aFile indices ordered by key */
  CtVDigest *aDigest; int nDigest, nDigestAlloc;
  CtVKey *aKey;  int nKey, nKeyAlloc;
  CtVSig *aSig;  int nSig;
  CtVRow *aRow;  int nRow, nRowAlloc;
};

typedef struct CtVVtab CtVVtab;
struct CtVVtab {
  sqlite3_vtab base;
  sqlite3 *db;                 /* to prepare the interrupt probe */
};

typedef struct CtVCursor CtVCursor;
struct CtVCursor {
  sqlite3_vtab_cursor base;
  CtVState st;
  int iRow;
};

/* ------------------------------------------------------------- utilities */

/* Grow *pa (elements of sz bytes, *pnAlloc of them) to hold n+1. */
static int ctVGrow(void **pa, int n, int *pnAlloc, size_t sz){
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
static const char *ctVKeyOf(const char *z, int *pn){
  const char *zBase = strrchr(z, '/');
  size_t n;
  zBase = zBase ? zBase+1 : z;
  n = strlen(zBase);
  if( n>3 && strcmp(zBase+n-3, ".gz")==0 ) n -= 3;
  *pn = (int)n;
  return zBase;
}

static int ctVKeyCmp(const char *a, int na, const char *b, int nb){
  int c = memcmp(a, b, (size_t)(na<nb ? na : nb));
  return c ? c : (na>nb) - (na<nb);
}

static int ctVHexEq(const char *a, const char *b){
  return a && b && a[0] && sqlite3_stricmp(a, b)==0;
}

/* A JSON string member of obj, decoded into a new string; 0 if absent,
** null or not a string.  *pbNoMem is set if allocation failed. */
static char *ctVStr(CtSpan obj, const char *zKey, int *pbNoMem){
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
static char *ctVNameField(const char *zName, int iField){
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
static int ctVReadAll(const char *zPath, const char *zWhat, char **paOut,
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

static int ctVSetOption(void *pArg, const char *zKey, size_t nKey,
                        const char *zVal, size_t nVal, char **pzErr){
  CtVState *p = (CtVState*)pArg;
  char **pz = 0;
  if( nKey==11 && memcmp(zKey, "public_keys", 11)==0 ) pz = &p->zKeysFile;
  if( nKey==10 && memcmp(zKey, "signatures", 10)==0 ) pz = &p->zSigsFile;
  if( pz ){
    sqlite3_free(*pz);
    *pz = ctDequote(zVal, nVal);
    return *pz ? SQLITE_OK : SQLITE_NOMEM;
  }
  if( nKey==15 && memcmp(zKey, "max_digest_size", 15)==0 ){
    /* Parsed with the table's size syntax through a scratch option set. */
    CtOptions o;
    int rc;
    ctOptionsInit(&o);
    rc = ctOptionsSet(&o, "max_record_size", 15, zVal, nVal, pzErr);
    if( rc==SQLITE_OK ) p->mxDigest = o.mxRecord;
    if( rc && *pzErr ){
      char *z = sqlite3_mprintf("cloudtrail: max_digest_size must be a size "
                                "of at least %d bytes, not '%.*s'",
                                CT_MIN_MAX_RECORD, (int)nVal, zVal);
      sqlite3_free(*pzErr);
      *pzErr = z;
    }
    return rc;
  }
  *pzErr = sqlite3_mprintf("cloudtrail: unknown option '%.*s' for "
                           "cloudtrail_validate (expected public_keys, "
                           "signatures or max_digest_size)", (int)nKey, zKey);
  return SQLITE_ERROR;
}

/* ------------------------------------------------------ keys, signatures */

/* Add the keys of one list-public-keys document (obj) from zFile. */
static int ctVAddKeys(CtVState *p, CtSpan obj, const char *zFile,
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
    if( ctVGrow((void**)&p->aKey, p->nKey, &p->nKeyAlloc, sizeof(CtVKey)) ){
      return SQLITE_NOMEM;
    }
    k = &p->aKey[p->nKey];
    memset(k, 0, sizeof(*k));
    k->zFinger = v.z[0]=='{' ? ctVStr(v, "Fingerprint", &bNoMem) : 0;
    zValue = v.z[0]=='{' ? ctVStr(v, "Value", &bNoMem) : 0;
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
static int ctVLoadKeys(CtVState *p, char **pzErr){
  char *a = 0;
  size_t n = 0, i = 0, iEnd;
  int rc = ctVReadAll(p->zKeysFile, "public_keys", &a, &n, pzErr);
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
    rc = ctVAddKeys(p, obj, p->zKeysFile, i, pzErr);
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
static int ctVLoadSigs(CtVState *p, char **pzErr){
  char *a = 0, *zLine, *zNext;
  size_t n = 0;
  int rc = ctVReadAll(p->zSigsFile, "signatures", &a, &n, pzErr);
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
    rc = ctVGrow((void**)&p->aSig, p->nSig, &nAlloc, sizeof(CtVSig));
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
** for file iFile.  Fields that are missing leave d->zBad set. */
static int ctVParseDigest(CtVState *p, int iFile, CtSpan obj){
  CtVDigest *d;
  CtSpan logs, v;
  size_t i = 1;
  int bNoMem = 0, nLogAlloc = 0;
  if( ctVGrow((void**)&p->aDigest, p->nDigest, &p->nDigestAlloc,
              sizeof(CtVDigest)) ){
    return SQLITE_NOMEM;
  }
  d = &p->aDigest[p->nDigest++];
  memset(d, 0, sizeof(*d));
  d->iFile = iFile;
  d->iPrevFile = d->iNext = -1;
  d->zAccount = ctVStr(obj, "awsAccountId", &bNoMem);
  d->zStart = ctVStr(obj, "digestStartTime", &bNoMem);
  d->zEnd = ctVStr(obj, "digestEndTime", &bNoMem);
  d->zBucket = ctVStr(obj, "digestS3Bucket", &bNoMem);
  d->zObject = ctVStr(obj, "digestS3Object", &bNoMem);
  d->zFinger = ctVStr(obj, "digestPublicKeyFingerprint", &bNoMem);
  d->zAlgo = ctVStr(obj, "digestSignatureAlgorithm", &bNoMem);
  d->zPrevObject = ctVStr(obj, "previousDigestS3Object", &bNoMem);
  d->zPrevHash = ctVStr(obj, "previousDigestHashValue", &bNoMem);
  d->zPrevSig = ctVStr(obj, "previousDigestSignature", &bNoMem);
  d->zRegion = ctVNameField(d->zObject ? d->zObject : p->aFile[iFile].zPath, 2);
  if( bNoMem ) return SQLITE_NOMEM;
  if( d->zObject==0 || d->zBucket==0 ){
    d->zBad = sqlite3_mprintf("digest lacks digestS3Bucket or digestS3Object");
  }else if( !ctIsoSeconds(d->zStart, &d->tStart) || !ctIsoSeconds(d->zEnd, &d->tEnd) ){
    d->zBad = sqlite3_mprintf("digestStartTime or digestEndTime is not "
                              "YYYY-MM-DDTHH:MM:SSZ");
  }
  logs = ct_json_lookup(obj, "logFiles");
  if( logs.z && logs.z[0]=='[' ){
    while( ct_json_next_element(logs.z, logs.n, &i, &v) ){
      CtVLog *l;
      if( ctVGrow((void**)&d->aLog, d->nLog, &nLogAlloc, sizeof(CtVLog)) ){
        return SQLITE_NOMEM;
      }
      l = &d->aLog[d->nLog++];
      l->zObject = v.z[0]=='{' ? ctVStr(v, "s3Object", &bNoMem) : 0;
      l->zHash = v.z[0]=='{' ? ctVStr(v, "hashValue", &bNoMem) : 0;
      if( bNoMem ) return SQLITE_NOMEM;
    }
  }
  return SQLITE_OK;
}

/*
** If the decoded bytes z[0..n) of file iFile are one JSON object with
** digestStartTime and logFiles, parse it as a digest.
*/
static int ctVMaybeDigest(CtVState *p, int iFile, const char *z, size_t n){
  size_t i = ct_json_skip_ws(z, n, 0), iEnd;
  CtJsonError err;
  CtSpan obj;
  if( i>=n || z[i]!='{' ) return SQLITE_OK;
  if( ct_json_validate(z, n, i, 1, CT_JSON_MAX_DEPTH, &iEnd, &err)!=CT_JSON_OK
   || ct_json_skip_ws(z, n, iEnd)!=n ){
    return SQLITE_OK;
  }
  obj.z = z+i;
  obj.n = iEnd-i;
  if( ct_json_lookup(obj, "digestStartTime").z==0
   || ct_json_lookup(obj, "logFiles").z==0 ){
    return SQLITE_OK;
  }
  p->aFile[iFile].iDigest = p->nDigest;
  return ctVParseDigest(p, iFile, obj);
}

/*
** Hash file f through the stream s (reused across files), keeping its
** decoded bytes while they may still be a digest (at most mxDigest), and
** parse them if they are.  A read error is kept in f->zErr, not returned.
*/
static int ctVReadFile(CtVState *p, CtStream *s, int iFile){
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
      rc = ctVMaybeDigest(p, iFile, s->aBuf, s->nData);
    }
  }else if( rc==CT_STREAM_ERROR ){
    f->zErr = sqlite3_mprintf("%s", s->zErr);
    rc = f->zErr ? SQLITE_OK : SQLITE_NOMEM;
  }
  ctShaFree(pSha);
  ctStreamEnd(s);
  return rc;
}

/*
** Walk zPath, adding and reading every file.  Before each file, pPing (a
** prepared "SELECT 1") is stepped: SQLite 3.40 has no
** sqlite3_is_interrupted(), but the step fails with SQLITE_INTERRUPT after
** sqlite3_interrupt() or when a progress handler asks to stop, so a long
** validation can be stopped between files.
*/
static int ctVReadTree(CtVState *p, const char *zPath, sqlite3_stmt *pPing,
                       char **pzErr){
  CtWalk *pWalk = 0;
  CtStream s;
  const char *zFile, *zFileErr;
  int rc = ctWalkOpen(zPath, &pWalk, pzErr);
  memset(&s, 0, sizeof(s));
  s.fd = -1;
  while( rc==SQLITE_OK && (rc = ctWalkNext(pWalk, &zFile, &zFileErr, pzErr))==SQLITE_ROW ){
    CtVFile *f;
    rc = sqlite3_step(pPing);
    sqlite3_reset(pPing);
    if( rc==SQLITE_INTERRUPT ) break;
    rc = ctVGrow((void**)&p->aFile, p->nFile, &p->nFileAlloc, sizeof(CtVFile));
    if( rc ) break;
    f = &p->aFile[p->nFile++];
    memset(f, 0, sizeof(*f));
    f->iDigest = -1;
    f->zPath = sqlite3_mprintf("%s", zFile);
    if( f->zPath==0 ){ rc = SQLITE_NOMEM; break; }
    f->zKey = ctVKeyOf(f->zPath, &f->nKey);
    if( zFileErr ){
      f->zErr = sqlite3_mprintf("%s", zFileErr);
      rc = f->zErr ? SQLITE_OK : SQLITE_NOMEM;
    }else{
      rc = ctVReadFile(p, &s, p->nFile-1);
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  ctStreamClose(&s);
  ctWalkClose(pWalk);
  return rc;
}

/* (key, index) pairs for qsort(), which passes the comparison no context;
** the index breaks ties so the order is the walk's for equal names. */
typedef struct CtVKeyIdx CtVKeyIdx;
struct CtVKeyIdx { const char *z; int n; int i; };
static int ctVCmpKeyIdx(const void *a, const void *b){
  const CtVKeyIdx *x = a, *y = b;
  int c = ctVKeyCmp(x->z, x->n, y->z, y->n);
  return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Order file indices by key so that names in digests are found by bisection. */
static int ctVSortFiles(CtVState *p){
  CtVKeyIdx *a = sqlite3_malloc64(sizeof(CtVKeyIdx)*(p->nFile+1));
  int i;
  if( a==0 ) return SQLITE_NOMEM;
  p->aiSorted = sqlite3_malloc64(sizeof(int)*(p->nFile+1));
  if( p->aiSorted==0 ){ sqlite3_free(a); return SQLITE_NOMEM; }
  for(i=0; i<p->nFile; i++){
    a[i].z = p->aFile[i].zKey;
    a[i].n = p->aFile[i].nKey;
    a[i].i = i;
  }
  qsort(a, (size_t)p->nFile, sizeof(CtVKeyIdx), ctVCmpKeyIdx);
  for(i=0; i<p->nFile; i++) p->aiSorted[i] = a[i].i;
  sqlite3_free(a);
  return SQLITE_OK;
}

/* Files whose key equals that of zName: the first position in aiSorted
** (returned) and how many (*pnMatch). */
static int ctVFind(CtVState *p, const char *zName, int *pnMatch){
  int nKey, lo = 0, hi = p->nFile, iFirst;
  const char *zKey;
  *pnMatch = 0;
  if( zName==0 ) return 0;
  zKey = ctVKeyOf(zName, &nKey);
  while( lo<hi ){
    int mid = (lo+hi)/2;
    CtVFile *f = &p->aFile[p->aiSorted[mid]];
    if( ctVKeyCmp(f->zKey, f->nKey, zKey, nKey)<0 ) lo = mid+1; else hi = mid;
  }
  iFirst = lo;
  while( lo<p->nFile ){
    CtVFile *f = &p->aFile[p->aiSorted[lo]];
    if( ctVKeyCmp(f->zKey, f->nKey, zKey, nKey)!=0 ) break;
    lo++;
  }
  *pnMatch = lo-iFirst;
  return iFirst;
}

/* -------------------------------------------------------------- checks */

/* Link each digest to the file its previousDigestS3Object names (a digest
** there if one matches) and that digest back to it, as its successor. */
static void ctVLink(CtVState *p){
  int i, k;
  for(i=0; i<p->nDigest; i++){
    CtVDigest *d = &p->aDigest[i];
    int n, iFirst = ctVFind(p, d->zPrevObject, &n);
    for(k=iFirst; k<iFirst+n; k++){
      int iFile = p->aiSorted[k];
      if( d->iPrevFile<0 || p->aFile[iFile].iDigest>=0 ) d->iPrevFile = iFile;
      if( p->aFile[iFile].iDigest>=0 ) break;
    }
    if( d->iPrevFile>=0 && p->aFile[d->iPrevFile].iDigest>=0 ){
      CtVDigest *pPrev = &p->aDigest[p->aFile[d->iPrevFile].iDigest];
      if( pPrev->iNext<0 ) pPrev->iNext = i;
    }
  }
}

/* The signature the signatures file gives for digest d, or 0. */
static const char *ctVSigFromFile(CtVState *p, CtVDigest *d){
  CtVFile *f = &p->aFile[d->iFile];
  int i;
  for(i=0; i<p->nSig; i++){
    int n;
    const char *z = ctVKeyOf(p->aSig[i].zObject, &n);
    if( ctVKeyCmp(z, n, f->zKey, f->nKey)==0 ) return p->aSig[i].zSig;
  }
  return 0;
}

static CtPubKey *ctVKeyFor(CtVState *p, const char *zFinger){
  int i;
  for(i=0; zFinger && i<p->nKey; i++){
    if( sqlite3_stricmp(p->aKey[i].zFinger, zFinger)==0 ) return p->aKey[i].pKey;
  }
  return 0;
}

/* Decode hex z into a new buffer; 0 if z is not an even run of hex digits
** of plausible length. */
static unsigned char *ctVHexDecode(const char *z, size_t *pn){
  size_t n = strlen(z), i;
  unsigned char *a;
  if( n==0 || n%2 || n>CT_V_MAX_SIG ) return 0;
  a = sqlite3_malloc64(n/2);
  for(i=0; a && i<n; i++){
    char c = z[i];
    int v = c>='0'&&c<='9' ? c-'0' : c>='a'&&c<='f' ? c-'a'+10
          : c>='A'&&c<='F' ? c-'A'+10 : -1;
    if( v<0 ){ sqlite3_free(a); return 0; }
    if( i%2 ) a[i/2] |= (unsigned char)v; else a[i/2] = (unsigned char)(v<<4);
  }
  *pn = n/2;
  return a;
}

/* Set d->zSigStatus to unverified or invalid with a reason (printf). */
static int ctVSigResult(CtVDigest *d, const char *zStatus, char *zWhy){
  d->zSigStatus = zStatus;
  d->zSigWhy = zWhy;
  return zWhy ? SQLITE_OK : SQLITE_NOMEM;
}

/*
** Check digest d's signature: RSA (PKCS#1 v1.5) over SHA-256 of
**   digestEndTime "\n" digestS3Bucket "/" digestS3Object "\n"
**   hex(SHA-256(uncompressed digest)) "\n" previousDigestSignature
** ("null" for a chain's first), with the key the digest names.  The
** signature is the next digest's previousDigestSignature, or for the
** newest digest the signatures file's (its S3 x-amz-meta-signature).
*/
static int ctVCheckSignature(CtVState *p, CtVDigest *d){
  const char *zSig = 0;
  CtPubKey *pKey;
  unsigned char *aSig;
  size_t nSig = 0;
  char *zMsg, *zWhy = 0;
  int rc;
  if( d->zBad ) return ctVSigResult(d, "invalid", sqlite3_mprintf("%s", d->zBad));
  if( d->iNext>=0 ) zSig = p->aDigest[d->iNext].zPrevSig;
  if( zSig==0 ) zSig = ctVSigFromFile(p, d);
  if( zSig==0 ){
    return ctVSigResult(d, "unverified", sqlite3_mprintf("no signature: no "
        "later digest names this one, and the signatures file does not give "
        "its x-amz-meta-signature"));
  }
  if( p->zKeysFile==0 ){
    return ctVSigResult(d, "unverified",
        sqlite3_mprintf("no public keys given (public_keys=FILE)"));
  }
  pKey = ctVKeyFor(p, d->zFinger);
  if( pKey==0 ){
    return ctVSigResult(d, "unverified", sqlite3_mprintf("no public key with "
        "fingerprint %s in %s", d->zFinger ? d->zFinger : "(none)", p->zKeysFile));
  }
  if( d->zAlgo==0 || strcmp(d->zAlgo, "SHA256withRSA")!=0 ){
    return ctVSigResult(d, "unverified", sqlite3_mprintf("unsupported "
        "signature algorithm %s", d->zAlgo ? d->zAlgo : "(none)"));
  }
  aSig = ctVHexDecode(zSig, &nSig);
  if( aSig==0 ){
    return ctVSigResult(d, "invalid", sqlite3_mprintf("the signature is not "
        "a hex string of at most %d digits", CT_V_MAX_SIG));
  }
  zMsg = sqlite3_mprintf("%s\n%s/%s\n%s\n%s", d->zEnd, d->zBucket, d->zObject,
                         p->aFile[d->iFile].zSha,
                         d->zPrevSig ? d->zPrevSig : "null");
  if( zMsg==0 ){ sqlite3_free(aSig); return SQLITE_NOMEM; }
  rc = ctRsaSha256Verify(pKey, zMsg, strlen(zMsg), aSig, nSig, &zWhy);
  sqlite3_free(aSig);
  sqlite3_free(zMsg);
  if( rc==CT_SIG_VALID ){ d->zSigStatus = "valid"; return SQLITE_OK; }
  if( rc!=CT_SIG_INVALID ) return rc;
  return ctVSigResult(d, "invalid", sqlite3_mprintf("the signature does not "
      "verify with the key of fingerprint %s%s%s", d->zFinger,
      zWhy ? ": " : "", zWhy ? zWhy : ""));
}

/* ---------------------------------------------------------------- rows */

static CtVRow *ctVRowNew(CtVState *p){
  CtVRow *r;
  if( ctVGrow((void**)&p->aRow, p->nRow, &p->nRowAlloc, sizeof(CtVRow)) ){
    return 0;
  }
  r = &p->aRow[p->nRow++];
  memset(r, 0, sizeof(*r));
  return r;
}

/* Copy z (may be 0) into column iCol.  SQLITE_NOMEM or SQLITE_OK. */
static int ctVSet(CtVRow *r, int iCol, const char *z){
  if( z==0 ) return SQLITE_OK;
  r->az[iCol] = sqlite3_mprintf("%s", z);
  return r->az[iCol] ? SQLITE_OK : SQLITE_NOMEM;
}

/* Set the detail column from a printf result (which may be 0: no memory). */
static int ctVDetail(CtVRow *r, char *z){
  r->az[CT_V_DETAIL] = z;
  return z ? SQLITE_OK : SQLITE_NOMEM;
}

/* Row(s) for log entry l of digest d: one per file it matches, or one
** "missing" row. */
static int ctVLogRows(CtVState *p, CtVDigest *d, CtVLog *l){
  CtVFile *fd = &p->aFile[d->iFile];
  int n, k, iFirst = ctVFind(p, l->zObject, &n);
  for(k=iFirst; k<iFirst+(n ? n : 1); k++){
    CtVFile *g = n ? &p->aFile[p->aiSorted[k]] : 0;
    CtVRow *r = ctVRowNew(p);
    const char *zStatus;
    int rc;
    if( r==0 ) return SQLITE_NOMEM;
    rc = ctVSet(r, CT_V_KIND, "log");
    rc |= ctVSet(r, CT_V_S3_OBJECT, l->zObject);
    rc |= ctVSet(r, CT_V_ACCOUNT, d->zAccount);
    rc |= ctVSet(r, CT_V_REGION, d->zRegion);
    rc |= ctVSet(r, CT_V_DIGEST_FILE, fd->zPath);
    rc |= ctVSet(r, CT_V_EXPECTED, l->zHash);
    rc |= ctVSet(r, CT_V_SIGNATURE, d->zSigStatus);
    rc |= ctVSet(r, CT_V_PERIOD_START, d->zStart);
    rc |= ctVSet(r, CT_V_PERIOD_END, d->zEnd);
    if( g==0 ){
      zStatus = "missing";
      rc |= ctVDetail(r, l->zObject
          ? sqlite3_mprintf("named in the digest, not found under PATH")
          : sqlite3_mprintf("a logFiles entry of the digest has no s3Object"));
    }else{
      g->nNamed++;
      rc |= ctVSet(r, CT_V_FILE, g->zPath);
      if( g->zErr ){
        zStatus = "unreadable";
        rc |= ctVDetail(r, sqlite3_mprintf("%s", g->zErr));
      }else{
        rc |= ctVSet(r, CT_V_ACTUAL, g->zSha);
        zStatus = ctVHexEq(g->zSha, l->zHash) ? "valid" : "modified";
        if( zStatus[0]=='m' ){
          rc |= ctVDetail(r, sqlite3_mprintf("SHA-256 of the uncompressed "
                                             "file differs from the digest's"));
        }
      }
    }
    rc |= ctVSet(r, CT_V_STATUS, zStatus);
    if( rc ) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* Append "; "-separated reason z (consumed) to *pz. */
static void ctVWhy(char **pz, char *z){
  if( z==0 ) return;
  *pz = *pz ? sqlite3_mprintf("%z; %z", *pz, z) : z;
}

/* The previous-digest check and chain state of d; the reason goes to *pz. */
static void ctVChain(CtVState *p, CtVDigest *d, const char **pzHash,
                     const char **pzChain, char **pz){
  CtVFile *g = d->iPrevFile>=0 ? &p->aFile[d->iPrevFile] : 0;
  if( d->zPrevObject==0 ){
    *pzHash = "none";
    *pzChain = "start";
  }else if( g==0 ){
    *pzHash = "missing";
    *pzChain = "gap";
    ctVWhy(pz, sqlite3_mprintf("previous digest %s is not under PATH",
                               d->zPrevObject));
  }else if( g->zErr ){
    *pzHash = "unreadable";
    *pzChain = "gap";
    ctVWhy(pz, sqlite3_mprintf("previous digest %s: %s", g->zPath, g->zErr));
  }else if( !ctVHexEq(g->zSha, d->zPrevHash) ){
    *pzHash = "modified";
    *pzChain = "broken";
    ctVWhy(pz, sqlite3_mprintf("previous digest %s does not hash to "
                               "previousDigestHashValue", g->zPath));
  }else{
    CtVDigest *pPrev = g->iDigest>=0 ? &p->aDigest[g->iDigest] : 0;
    *pzHash = "valid";
    *pzChain = "ok";
    if( pPrev && !pPrev->zBad && !d->zBad && pPrev->tEnd!=d->tStart ){
      *pzChain = "gap";
      ctVWhy(pz, sqlite3_mprintf("no digest covers %s to %s", pPrev->zEnd,
                                 d->zStart));
    }
  }
}

/* The digest's own row, then its log files' rows. */
static int ctVDigestRows(CtVState *p, CtVDigest *d){
  CtVFile *f = &p->aFile[d->iFile];
  CtVDigest *pNext = d->iNext>=0 ? &p->aDigest[d->iNext] : 0;
  const char *zHash, *zChain, *zStatus, *zExpected = pNext ? pNext->zPrevHash : 0;
  char *zWhy = 0;
  CtVRow *r = ctVRowNew(p);
  int rc, i;
  if( r==0 ) return SQLITE_NOMEM;
  if( d->zSigWhy ) ctVWhy(&zWhy, sqlite3_mprintf("signature: %s", d->zSigWhy));
  if( pNext && !ctVHexEq(zExpected, f->zSha) ){
    ctVWhy(&zWhy, sqlite3_mprintf("SHA-256 differs from the "
        "previousDigestHashValue of %s", p->aFile[pNext->iFile].zPath));
  }
  ctVChain(p, d, &zHash, &zChain, &zWhy);
  if( strcmp(d->zSigStatus, "invalid")==0 ) zStatus = "invalid";
  else if( pNext && !ctVHexEq(zExpected, f->zSha) ) zStatus = "modified";
  else if( zChain[0]=='b' ) zStatus = "broken";
  else if( zChain[0]=='g' ) zStatus = "gap";
  else if( strcmp(d->zSigStatus, "unverified")==0 ) zStatus = "unverified";
  else zStatus = "valid";
  rc = ctVSet(r, CT_V_KIND, "digest");
  rc |= ctVSet(r, CT_V_FILE, f->zPath);
  rc |= ctVSet(r, CT_V_S3_OBJECT, d->zObject);
  rc |= ctVSet(r, CT_V_ACCOUNT, d->zAccount);
  rc |= ctVSet(r, CT_V_REGION, d->zRegion);
  rc |= ctVSet(r, CT_V_STATUS, zStatus);
  rc |= ctVSet(r, CT_V_DIGEST_FILE, pNext ? p->aFile[pNext->iFile].zPath : 0);
  rc |= ctVSet(r, CT_V_EXPECTED, zExpected);
  rc |= ctVSet(r, CT_V_ACTUAL, f->zSha);
  rc |= ctVSet(r, CT_V_SIGNATURE, d->zSigStatus);
  rc |= ctVSet(r, CT_V_PERIOD_START, d->zStart);
  rc |= ctVSet(r, CT_V_PERIOD_END, d->zEnd);
  rc |= ctVSet(r, CT_V_PREV_DIGEST, d->zPrevObject);
  rc |= ctVSet(r, CT_V_PREV_HASH, zHash);
  rc |= ctVSet(r, CT_V_CHAIN, zChain);
  r->az[CT_V_DETAIL] = zWhy;
  if( rc ) return SQLITE_NOMEM;
  for(i=0; i<d->nLog; i++){
    rc = ctVLogRows(p, d, &d->aLog[i]);
    if( rc ) return rc;
  }
  return SQLITE_OK;
}

/*
** The row of a file no digest names: not_in_digest when its name is a
** CloudTrail log file's delivered inside the period of a digest of the
** same account and region, no_digest otherwise, unreadable if unread.
*/
static int ctVUnnamedRow(CtVState *p, CtVFile *f){
  CtVRow *r = ctVRowNew(p);
  char *zAccount = ctVNameField(f->zPath, 0);
  char *zType = ctVNameField(f->zPath, 1);
  char *zRegion = ctVNameField(f->zPath, 2);
  const char *zStatus = "no_digest";
  sqlite3_int64 t;
  int rc, i;
  if( r==0 ) rc = SQLITE_NOMEM;
  else{
    rc = ctVSet(r, CT_V_KIND, "log");
    rc |= ctVSet(r, CT_V_FILE, f->zPath);
    rc |= ctVSet(r, CT_V_ACCOUNT, zAccount);
    rc |= ctVSet(r, CT_V_REGION, zRegion);
    rc |= ctVSet(r, CT_V_ACTUAL, f->zSha[0] ? f->zSha : 0);
    if( f->zErr ){
      zStatus = "unreadable";
      rc |= ctVDetail(r, sqlite3_mprintf("%s", f->zErr));
    }else if( zType==0 || strcmp(zType, "CloudTrail")!=0
           || !ctDeliveryStamp(f->zKey, &t) ){
      rc |= ctVDetail(r, sqlite3_mprintf("not named like a CloudTrail log "
          "file (ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_…); digests name "
          "only those"));
    }else{
      /* The stamp has minutes only: the file was delivered in [t, t+60). */
      for(i=0; i<p->nDigest; i++){
        CtVDigest *d = &p->aDigest[i];
        if( d->zBad || !d->zAccount || !d->zRegion || !zAccount || !zRegion ) continue;
        if( strcmp(d->zAccount, zAccount)!=0 || strcmp(d->zRegion, zRegion)!=0 ) continue;
        if( t+60>d->tStart && t<=d->tEnd ) break;
      }
      if( i<p->nDigest ){
        zStatus = "not_in_digest";
        rc |= ctVSet(r, CT_V_DIGEST_FILE, p->aFile[p->aDigest[i].iFile].zPath);
        rc |= ctVSet(r, CT_V_PERIOD_START, p->aDigest[i].zStart);
        rc |= ctVSet(r, CT_V_PERIOD_END, p->aDigest[i].zEnd);
        rc |= ctVDetail(r, sqlite3_mprintf("delivered inside the period of "
            "a digest, but no digest names it"));
      }else{
        rc |= ctVDetail(r, sqlite3_mprintf("no digest of %s %s covers its "
            "delivery time", zAccount, zRegion));
      }
    }
    rc |= ctVSet(r, CT_V_STATUS, zStatus);
  }
  sqlite3_free(zAccount);
  sqlite3_free(zType);
  sqlite3_free(zRegion);
  return rc ? SQLITE_NOMEM : SQLITE_OK;
}

/* Everything after the files are read: link, check, make the rows. */
static int ctVCheck(CtVState *p){
  int i, rc = ctVSortFiles(p);
  if( rc ) return rc;
  ctVLink(p);
  for(i=0; rc==SQLITE_OK && i<p->nDigest; i++){
    rc = ctVCheckSignature(p, &p->aDigest[i]);
  }
  for(i=0; rc==SQLITE_OK && i<p->nDigest; i++){
    rc = ctVDigestRows(p, &p->aDigest[i]);
  }
  for(i=0; rc==SQLITE_OK && i<p->nFile; i++){
    CtVFile *f = &p->aFile[i];
    if( f->iDigest<0 && f->nNamed==0 ) rc = ctVUnnamedRow(p, f);
  }
  return rc;
}

/* Free everything a query built; the state is zeroed for the next one. */
static void ctVReset(CtVState *p){
  int i, j;
  for(i=0; i<p->nFile; i++){
    sqlite3_free(p->aFile[i].zPath);
    sqlite3_free(p->aFile[i].zErr);
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
  for(i=0; i<p->nRow; i++){
    for(j=0; j<CT_V_NCOL; j++) sqlite3_free(p->aRow[i].az[j]);
  }
  sqlite3_free(p->aFile);
  sqlite3_free(p->aiSorted);
  sqlite3_free(p->aDigest);
  sqlite3_free(p->aKey);
  sqlite3_free(p->aSig);
  sqlite3_free(p->aRow);
  sqlite3_free(p->zKeysFile);
  sqlite3_free(p->zSigsFile);
  memset(p, 0, sizeof(*p));
}

/* ---------------------------------------------------------------- vtab */

static int ctVConnect(sqlite3 *db, void *pAux, int argc,
                      const char *const *argv, sqlite3_vtab **ppVtab,
                      char **pzErr){
  CtVVtab *pNew;
  int rc;
  (void)pAux; (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(kind TEXT, file TEXT, "
      "s3_object TEXT, account TEXT, region TEXT, status TEXT, "
      "digest_file TEXT, expected_sha256 TEXT, actual_sha256 TEXT, "
      "signature_status TEXT, period_start TEXT, period_end TEXT, "
      "previous_digest TEXT, previous_digest_hash TEXT, chain TEXT, "
      "detail TEXT, path HIDDEN, options HIDDEN)");
  if( rc ) return rc;
  pNew = sqlite3_malloc64(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->db = db;
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

static int ctVDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* PATH is required (argument 1), OPTIONS optional (argument 2); an
** unusable one rules the plan out, so SQLite picks an order that has it. */
static int ctVBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int i, iPath = -1, iOpt = -1;
  (void)pVtab;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *c = &pInfo->aConstraint[i];
    if( c->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( c->iColumn!=CT_V_PATH && c->iColumn!=CT_V_OPTIONS ) continue;
    if( !c->usable ) return SQLITE_CONSTRAINT;
    if( c->iColumn==CT_V_PATH ) iPath = i; else iOpt = i;
  }
  pInfo->idxNum = 0;
  pInfo->estimatedCost = 1e12;
  if( iPath<0 ) return SQLITE_OK;
  pInfo->aConstraintUsage[iPath].argvIndex = 1;
  pInfo->aConstraintUsage[iPath].omit = 1;
  pInfo->idxNum = 1;
  if( iOpt>=0 ){
    pInfo->aConstraintUsage[iOpt].argvIndex = 2;
    pInfo->aConstraintUsage[iOpt].omit = 1;
    pInfo->idxNum = 2;
  }
  pInfo->estimatedCost = 1e6;
  return SQLITE_OK;
}

static int ctVOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  CtVCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int ctVClose(sqlite3_vtab_cursor *cur){
  CtVCursor *pCur = (CtVCursor*)cur;
  ctVReset(&pCur->st);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* Report zMsg (from sqlite3_mprintf, may be 0) as the table's error. */
static int ctVError(sqlite3_vtab_cursor *cur, int rc, char *zMsg){
  sqlite3_free(cur->pVtab->zErrMsg);
  cur->pVtab->zErrMsg = zMsg;
  return zMsg ? rc : (rc==SQLITE_OK ? SQLITE_NOMEM : rc);
}

static int ctVFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv){
  CtVCursor *pCur = (CtVCursor*)cur;
  CtVState *p = &pCur->st;
  const char *zPath, *zOpt;
  char *zErr = 0;
  int rc = SQLITE_OK;
  (void)idxStr;
  ctVReset(p);
  pCur->iRow = 0;
  if( !CT_HAVE_CRYPTO ){
    return ctVError(cur, SQLITE_ERROR,
                    sqlite3_mprintf(CT_CRYPTO_MISSING, "cloudtrail_validate"));
  }
  if( idxNum==0 || argc<1 ){
    return ctVError(cur, SQLITE_ERROR, sqlite3_mprintf("cloudtrail: no PATH: "
        "use cloudtrail_validate('dir' [, 'public_keys=keys.json'])"));
  }
  zPath = (const char*)sqlite3_value_text(argv[0]);
  if( zPath==0 ){
    return ctVError(cur, SQLITE_ERROR, sqlite3_mprintf("cloudtrail: PATH is NULL"));
  }
  p->mxDigest = CT_V_MAX_DIGEST;
  zOpt = argc>1 ? (const char*)sqlite3_value_text(argv[1]) : 0;
  if( zOpt ) rc = ctOptionsEach(zOpt, ctVSetOption, p, &zErr);
  if( rc==SQLITE_OK && p->zKeysFile ) rc = ctVLoadKeys(p, &zErr);
  if( rc==SQLITE_OK && p->zSigsFile ) rc = ctVLoadSigs(p, &zErr);
  if( rc==SQLITE_OK ){
    sqlite3_stmt *pPing = 0;
    rc = sqlite3_prepare_v2(((CtVVtab*)cur->pVtab)->db, "SELECT 1", -1, &pPing, 0);
    if( rc==SQLITE_OK ) rc = ctVReadTree(p, zPath, pPing, &zErr);
    sqlite3_finalize(pPing);
  }
  if( rc==SQLITE_OK ) rc = ctVCheck(p);
  if( rc!=SQLITE_OK ){
    ctVReset(p);
    return ctVError(cur, rc, zErr);
  }
  return SQLITE_OK;
}

static int ctVNext(sqlite3_vtab_cursor *cur){
  ((CtVCursor*)cur)->iRow++;
  return SQLITE_OK;
}

static int ctVEof(sqlite3_vtab_cursor *cur){
  CtVCursor *pCur = (CtVCursor*)cur;
  return pCur->iRow>=pCur->st.nRow;
}

static int ctVColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  CtVCursor *pCur = (CtVCursor*)cur;
  if( i>=0 && i<CT_V_NCOL && pCur->st.aRow[pCur->iRow].az[i] ){
    sqlite3_result_text(ctx, pCur->st.aRow[pCur->iRow].az[i], -1,
                        SQLITE_TRANSIENT);
  }
  return SQLITE_OK;
}

static int ctVRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((CtVCursor*)cur)->iRow + 1;
  return SQLITE_OK;
}

static sqlite3_module ctValidateModule = {
  0,                  /* iVersion */
  0,                  /* xCreate: none, so eponymous-only */
  ctVConnect,
  ctVBestIndex,
  ctVDisconnect,
  0,                  /* xDestroy */
  ctVOpen,
  ctVClose,
  ctVFilter,
  ctVNext,
  ctVEof,
  ctVColumn,
  ctVRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

/*
** Registers cloudtrail_validate.  It reads files, so it is not
** SQLITE_VTAB_INNOCUOUS: under trusted_schema=OFF no view or trigger in a
** database can use it.  It is registered (and fails with a clear message)
** in a build without libcrypto.
*/
int ctRegisterValidate(sqlite3 *db){
  return sqlite3_create_module(db, "cloudtrail_validate", &ctValidateModule, 0);
}
