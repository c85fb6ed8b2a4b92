/*
** fuzz_reader.c — libFuzzer harness for the file reader: ext/ct_stream.c
** (plain reads, zlib streaming, the zlib inflate thread, libdeflate's
** whole-file inflate on a thread and its fallback to zlib) and
** ext/ct_reader.c (every export format), called directly through
** ctReaderOpen/ctReaderNext/ctReaderEnd/ctReaderClose.
**
** Each input is read, with one CtReader reused across files as the
** cloudtrail table reuses it, as:
**   P  the input as a plain file (a gzip stream if it starts with 1f 8b);
**   G  a gzip copy (one member, written with zlib);
**   M  a multi-member gzip copy (`cat a.gz b.gz …`): members of 1–32
**      bytes, at most 64 of them; read after G, so libdeflate's output
**      buffer is reused and the multi-member whole-file path succeeds;
**   F  a pipe fed by a writer thread (the input, then the gzip copy): a
**      pipe has no size, which is the only way to reach the zlib inflate
**      thread (ctRing*) for small files while libdeflate is compiled in
**      (libdeflate takes every regular gzip file up to 4 MiB);
** with windows from 16 bytes up, bThread 0 and 1, a small max_record_size,
** and scans stopped after the first record (threads still running).
**
** Checked, besides ASan/UBSan/LSan:
**   - every record is one valid JSON object, inside the window or the
**     decoded-event buffer, with consecutive record indexes;
**   - the members table recorded while validating gives the same fields
**     and shape as a scan, and ctFieldsRawPart(…, 1) agrees with
**     ctFieldsRaw() on the top-level fields;
**   - records, format and error do not depend on the window size, on
**     threads, on the compression or on the pipe (ct_stream.c promises
**     this); error texts are compared without the file name, with
**     "decompressed byte" read as "byte" between plain and gzip, and
**     without zlib's compressed-byte offset, which depends on how much
**     input zlib was handed;
**   - an error is sticky: ctReaderNext() repeats it.
*/
#include "fuzz_common.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include "ct_fields.h"
#include "ct_reader.h"

#define MX_DEFAULT (16*1024*1024)     /* CT_DEFAULT_MAX_RECORD */
#define MX_SMALL   256

static char zPlain[600], zGz[600], zMulti[600];

int LLVMFuzzerInitialize(int *argc, char ***argv){
  (void)argc; (void)argv;
  fuzzExactMalloc();
  signal(SIGPIPE, SIG_IGN);          /* the pipe writer sees EPIPE instead */
  fuzzTempDir("reader");
  fuzzPath(zPlain, sizeof(zPlain), "in.json");
  fuzzPath(zGz, sizeof(zGz), "in.json.gz");
  fuzzPath(zMulti, sizeof(zMulti), "multi.json.gz");
  return 0;
}

/* What reading one file gave. */
typedef struct Outcome Outcome;
struct Outcome {
  const char *zWhat;        /* config, for messages */
  int rc;                   /* SQLITE_DONE, SQLITE_ERROR, or SQLITE_ROW if stopped */
  int eFormat;
  sqlite3_int64 nRec;
  uint64_t h;               /* hash of every record and its metadata */
  char zErr[600];           /* error without "cloudtrail: FILE: " */
};

static int spanIn(CtSpan s, const char *a, size_t n){
  return s.z>=a && s.n<=n && (size_t)(s.z-a)<=n-s.n;
}

static int sameSpan(CtSpan a, CtSpan b){
  return a.z==b.z && a.n==b.n;
}

/* The invariants of one record. */
static void checkRecord(CtReader *r, sqlite3_int64 nSoFar){
  CtSpan rec = r->rec;
  size_t iEnd = 0;
  CtJsonError e;
  CtFields fScan, fMem, fTop;
  CtShape sScan, sMem;
  int k;
  FUZZ_CHECK( rec.z!=0 && rec.n>=2 );
  FUZZ_CHECK( spanIn(rec, r->s.aBuf, r->s.nData)
           || (r->dec.a && spanIn(rec, r->dec.a, r->dec.nAlloc)) );
  FUZZ_CHECK( rec.z[0]=='{' && rec.z[rec.n-1]=='}' );
  FUZZ_CHECK( ct_json_validate(rec.z, rec.n, 0, 1, CT_JSON_MAX_DEPTH, &iEnd, &e)
              ==CT_JSON_OK && iEnd==rec.n );
  FUZZ_CHECK( r->iRecord==nSoFar );
  FUZZ_CHECK( r->eKind==CT_KIND_RAW || r->eKind==CT_KIND_ECS );
  /* The members table is only an optimisation. */
  ctFieldsRaw(rec, 0, &fScan);
  ctRecordShape(rec, 0, &sScan);
  if( r->bMem ){
    FUZZ_CHECK( r->mem.n>=0 && r->mem.n<=CT_MAX_MEMBERS );
    ctFieldsRaw(rec, &r->mem, &fMem);
    for(k=0; k<CT_NFIELD; k++) FUZZ_CHECK( sameSpan(fScan.a[k], fMem.a[k]) );
    FUZZ_CHECK( ctRecordShape(rec, &r->mem, &sMem)==ctRecordShape(rec, 0, &sScan) );
    FUZZ_CHECK( memcmp(&sMem, &sScan, sizeof(sMem))==0 );
  }
  /* The top-only pass (used for pushed-down constraints) sees exactly the
  ** top-level fields of the full pass. */
  ctFieldsRawPart(rec, r->bMem ? &r->mem : 0, &fTop, 1);
  for(k=0; k<CT_NFIELD; k++){
    switch( k ){
      case CT_F_IDENTITY_TYPE: case CT_F_PRINCIPAL_ID: case CT_F_IDENTITY_ARN:
      case CT_F_ACCOUNT_ID: case CT_F_ACCESS_KEY_ID: case CT_F_ISSUER_ARN:
      case CT_F_ISSUER_NAME: case CT_F_CONSOLE_LOGIN:
        FUZZ_CHECK( fTop.a[k].z==0 );
        break;
      default:
        FUZZ_CHECK( sameSpan(fTop.a[k], fScan.a[k]) );
    }
  }
  for(k=0; k<CT_NFIELD; k++){
    if( fScan.a[k].z ) FUZZ_CHECK( spanIn(fScan.a[k], rec.z, rec.n) );
  }
  if( r->eKind==CT_KIND_ECS ){
    CtFields fEcs;
    ctFieldsEcs(rec, &fEcs);
    for(k=0; k<CT_NFIELD; k++){
      if( fEcs.a[k].z ) FUZZ_CHECK( spanIn(fEcs.a[k], rec.z, rec.n) );
    }
  }
}

/* Read zPath to its end (or nStop records) and summarise it in *o. */
static void readFile(CtReader *r, const char *zPath, size_t nBuf, size_t mxRec,
                     int bThread, int nStop, const char *zWhat, Outcome *o){
  int rc;
  memset(o, 0, sizeof(*o));
  o->zWhat = zWhat;
  o->h = 0xcbf29ce484222325ULL;
  rc = ctReaderOpen(r, zPath, nBuf, mxRec, bThread);
  if( rc==SQLITE_OK ){
    while( (rc = ctReaderNext(r))==SQLITE_ROW ){
      checkRecord(r, o->nRec);
      o->h = fuzzHash(o->h, r->rec.z, r->rec.n);
      o->h = fuzzHash(o->h, &r->eKind, sizeof(r->eKind));
      o->h = fuzzHash(o->h, &r->iRecOff, sizeof(r->iRecOff));
      o->nRec++;
      if( nStop && o->nRec>=nStop ) break;
    }
    if( rc!=SQLITE_ROW ){
      /* Errors and the end are sticky. */
      FUZZ_CHECK( ctReaderNext(r)==rc );
    }
  }
  FUZZ_CHECK( rc==SQLITE_ROW || rc==SQLITE_DONE || rc==SQLITE_ERROR );
  o->rc = rc;
  o->eFormat = r->eFormat;
  if( o->eFormat ) FUZZ_CHECK( ctFormatName(o->eFormat)!=0 );
  if( rc==SQLITE_ERROR ){
    size_t nPrefix = strlen("cloudtrail: ") + strlen(zPath) + 2;
    FUZZ_CHECK( r->zErr!=0 );
    FUZZ_CHECK( strncmp(r->zErr, "cloudtrail: ", 12)==0
             && strncmp(r->zErr+12, zPath, strlen(zPath))==0
             && strlen(r->zErr)>=nPrefix );
    snprintf(o->zErr, sizeof(o->zErr), "%s", r->zErr+nPrefix);
  }
  if( rc!=SQLITE_ROW ) (void)ctStreamFileRead(&r->s);   /* as cloudtrail_files */
  ctReaderEnd(r);
}

/* ---- the pipe ------------------------------------------------------------ */
typedef struct Writer Writer;
struct Writer {
  int fd;
  const unsigned char *a;
  size_t n, nChunk;
};

static void *writerMain(void *pArg){
  Writer *w = (Writer*)pArg;
  size_t i = 0;
  while( i<w->n ){
    size_t k = w->n-i < w->nChunk ? w->n-i : w->nChunk;
    ssize_t got = write(w->fd, w->a+i, k);
    if( got<0 ){
      if( errno==EINTR ) continue;
      break;                        /* EPIPE: the reader stopped early */
    }
    i += (size_t)got;
  }
  close(w->fd);
  return 0;
}

/* Read a[0..n) through a pipe, opened by the reader as /dev/fd/N.  Opening
** an anonymous pipe that way never waits for a writer (a named FIFO would
** block in open() if the writer had already finished), and the pipe's own
** read end, held until the scan is over, keeps the writer from EPIPE until
** the reader has opened; closing it afterwards unblocks a writer the scan
** stopped listening to. */
static void readPipe(CtReader *r, const unsigned char *a, size_t n,
                     size_t nChunk, size_t nBuf, int bThread, int nStop,
                     const char *zWhat, Outcome *o){
  Writer w;
  pthread_t t;
  int fds[2];
  char zPipe[64];
  if( pipe2(fds, O_CLOEXEC)!=0 ){ perror("pipe2"); abort(); }
  snprintf(zPipe, sizeof(zPipe), "/dev/fd/%d", fds[0]);
  w.fd = fds[1];
  w.a = a;
  w.n = n;
  w.nChunk = nChunk;
  if( pthread_create(&t, 0, writerMain, &w)!=0 ) abort();
  readFile(r, zPipe, nBuf, MX_DEFAULT, bThread, nStop, zWhat, o);
  close(fds[0]);
  pthread_join(t, 0);
}

/* ---- comparing outcomes -------------------------------------------------- */

/* The error text as compared: "decompressed byte" read as "byte" when
** bPlainVsGz, and zlib's compressed-byte offset dropped. */
static void normErr(const char *zIn, int bPlainVsGz, char *zOut, size_t nOut){
  char *z;
  snprintf(zOut, nOut, "%s", zIn);
  if( bPlainVsGz ){
    while( (z = strstr(zOut, "decompressed byte"))!=0 ){
      memmove(z, z+13, strlen(z+13)+1);          /* drop "decompressed " */
    }
  }
  if( (z = strstr(zOut, " at compressed byte "))!=0 ) *z = 0;
}

static void sameOutcome(const Outcome *a, const Outcome *b, int bPlainVsGz){
  char zA[600], zB[600];
  normErr(a->zErr, bPlainVsGz, zA, sizeof(zA));
  normErr(b->zErr, bPlainVsGz, zB, sizeof(zB));
  if( a->rc==b->rc && a->eFormat==b->eFormat && a->nRec==b->nRec
   && a->h==b->h && strcmp(zA, zB)==0 ){
    return;
  }
  fprintf(stderr, "fuzz: reading differs between configurations\n"
      "  %s: rc=%d format=%d records=%lld hash=%016llx error=%s\n"
      "  %s: rc=%d format=%d records=%lld hash=%016llx error=%s\n",
      a->zWhat, a->rc, a->eFormat, (long long)a->nRec,
      (unsigned long long)a->h, a->zErr,
      b->zWhat, b->rc, b->eFormat, (long long)b->nRec,
      (unsigned long long)b->h, b->zErr);
  abort();
}

#define CHUNK(x) (aChunk[(x)&3]>aChunkMin ? aChunk[(x)&3] : aChunkMin)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  static FuzzBuf gz, multi;
  CtReader r;
  Outcome oP0, oP1, oPF, oS0, oS1, oG0, oG1, oM0, oM1, oGF, oX;
  uint64_t h = fuzzHash(0xcbf29ce484222325ULL, data, size);
  int bGzIn = size>=2 && data[0]==0x1f && data[1]==0x8b;
  static const size_t aChunk[4] = { 3, 61, 4096, 1<<20 };   /* pipe writes */
  size_t nPiece = 1 + (size_t)(h>>8) % 32;
  size_t nBufOdd = 17 + (size_t)(h>>16) % 200;
  size_t aChunkMin = 0;

  if( size>0 && nPiece<size/64 ) nPiece = size/64 + 1;     /* ≤ 64 members */
  if( size>8192 ) aChunkMin = 61;          /* no 3-byte writes of 64 KiB */
  fuzzWriteFile(zPlain, data, size);
  fuzzGzip(&gz, data, size);
  fuzzWriteFile(zGz, gz.a, gz.n);
  fuzzGzipMulti(&multi, data, size, nPiece);
  fuzzWriteFile(zMulti, multi.a, multi.n);

  memset(&r, 0, sizeof(r));                     /* before the first open */

  /* The input as it is. */
  readFile(&r, zPlain, 16, MX_DEFAULT, 0, 0, "plain, 16-byte window", &oP0);
  readFile(&r, zPlain, 256*1024, MX_DEFAULT, 1, 0, "plain, threads", &oP1);
  sameOutcome(&oP0, &oP1, 0);
  readPipe(&r, data, size, CHUNK(h), nBufOdd, 1, 0, "plain, pipe", &oPF);
  sameOutcome(&oP0, &oPF, 0);
  readFile(&r, zPlain, nBufOdd, MX_SMALL, 0, 0, "plain, max_record_size", &oS0);

  /* Gzip, one member: zlib, then libdeflate on a thread. */
  readFile(&r, zGz, 16, MX_DEFAULT, 0, 0, "gzip, zlib, 16-byte window", &oG0);
  if( !bGzIn ) sameOutcome(&oP0, &oG0, 1);
  readFile(&r, zGz, 4096, MX_DEFAULT, 1, 0, "gzip, threads", &oG1);
  sameOutcome(&oG0, &oG1, 0);
  readFile(&r, zGz, 64, MX_SMALL, 1, 0, "gzip, threads, max_record_size", &oS1);
  if( !bGzIn ) sameOutcome(&oS0, &oS1, 1);

  /* Gzip, many members. */
  readFile(&r, zMulti, 16, MX_DEFAULT, 1, 0, "multi-member, threads", &oM1);
  sameOutcome(&oG0, &oM1, 0);
  readFile(&r, zMulti, nBufOdd, MX_DEFAULT, 0, 0, "multi-member, zlib", &oM0);
  sameOutcome(&oG0, &oM0, 0);

  /* Gzip through a pipe: the zlib inflate thread. */
  readPipe(&r, gz.a, gz.n, CHUNK(h>>2), 16, 1, 0, "gzip, pipe, threads", &oGF);
  sameOutcome(&oG0, &oGF, 0);
  if( (h>>4)&1 ){
    readPipe(&r, multi.a, multi.n, CHUNK(h>>5), 1024, 1, 0,
             "multi-member, pipe, threads", &oX);
    sameOutcome(&oG0, &oX, 0);
  }

  /* Scans stopped after the first record, inflate threads still busy. */
  readFile(&r, zGz, 16, MX_DEFAULT, 1, 1, "gzip, threads, stopped", &oX);
  readFile(&r, zPlain, 16, MX_DEFAULT, 1, 1, "plain, threads, stopped", &oX);
  readPipe(&r, gz.a, gz.n, CHUNK(h>>6), 16, 1, 1, "gzip, pipe, stopped", &oX);

  ctReaderClose(&r);
  return 0;
}
