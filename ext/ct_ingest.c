/*
** ct_ingest.c — what sql/ingest.sql needs to keep an evidence database
** without re-reading old files:
**
**   cloudtrail_ls(PATH)      one row per entry of the walk cloudtrail(PATH)
**                            would read: file, size, mtime, error.  Only
**                            stat()s; never opens a file.
**   cloudtrail_sha256(FILE)  SHA-256 (FIPS 180-4) of a file's bytes, as 64
**                            lowercase hex digits.
**   cloudtrail_progress(EVERY, FILE_NO, FILES, FILE_BYTES, TOTAL_BYTES, ROW)
**                            called once per copied record; when EVERY > 0,
**                            writes a progress line to stderr at most once
**                            every EVERY seconds.
**
** Both touch the filesystem, so neither is innocuous; the function is also
** SQLITE_DIRECTONLY, like fileio.c's readfile(), so no view or trigger in a
** database can make it read files.
*/
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "ct_ingest.h"
#include "ct_walk.h"

/* ---------------------------------------------------------------- SHA-256 */

typedef struct CtSha256 CtSha256;
struct CtSha256 {
  unsigned int h[8];          /* chaining state */
  unsigned char buf[64];      /* partial block */
  unsigned int nBuf;          /* bytes in buf */
  sqlite3_uint64 nTotal;      /* message length in bytes */
};

/* First 32 bits of the fractional parts of the cube roots of the first 64
** primes (FIPS 180-4, 4.2.2). */
static const unsigned int ctShaK[64] = {
  0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,
  0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,
  0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
  0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,
  0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,
  0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
  0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,
  0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2
};

#define CT_ROR(x,n) (((x)>>(n)) | ((x)<<(32-(n))))

static void ctShaInit(CtSha256 *p){
  static const unsigned int h0[8] = {   /* FIPS 180-4, 5.3.3 */
    0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,
    0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19
  };
  memcpy(p->h, h0, sizeof(h0));
  p->nBuf = 0;
  p->nTotal = 0;
}

/* One 64-byte block into the state (FIPS 180-4, 6.2.2). */
static void ctShaBlock(CtSha256 *p, const unsigned char *b){
  unsigned int w[64], a, bb, c, d, e, f, g, h;
  int i;
  for(i=0; i<16; i++){
    w[i] = ((unsigned int)b[4*i]<<24) | ((unsigned int)b[4*i+1]<<16)
         | ((unsigned int)b[4*i+2]<<8) | (unsigned int)b[4*i+3];
  }
  for(i=16; i<64; i++){
    unsigned int s0 = CT_ROR(w[i-15],7) ^ CT_ROR(w[i-15],18) ^ (w[i-15]>>3);
    unsigned int s1 = CT_ROR(w[i-2],17) ^ CT_ROR(w[i-2],19) ^ (w[i-2]>>10);
    w[i] = w[i-16] + s0 + w[i-7] + s1;
  }
  a = p->h[0]; bb = p->h[1]; c = p->h[2]; d = p->h[3];
  e = p->h[4]; f = p->h[5]; g = p->h[6]; h = p->h[7];
  for(i=0; i<64; i++){
    unsigned int t1 = h + (CT_ROR(e,6) ^ CT_ROR(e,11) ^ CT_ROR(e,25))
                    + ((e & f) ^ (~e & g)) + ctShaK[i] + w[i];
    unsigned int t2 = (CT_ROR(a,2) ^ CT_ROR(a,13) ^ CT_ROR(a,22))
                    + ((a & bb) ^ (a & c) ^ (bb & c));
    h = g; g = f; f = e; e = d + t1;
    d = c; c = bb; bb = a; a = t1 + t2;
  }
  p->h[0] += a; p->h[1] += bb; p->h[2] += c; p->h[3] += d;
  p->h[4] += e; p->h[5] += f; p->h[6] += g; p->h[7] += h;
}

static void ctShaUpdate(CtSha256 *p, const unsigned char *z, size_t n){
  p->nTotal += n;
  while( n>0 ){
    size_t nTake = 64 - p->nBuf;
    if( nTake>n ) nTake = n;
    memcpy(p->buf + p->nBuf, z, nTake);
    p->nBuf += (unsigned int)nTake;
    z += nTake;
    n -= nTake;
    if( p->nBuf==64 ){
      ctShaBlock(p, p->buf);
      p->nBuf = 0;
    }
  }
}

/* Pads, and writes the digest as 64 hex digits and a NUL into zOut. */
static void ctShaFinal(CtSha256 *p, char *zOut){
  static const char zHex[] = "0123456789abcdef";
  sqlite3_uint64 nBits = p->nTotal*8;
  unsigned char pad[72];
  size_t nPad = (p->nBuf<56 ? 56 : 120) - p->nBuf;
  int i;
  memset(pad, 0, sizeof(pad));
  pad[0] = 0x80;
  for(i=0; i<8; i++) pad[nPad+i] = (unsigned char)(nBits >> (56-8*i));
  ctShaUpdate(p, pad, nPad+8);
  for(i=0; i<32; i++){
    unsigned char x = (unsigned char)(p->h[i/4] >> (24-8*(i%4)));
    zOut[2*i] = zHex[x>>4];
    zOut[2*i+1] = zHex[x&15];
  }
  zOut[64] = 0;
}

/* Read size for hashing: large enough that the per-call cost vanishes. */
#define CT_SHA_CHUNK 65536

/*
** cloudtrail_sha256(FILE): NULL for NULL; an error naming the file when it
** cannot be opened or read.
*/
static void ctSha256Func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *zFile = (const char*)sqlite3_value_text(argv[0]);
  unsigned char *aBuf;
  CtSha256 sha;
  FILE *in;
  size_t n;
  char zHex[65];
  (void)argc;
  if( zFile==0 ) return;
  in = fopen(zFile, "rb");
  if( in==0 ){
    char *zErr = sqlite3_mprintf("cloudtrail: %s: cannot open: %s", zFile, strerror(errno));
    sqlite3_result_error(ctx, zErr ? zErr : "cloudtrail: out of memory", -1);
    sqlite3_free(zErr);
    return;
  }
  aBuf = sqlite3_malloc64(CT_SHA_CHUNK);
  if( aBuf==0 ){
    fclose(in);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  ctShaInit(&sha);
  while( (n = fread(aBuf, 1, CT_SHA_CHUNK, in))>0 ) ctShaUpdate(&sha, aBuf, n);
  if( ferror(in) ){
    char *zErr = sqlite3_mprintf("cloudtrail: %s: read error at byte %llu",
                                 zFile, (unsigned long long)sha.nTotal);
    sqlite3_result_error(ctx, zErr ? zErr : "cloudtrail: out of memory", -1);
    sqlite3_free(zErr);
  }else{
    ctShaFinal(&sha, zHex);
    sqlite3_result_text(ctx, zHex, 64, SQLITE_TRANSIENT);
  }
  sqlite3_free(aBuf);
  fclose(in);
}

/* ---------------------------------------------------- cloudtrail_progress */

typedef struct CtProgress CtProgress;
struct CtProgress {
  double rStart;              /* julian day (as seconds) of the run's first call */
  double rLast;               /* time of the last line printed */
  sqlite3_int64 iFile;        /* FILE_NO of the previous call; 0 before a run */
  sqlite3_int64 nFileBytes;   /* FILE_BYTES of that file */
  sqlite3_int64 nBytesDone;   /* bytes of the files finished so far */
  sqlite3_int64 nRecords;     /* calls (records) this run */
};

/* Current time in seconds, from SQLite's VFS clock. */
static double ctNow(void){
  sqlite3_int64 iMs = 0;
  sqlite3_vfs *pVfs = sqlite3_vfs_find(0);
  if( pVfs && pVfs->iVersion>=2 && pVfs->xCurrentTimeInt64 ){
    pVfs->xCurrentTimeInt64(pVfs, &iMs);
  }
  return (double)iMs/1000.0;
}

/*
** cloudtrail_progress(EVERY, FILE_NO, FILES, FILE_BYTES, TOTAL_BYTES, ROW):
** always returns 1, so it can sit in a WHERE clause.  ROW is unused but
** makes the call depend on the inner table, so SQLite evaluates it per
** record.  A FILE_NO lower than the previous one starts a new run.  EVERY
** is the least number of seconds between two lines (sql/ingest.sql passes 1
** for "progress on"); NULL or <= 0 prints nothing, so nothing is printed
** unless the caller asks.  MB/s counts bytes on disk of finished files.
*/
static void ctProgressFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  CtProgress *p = (CtProgress*)sqlite3_user_data(ctx);
  sqlite3_int64 iFile = sqlite3_value_int64(argv[1]);
  double rEvery = sqlite3_value_double(argv[0]);
  double rNow;
  (void)argc;
  sqlite3_result_int(ctx, 1);
  if( !(rEvery>0.0) ) return;
  rNow = ctNow();
  if( iFile<p->iFile || p->iFile==0 ){
    memset(p, 0, sizeof(*p));
    p->rStart = p->rLast = rNow;
  }else if( iFile!=p->iFile ){
    p->nBytesDone += p->nFileBytes;
  }
  p->iFile = iFile;
  p->nFileBytes = sqlite3_value_int64(argv[3]);
  p->nRecords++;
  if( rNow - p->rLast >= rEvery ){
    double rSecs = rNow - p->rStart;
    double rRate = rSecs>0 ? (double)p->nBytesDone/rSecs : 0.0;
    sqlite3_int64 nLeft = sqlite3_value_int64(argv[4]) - p->nBytesDone;
    long long nEta = rRate>0 ? (long long)((double)nLeft/rRate) : -1;
    fprintf(stderr, "cloudtrail: ingest: file %lld/%lld, %lld records, %.1f MB/s",
            (long long)iFile, (long long)sqlite3_value_int64(argv[2]),
            (long long)p->nRecords, rRate/1e6);
    if( nEta>=0 ) fprintf(stderr, ", ETA %lld:%02lld:%02lld\n",
                          nEta/3600, (nEta/60)%60, nEta%60);
    else fprintf(stderr, ", ETA unknown\n");
    p->rLast = rNow;
  }
}

/* ---------------------------------------------------------- cloudtrail_ls */

#define CT_LS_FILE  0
#define CT_LS_SIZE  1
#define CT_LS_MTIME 2
#define CT_LS_ERROR 3
#define CT_LS_PATH  4

typedef struct CtLsCursor CtLsCursor;
struct CtLsCursor {
  sqlite3_vtab_cursor base;
  CtWalk *pWalk;              /* the walk; 0 before xFilter and at EOF */
  const char *zFile;          /* current entry (owned by pWalk) */
  char *zErr;                 /* entry's problem, or 0 */
  sqlite3_int64 iRow;
  sqlite3_int64 nSize, iMtime;
  int bStat;                  /* nSize/iMtime are valid */
  int bEof;
};

static int ctLsConnect(sqlite3 *db, void *pAux, int argc,
                       const char *const *argv, sqlite3_vtab **ppVtab,
                       char **pzErr){
  sqlite3_vtab *pNew;
  int rc;
  (void)pAux; (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db,
      "CREATE TABLE x(file TEXT, size INTEGER, mtime INTEGER, error TEXT, path HIDDEN)");
  if( rc ) return rc;
  pNew = sqlite3_malloc64(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  *ppVtab = pNew;
  return SQLITE_OK;
}

static int ctLsDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* Equality on PATH is required; an unusable one rules the plan out. */
static int ctLsBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int i;
  (void)pVtab;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *c = &pInfo->aConstraint[i];
    if( c->iColumn!=CT_LS_PATH || c->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( !c->usable ) return SQLITE_CONSTRAINT;
    pInfo->aConstraintUsage[i].argvIndex = 1;
    pInfo->aConstraintUsage[i].omit = 1;
    pInfo->idxNum = 1;
    pInfo->estimatedCost = 1000.0;
    return SQLITE_OK;
  }
  pInfo->idxNum = 0;
  pInfo->estimatedCost = 1e12;
  return SQLITE_OK;
}

static int ctLsOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  CtLsCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  pCur->bEof = 1;
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

/* The one reset path: frees the walk and the current entry's message. */
static void ctLsReset(CtLsCursor *pCur){
  if( pCur->pWalk ) ctWalkClose(pCur->pWalk);
  sqlite3_free(pCur->zErr);
  pCur->pWalk = 0;
  pCur->zErr = 0;
  pCur->zFile = 0;
  pCur->bEof = 1;
}

static int ctLsClose(sqlite3_vtab_cursor *cur){
  ctLsReset((CtLsCursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* Replaces the table's error message with zMsg (taken over; 0 after an
** out-of-memory) and returns rc. */
static int ctLsError(sqlite3_vtab *pVtab, int rc, char *zMsg){
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = zMsg;
  return rc;
}

/* Moves to the next entry and stat()s it; sets bEof at the end. */
static int ctLsStep(CtLsCursor *pCur){
  const char *zFileErr = 0;
  char *zErr = 0;
  struct stat st;
  int rc;
  sqlite3_free(pCur->zErr);
  pCur->zErr = 0;
  pCur->bStat = 0;
  rc = ctWalkNext(pCur->pWalk, &pCur->zFile, &zFileErr, &zErr);
  if( rc==SQLITE_DONE ){ pCur->bEof = 1; return SQLITE_OK; }
  if( rc!=SQLITE_ROW ){
    return zErr ? ctLsError(pCur->base.pVtab, rc, zErr) : rc;
  }
  pCur->iRow++;
  if( zFileErr ){
    pCur->zErr = sqlite3_mprintf("%s", zFileErr);
    return pCur->zErr ? SQLITE_OK : SQLITE_NOMEM;
  }
  if( stat(pCur->zFile, &st)!=0 ){
    pCur->zErr = sqlite3_mprintf("cannot stat: %s", strerror(errno));
    return pCur->zErr ? SQLITE_OK : SQLITE_NOMEM;
  }
  pCur->nSize = (sqlite3_int64)st.st_size;
  pCur->iMtime = (sqlite3_int64)st.st_mtime;
  pCur->bStat = 1;
  return SQLITE_OK;
}

static int ctLsFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv){
  CtLsCursor *pCur = (CtLsCursor*)cur;
  const char *zPath;
  char *zErr = 0;
  int rc;
  (void)idxStr;
  ctLsReset(pCur);
  pCur->iRow = 0;
  if( idxNum==0 || argc<1 ){
    return ctLsError(cur->pVtab, SQLITE_ERROR,
        sqlite3_mprintf("cloudtrail: no PATH: use cloudtrail_ls('dir')"));
  }
  zPath = (const char*)sqlite3_value_text(argv[0]);
  if( zPath==0 ){
    return ctLsError(cur->pVtab, SQLITE_ERROR, sqlite3_mprintf("cloudtrail: PATH is NULL"));
  }
  rc = ctWalkOpen(zPath, &pCur->pWalk, &zErr);
  if( rc!=SQLITE_OK ) return ctLsError(cur->pVtab, rc, zErr);
  pCur->bEof = 0;
  return ctLsStep(pCur);
}

static int ctLsNext(sqlite3_vtab_cursor *cur){
  return ctLsStep((CtLsCursor*)cur);
}

static int ctLsEof(sqlite3_vtab_cursor *cur){
  return ((CtLsCursor*)cur)->bEof;
}

static int ctLsColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  CtLsCursor *pCur = (CtLsCursor*)cur;
  switch( i ){
    case CT_LS_FILE:  sqlite3_result_text(ctx, pCur->zFile, -1, SQLITE_TRANSIENT); break;
    case CT_LS_SIZE:  if( pCur->bStat ) sqlite3_result_int64(ctx, pCur->nSize); break;
    case CT_LS_MTIME: if( pCur->bStat ) sqlite3_result_int64(ctx, pCur->iMtime); break;
    case CT_LS_ERROR:
      if( pCur->zErr ) sqlite3_result_text(ctx, pCur->zErr, -1, SQLITE_TRANSIENT);
      break;
    default: break;
  }
  return SQLITE_OK;
}

static int ctLsRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((CtLsCursor*)cur)->iRow;
  return SQLITE_OK;
}

static sqlite3_module ctLsModule = {
  0,                  /* iVersion */
  0,                  /* xCreate: none, so eponymous-only */
  ctLsConnect,
  ctLsBestIndex,
  ctLsDisconnect,
  0,                  /* xDestroy */
  ctLsOpen,
  ctLsClose,
  ctLsFilter,
  ctLsNext,
  ctLsEof,
  ctLsColumn,
  ctLsRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

/*
** Registers cloudtrail_ls and cloudtrail_sha256.  Both read the filesystem:
** the table is not SQLITE_VTAB_INNOCUOUS and the function is DIRECTONLY and
** not deterministic (a file can change between calls).
*/
int ctRegisterIngest(sqlite3 *db){
  CtProgress *pProgress;
  int rc = sqlite3_create_module(db, "cloudtrail_ls", &ctLsModule, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "cloudtrail_sha256", 1,
        SQLITE_UTF8|SQLITE_DIRECTONLY, 0, ctSha256Func, 0, 0);
  }
  if( rc!=SQLITE_OK ) return rc;
  /* Writes to stderr and keeps per-connection state: a side effect, so
  ** DIRECTONLY and not deterministic.  The state is freed with the
  ** connection (or when the function is redefined). */
  pProgress = sqlite3_malloc64(sizeof(*pProgress));
  if( pProgress==0 ) return SQLITE_NOMEM;
  memset(pProgress, 0, sizeof(*pProgress));
  return sqlite3_create_function_v2(db, "cloudtrail_progress", 6,
      SQLITE_UTF8|SQLITE_DIRECTONLY, pProgress, ctProgressFunc, 0, 0,
      sqlite3_free);
}
