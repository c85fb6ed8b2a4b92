/*
** ct_validate.c — cloudtrail_validate(PATH [, OPTIONS]): CloudTrail log
** file integrity validation from a local copy, without AWS.
**
** ct_digest.c reads the trail: every file under PATH hashed (SHA-256 of
** its uncompressed bytes, as AWS defines a log file's hash), the digests
** parsed, the keys and signatures loaded.  Then, here:
**   - each log file a digest names is compared with the hash it records;
**   - each file no digest names is placed against the digests' periods;
**   - each digest is linked to the previous one it names (whose hash it
**     records) and to the next one (which holds its signature);
**   - each signature is checked with the public key the digest names, from
**     the output of `aws cloudtrail list-public-keys` (option public_keys).
** The results are computed in xFilter and returned as rows; docs/integrity.md
** defines every status.  Hashing and RSA are libcrypto's (ct_crypto.c).
*/
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include <string.h>
#include "ct_crypto.h"
#include "ct_digest.h"
#include "ct_filter.h"
#include "ct_json.h"
#include "ct_module.h"
#include "ct_options.h"
#include "ct_validate.h"

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

typedef struct CtVRow CtVRow;
struct CtVRow {
  char *az[CT_V_NCOL];
};

/* One query's trail and the rows worked out from it; freed by ctVReset(). */
typedef struct CtVState CtVState;
struct CtVState {
  CtTrail t;
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
  int nArg;                    /* arguments given: 1 PATH, 2 and OPTIONS */
  char *azArg[2];              /* their text (copies; 0 for NULL) */
};

/* Forget the arguments of the previous scan. */
static void ctVArgsClear(CtVCursor *pCur){
  sqlite3_free(pCur->azArg[0]);
  sqlite3_free(pCur->azArg[1]);
  pCur->azArg[0] = pCur->azArg[1] = 0;
  pCur->nArg = 0;
}

/* Equal hex digests (any case); an empty or absent one equals nothing. */
static int ctVHexEq(const char *a, const char *b){
  return a && b && a[0] && sqlite3_stricmp(a, b)==0;
}

/* -------------------------------------------------------------- checks */

/* Link each digest to the file its previousDigestS3Object names (a digest
** there if one matches) and that digest back to it, as its successor. */
static void ctVLink(CtVState *p){
  int i, k;
  for(i=0; i<p->t.nDigest; i++){
    CtVDigest *d = &p->t.aDigest[i];
    int n, iFirst = ctTrailFind(&p->t, d->zPrevObject, &n);
    for(k=iFirst; k<iFirst+n; k++){
      int iFile = p->t.aiSorted[k];
      if( d->iPrevFile<0 || p->t.aFile[iFile].iDigest>=0 ) d->iPrevFile = iFile;
      if( p->t.aFile[iFile].iDigest>=0 ) break;
    }
    if( d->iPrevFile>=0 && p->t.aFile[d->iPrevFile].iDigest>=0 ){
      CtVDigest *pPrev = &p->t.aDigest[p->t.aFile[d->iPrevFile].iDigest];
      if( pPrev->iNext<0 ) pPrev->iNext = i;
    }
  }
}

/* The signature the signatures file gives for digest d, or 0. */
static const char *ctVSigFromFile(CtVState *p, CtVDigest *d){
  CtVFile *f = &p->t.aFile[d->iFile];
  int i;
  for(i=0; i<p->t.nSig; i++){
    int n;
    const char *z = ctTrailKeyOf(p->t.aSig[i].zObject, &n);
    if( ctTrailKeyCmp(z, n, f->zKey, f->nKey)==0 ) return p->t.aSig[i].zSig;
  }
  return 0;
}

static CtPubKey *ctVKeyFor(CtVState *p, const char *zFinger){
  int i;
  for(i=0; zFinger && i<p->t.nKey; i++){
    if( sqlite3_stricmp(p->t.aKey[i].zFinger, zFinger)==0 ) return p->t.aKey[i].pKey;
  }
  return 0;
}

/* Decode hex z into *paOut (a new buffer of *pn bytes).  SQLITE_OK;
** SQLITE_ERROR, *paOut 0, if z is not an even run of hex digits of
** plausible length; SQLITE_NOMEM. */
static int ctVHexDecode(const char *z, unsigned char **paOut, size_t *pn){
  size_t n = strlen(z), i;
  unsigned char *a;
  *paOut = 0;
  if( n==0 || n%2 || n>CT_V_MAX_SIG ) return SQLITE_ERROR;
  a = sqlite3_malloc64(n/2);
  if( a==0 ) return SQLITE_NOMEM;
  for(i=0; i<n; i++){
    int v = ct_json_hex_digit(z[i]);
    if( v<0 ){ sqlite3_free(a); return SQLITE_ERROR; }
    if( i%2 ) a[i/2] |= (unsigned char)v; else a[i/2] = (unsigned char)(v<<4);
  }
  *paOut = a;
  *pn = n/2;
  return SQLITE_OK;
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
  if( d->iNext>=0 ) zSig = p->t.aDigest[d->iNext].zPrevSig;
  if( zSig==0 ) zSig = ctVSigFromFile(p, d);
  if( zSig==0 ){
    return ctVSigResult(d, "unverified", sqlite3_mprintf("no signature: no "
        "later digest names this one, and the signatures file does not give "
        "its x-amz-meta-signature"));
  }
  if( p->t.zKeysFile==0 ){
    return ctVSigResult(d, "unverified",
        sqlite3_mprintf("no public keys given (public_keys=FILE)"));
  }
  pKey = ctVKeyFor(p, d->zFinger);
  if( pKey==0 ){
    return ctVSigResult(d, "unverified", sqlite3_mprintf("no public key with "
        "fingerprint %s in %s", d->zFinger ? d->zFinger : "(none)", p->t.zKeysFile));
  }
  if( d->zAlgo==0 || strcmp(d->zAlgo, "SHA256withRSA")!=0 ){
    return ctVSigResult(d, "unverified", sqlite3_mprintf("unsupported "
        "signature algorithm %s", d->zAlgo ? d->zAlgo : "(none)"));
  }
  rc = ctVHexDecode(zSig, &aSig, &nSig);
  if( rc==SQLITE_NOMEM ) return rc;
  if( aSig==0 ){
    return ctVSigResult(d, "invalid", sqlite3_mprintf("the signature is not "
        "a hex string of at most %d digits", CT_V_MAX_SIG));
  }
  zMsg = sqlite3_mprintf("%s\n%s/%s\n%s\n%s", d->zEnd, d->zBucket, d->zObject,
                         p->t.aFile[d->iFile].zSha,
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
  if( ctTrailGrow((void**)&p->aRow, p->nRow, &p->nRowAlloc, sizeof(CtVRow)) ){
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
  CtVFile *fd = &p->t.aFile[d->iFile];
  int n, k, iFirst = ctTrailFind(&p->t, l->zObject, &n);
  for(k=iFirst; k<iFirst+(n ? n : 1); k++){
    CtVFile *g = n ? &p->t.aFile[p->t.aiSorted[k]] : 0;
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
  CtVFile *g = d->iPrevFile>=0 ? &p->t.aFile[d->iPrevFile] : 0;
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
    CtVDigest *pPrev = g->iDigest>=0 ? &p->t.aDigest[g->iDigest] : 0;
    *pzHash = "valid";
    *pzChain = "ok";
    if( pPrev && pPrev->bTimes && d->bTimes && pPrev->tEnd!=d->tStart ){
      *pzChain = "gap";
      ctVWhy(pz, sqlite3_mprintf("no digest covers %s to %s", pPrev->zEnd,
                                 d->zStart));
    }
  }
}

/* The digest's own row, then its log files' rows. */
static int ctVDigestRows(CtVState *p, CtVDigest *d){
  CtVFile *f = &p->t.aFile[d->iFile];
  CtVDigest *pNext = d->iNext>=0 ? &p->t.aDigest[d->iNext] : 0;
  const char *zHash, *zChain, *zStatus, *zExpected = pNext ? pNext->zPrevHash : 0;
  char *zWhy = 0;
  CtVRow *r = ctVRowNew(p);
  int rc, i;
  if( r==0 ) return SQLITE_NOMEM;
  if( d->zSigWhy ) ctVWhy(&zWhy, sqlite3_mprintf("signature: %s", d->zSigWhy));
  if( pNext && !ctVHexEq(zExpected, f->zSha) ){
    ctVWhy(&zWhy, sqlite3_mprintf("SHA-256 differs from the "
        "previousDigestHashValue of %s", p->t.aFile[pNext->iFile].zPath));
  }
  ctVChain(p, d, &zHash, &zChain, &zWhy);
  if( !d->bTimes ){
    ctVWhy(&zWhy, sqlite3_mprintf("digestStartTime or digestEndTime is not "
        "YYYY-MM-DDTHH:MM:SSZ: its period was not compared with others"));
  }
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
  rc |= ctVSet(r, CT_V_DIGEST_FILE, pNext ? p->t.aFile[pNext->iFile].zPath : 0);
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
  char *zAccount = ctTrailNameField(f->zPath, 0);
  char *zType = ctTrailNameField(f->zPath, 1);
  char *zRegion = ctTrailNameField(f->zPath, 2);
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
    }else if( f->zNote ){
      rc |= ctVDetail(r, sqlite3_mprintf("%s (not read): no digest names it",
                                         f->zNote));
    }else if( zType==0 || strcmp(zType, "CloudTrail")!=0
           || !ctDeliveryStamp(f->zKey, &t) ){
      rc |= ctVDetail(r, sqlite3_mprintf("not named like a CloudTrail log "
          "file (ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_…); digests name "
          "only those"));
    }else{
      /* The stamp has minutes only: the file was delivered in [t, t+60). */
      for(i=0; i<p->t.nDigest; i++){
        CtVDigest *d = &p->t.aDigest[i];
        if( !d->bTimes || !d->zAccount || !d->zRegion || !zAccount || !zRegion ) continue;
        if( strcmp(d->zAccount, zAccount)!=0 || strcmp(d->zRegion, zRegion)!=0 ) continue;
        if( t+60>d->tStart && t<=d->tEnd ) break;
      }
      if( i<p->t.nDigest ){
        zStatus = "not_in_digest";
        rc |= ctVSet(r, CT_V_DIGEST_FILE, p->t.aFile[p->t.aDigest[i].iFile].zPath);
        rc |= ctVSet(r, CT_V_PERIOD_START, p->t.aDigest[i].zStart);
        rc |= ctVSet(r, CT_V_PERIOD_END, p->t.aDigest[i].zEnd);
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
  int i, rc = SQLITE_OK;
  ctVLink(p);
  for(i=0; rc==SQLITE_OK && i<p->t.nDigest; i++){
    rc = ctVCheckSignature(p, &p->t.aDigest[i]);
  }
  for(i=0; rc==SQLITE_OK && i<p->t.nDigest; i++){
    rc = ctVDigestRows(p, &p->t.aDigest[i]);
  }
  for(i=0; rc==SQLITE_OK && i<p->t.nFile; i++){
    CtVFile *f = &p->t.aFile[i];
    if( f->iDigest<0 && f->nNamed==0 ) rc = ctVUnnamedRow(p, f);
  }
  return rc;
}

/* Free everything a query built; the state is zeroed for the next one. */
static void ctVReset(CtVState *p){
  int i, j;
  for(i=0; i<p->nRow; i++){
    for(j=0; j<CT_V_NCOL; j++) sqlite3_free(p->aRow[i].az[j]);
  }
  sqlite3_free(p->aRow);
  ctTrailClear(&p->t);
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
  int rc, mArgs;
  (void)pVtab;
  rc = ctPlanArgs(pInfo, CT_V_PATH, 2, 1, &mArgs);
  if( rc ) return rc;
  /* idxNum: the number of arguments passed. */
  pInfo->idxNum = (mArgs & 1) + ((mArgs>>1) & 1);
  pInfo->estimatedCost = mArgs ? 1e6 : 1e12;
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
  ctVArgsClear(pCur);
  sqlite3_free(pCur);
  return SQLITE_OK;
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
  ctVArgsClear(pCur);
  pCur->iRow = 0;
  for(pCur->nArg=0; pCur->nArg<argc && pCur->nArg<2; pCur->nArg++){
    const char *z = (const char*)sqlite3_value_text(argv[pCur->nArg]);
    if( z && (pCur->azArg[pCur->nArg] = sqlite3_mprintf("%s", z))==0 ) return SQLITE_NOMEM;
  }
  if( !CT_HAVE_CRYPTO ){
    return ctVtabError(cur->pVtab, SQLITE_ERROR, CT_CRYPTO_MISSING,
                       "cloudtrail_validate");
  }
  if( idxNum==0 || argc<1 ){
    return ctVtabError(cur->pVtab, SQLITE_ERROR, "cloudtrail: no PATH: "
        "use cloudtrail_validate('dir' [, 'public_keys=keys.json'])");
  }
  zPath = (const char*)sqlite3_value_text(argv[0]);
  if( zPath==0 ){
    return ctVtabError(cur->pVtab, SQLITE_ERROR, "cloudtrail: PATH is NULL");
  }
  p->t.mxDigest = CT_V_MAX_DIGEST;
  zOpt = argc>1 ? (const char*)sqlite3_value_text(argv[1]) : 0;
  if( zOpt ) rc = ctOptionsEach(zOpt, ctTrailOption, &p->t, &zErr);
  if( rc==SQLITE_OK && p->t.zKeysFile ) rc = ctTrailLoadKeys(&p->t, &zErr);
  if( rc==SQLITE_OK && p->t.zSigsFile ) rc = ctTrailLoadSigs(&p->t, &zErr);
  if( rc==SQLITE_OK ){
    sqlite3_stmt *pPing = 0;
    rc = sqlite3_prepare_v2(((CtVVtab*)cur->pVtab)->db, "SELECT 1", -1, &pPing, 0);
    if( rc==SQLITE_OK ) rc = ctTrailRead(&p->t, zPath, pPing, &zErr);
    sqlite3_finalize(pPing);
  }
  if( rc==SQLITE_OK ) rc = ctVCheck(p);
  if( rc!=SQLITE_OK ){
    ctVReset(p);
    return zErr ? ctVtabErrorTake(cur->pVtab, rc, zErr) : rc;
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
  if( i==CT_V_PATH || i==CT_V_OPTIONS ){
    int k = i-CT_V_PATH;
    return ctResultArgument(ctx, "cloudtrail_validate", k ? "options" : "path",
                            pCur->nArg>k, pCur->azArg[k]);
  }
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
