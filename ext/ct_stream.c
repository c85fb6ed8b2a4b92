/*
** ct_stream.c — read a file as a sliding window of decoded bytes.
**
** The caller parses aBuf[0..nData).  When it needs more, it calls
** ctStreamMore() naming the first byte it still needs; earlier bytes are
** dropped, the rest moves to the front, and new bytes are appended.  The
** buffer only grows when the kept span fills it, and never past mxAlloc,
** so memory is bounded by the largest record, not by the file.
**
** Gzip files may be inflated on a second thread (bThread), which fills a
** small ring of fixed-size blocks while the caller parses: on two cores,
** inflating and parsing overlap.  The bytes, their order, and where errors
** are reported are exactly those of the single-threaded path.  The inflate
** thread calls no SQLite function: zlib's memory is allocated before it
** starts, and errors are kept as static texts and offsets until the caller
** formats them.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ct_stream.h"
SQLITE_EXTENSION_INIT3

/* read(2) that retries on EINTR.  Returns bytes read, 0 at EOF, -1 on error. */
static ssize_t ctRead(int fd, void *pBuf, size_t n){
  ssize_t got;
  do{ got = read(fd, pBuf, n); }while( got<0 && errno==EINTR );
  return got;
}

/* Record an error without allocating (any thread may call this). */
static int ctStreamFail(CtStream *p, const char *zWhat, const char *zDetail,
                        sqlite3_int64 iOff){
  p->zErrWhat = zWhat;
  p->zErrDetail = zDetail;
  p->iErrOff = iOff;
  return CT_STREAM_ERROR;
}

/* A failed read(2): errno is kept, strerror() is called by the caller. */
static int ctStreamIoError(CtStream *p){
  p->iErrno = errno;
  return ctStreamFail(p, "read error", 0, p->nFileRead);
}

static int ctStreamGzError(CtStream *p, const char *zWhat, const char *zDetail){
  return ctStreamFail(p, zWhat, zDetail,
                      p->nFileRead - (sqlite3_int64)p->zs.avail_in);
}

/* Turn the recorded error into p->zErr (caller's thread only). */
static int ctStreamErrText(CtStream *p, int rc){
  if( rc!=CT_STREAM_ERROR ) return rc;
  sqlite3_free(p->zErr);
  if( p->iErrno ){
    p->zErr = sqlite3_mprintf("%s at byte %lld: %s", p->zErrWhat, p->iErrOff,
                              strerror(p->iErrno));
  }else if( p->zErrDetail ){
    p->zErr = sqlite3_mprintf("%s (%s) at compressed byte %lld", p->zErrWhat,
                              p->zErrDetail, p->iErrOff);
  }else{
    p->zErr = sqlite3_mprintf("%s at compressed byte %lld", p->zErrWhat,
                              p->iErrOff);
  }
  return p->zErr ? CT_STREAM_ERROR : SQLITE_NOMEM;
}

/* zlib allocates through SQLite, like everything else. */
static voidpf ctZalloc(voidpf opaque, uInt nItem, uInt nSize){
  (void)opaque;
  return sqlite3_malloc64((sqlite3_uint64)nItem*nSize);
}
static void ctZfree(voidpf opaque, voidpf pMem){
  (void)opaque;
  sqlite3_free(pMem);
}

/*
** Inflate into aOut[0..nOut) until at least one byte is produced or the
** input ends (*pbEnd).  Handles member boundaries and trailing data.  An
** error found after some bytes were produced is held back (rcStash) and
** returned by the next call, so those bytes are delivered first and the
** records returned never depend on block or window sizes.
*/
static int ctInflateStep(CtStream *p, char *aOut, size_t nOut, size_t *pnOut,
                         int *pbEnd){
  *pnOut = 0;
  *pbEnd = 0;
  if( p->rcStash ) return p->rcStash;
  while( *pnOut==0 ){
    int rc;
    if( p->zs.avail_in==0 ){
      ssize_t got = ctRead(p->fd, p->aIn, p->nInAlloc);
      if( got<0 ) return ctStreamIoError(p);
      if( got==0 ){
        if( p->bInflating ) return ctStreamGzError(p, "truncated gzip stream", 0);
        *pbEnd = 1;
        return CT_STREAM_OK;
      }
      p->nFileRead += got;
      p->zs.next_in = p->aIn;
      p->zs.avail_in = (uInt)got;
    }
    if( !p->bInflating ){
      if( p->zs.next_in[0]!=0x1f ){
        return ctStreamGzError(p, "trailing data after gzip member", 0);
      }
      p->bInflating = 1;
    }
    p->zs.next_out = (Bytef*)aOut;
    p->zs.avail_out = (uInt)nOut;
    rc = inflate(&p->zs, Z_NO_FLUSH);
    *pnOut = nOut - p->zs.avail_out;
    if( rc==Z_STREAM_END ){
      p->bInflating = 0;
      if( inflateReset(&p->zs)!=Z_OK ) return ctStreamGzError(p, "inflate reset", 0);
    }else if( rc==Z_MEM_ERROR ){
      return SQLITE_NOMEM;
    }else if( rc!=Z_OK && rc!=Z_BUF_ERROR ){
      int rc2 = ctStreamGzError(p, "corrupt gzip data",
                                p->zs.msg ? p->zs.msg : "zlib error");
      if( *pnOut>0 ){
        p->rcStash = rc2;
        return CT_STREAM_OK;
      }
      return rc2;
    }
  }
  return CT_STREAM_OK;
}

/* ------------------------------------------------------------------------
** The inflate thread and its ring of blocks.
*/
#if CT_STREAM_THREADS
#include <pthread.h>

/* Decoded bytes per block, and blocks in flight: 4 × 128 KiB keeps the
** parser fed across the inflate thread's scheduling hiccups while bounding
** memory to half a megabyte per open file. */
#define CT_RING_BLOCK  (128*1024)
#define CT_RING_BLOCKS 4

struct CtRing {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cvReady;        /* a block was published, or done */
  pthread_cond_t cvFree;         /* a block was released, or stop */
  char *aBlock[CT_RING_BLOCKS];
  size_t nBlock[CT_RING_BLOCKS];
  int iHead;                     /* block the inflate thread fills next */
  int iTail;                     /* block the parser reads next */
  int nReady;                    /* published, unread blocks */
  size_t iTailOff;               /* bytes of the tail block already read */
  int bDone;                     /* the inflate thread finished … */
  int rcDone;                    /* … with this code */
  int bStop;                     /* the parser wants it to stop */
  int bRunning;                  /* thread started and not yet joined */
};

/* The inflate thread: fill free blocks until the end or an error. */
static void *ctRingMain(void *pArg){
  CtStream *p = (CtStream*)pArg;
  CtRing *r = p->pRing;
  int rc = CT_STREAM_OK, bEnd = 0;
  while( rc==CT_STREAM_OK && !bEnd ){
    int k;
    size_t nFill = 0;
    pthread_mutex_lock(&r->mu);
    while( r->nReady==CT_RING_BLOCKS && !r->bStop ) pthread_cond_wait(&r->cvFree, &r->mu);
    k = r->iHead;
    if( r->bStop ){ pthread_mutex_unlock(&r->mu); break; }
    pthread_mutex_unlock(&r->mu);
    while( nFill<CT_RING_BLOCK && rc==CT_STREAM_OK && !bEnd ){
      size_t nGot;
      rc = ctInflateStep(p, r->aBlock[k]+nFill, CT_RING_BLOCK-nFill, &nGot, &bEnd);
      nFill += nGot;
    }
    pthread_mutex_lock(&r->mu);
    if( nFill>0 ){
      r->nBlock[k] = nFill;
      r->iHead = (k+1) % CT_RING_BLOCKS;
      r->nReady++;
    }
    pthread_cond_signal(&r->cvReady);
    pthread_mutex_unlock(&r->mu);
  }
  pthread_mutex_lock(&r->mu);
  r->bDone = 1;
  r->rcDone = rc;
  pthread_cond_signal(&r->cvReady);
  pthread_mutex_unlock(&r->mu);
  return 0;
}

/* Stop and reap the inflate thread, if one runs; the ring stays. */
static void ctRingStop(CtStream *p){
  CtRing *r = p->pRing;
  if( r==0 || !r->bRunning ) return;
  pthread_mutex_lock(&r->mu);
  r->bStop = 1;
  pthread_cond_signal(&r->cvFree);
  pthread_mutex_unlock(&r->mu);
  pthread_join(r->thread, 0);
  r->bRunning = 0;
}

/* Stop the thread and free the ring. */
static void ctRingFree(CtStream *p){
  CtRing *r = p->pRing;
  int k;
  if( r==0 ) return;
  ctRingStop(p);
  pthread_cond_destroy(&r->cvReady);
  pthread_cond_destroy(&r->cvFree);
  pthread_mutex_destroy(&r->mu);
  for(k=0; k<CT_RING_BLOCKS; k++) sqlite3_free(r->aBlock[k]);
  sqlite3_free(r);
  p->pRing = 0;
}

/* Allocate the ring (blocks, lock, conditions), or reuse the one a
** previous file of this cursor left.  Returns 0 if it cannot be had. */
static CtRing *ctRingGet(CtStream *p){
  CtRing *r = p->pRing;
  int k, nOk = 0;
  if( r ) return r;
  r = sqlite3_malloc64(sizeof(*r));
  if( r==0 ) return 0;
  memset(r, 0, sizeof(*r));
  for(k=0; k<CT_RING_BLOCKS; k++){
    r->aBlock[k] = sqlite3_malloc64(CT_RING_BLOCK);
    nOk += r->aBlock[k]!=0;
  }
  if( nOk==CT_RING_BLOCKS && pthread_mutex_init(&r->mu, 0)==0 ){
    if( pthread_cond_init(&r->cvReady, 0)==0 ){
      if( pthread_cond_init(&r->cvFree, 0)==0 ){
        p->pRing = r;
        return r;
      }
      pthread_cond_destroy(&r->cvReady);
    }
    pthread_mutex_destroy(&r->mu);
  }
  for(k=0; k<CT_RING_BLOCKS; k++) sqlite3_free(r->aBlock[k]);
  sqlite3_free(r);
  return 0;
}

/*
** Start the inflate thread for the current file.  If it cannot be
** started the stream simply stays single-threaded.
*/
static int ctRingStart(CtStream *p){
  CtRing *r = ctRingGet(p);
  if( r==0 ) return CT_STREAM_OK;
  r->iHead = r->iTail = r->nReady = 0;
  r->iTailOff = 0;
  r->bDone = r->rcDone = r->bStop = 0;
  r->bRunning = pthread_create(&r->thread, 0, ctRingMain, p)==0;
  p->bRingActive = r->bRunning;
  return CT_STREAM_OK;
}

/* Copy published bytes into the window; wait if none are ready yet. */
static int ctRingRead(CtStream *p){
  CtRing *r = p->pRing;
  int rc = CT_STREAM_OK;
  pthread_mutex_lock(&r->mu);
  while( r->nReady==0 && !r->bDone ) pthread_cond_wait(&r->cvReady, &r->mu);
  if( r->nReady>0 ){
    size_t nAvail = r->nBlock[r->iTail] - r->iTailOff;
    size_t nCopy = p->nAlloc - p->nData;
    if( nCopy>nAvail ) nCopy = nAvail;
    memcpy(p->aBuf+p->nData, r->aBlock[r->iTail]+r->iTailOff, nCopy);
    p->nData += nCopy;
    r->iTailOff += nCopy;
    if( r->iTailOff==r->nBlock[r->iTail] ){
      r->iTail = (r->iTail+1) % CT_RING_BLOCKS;
      r->iTailOff = 0;
      r->nReady--;
      pthread_cond_signal(&r->cvFree);
    }
  }else if( r->rcDone ){
    rc = r->rcDone;
  }else{
    p->bEof = 1;
  }
  pthread_mutex_unlock(&r->mu);
  return rc;
}
#else
static void ctRingStop(CtStream *p){ (void)p; }
static void ctRingFree(CtStream *p){ (void)p; }
static int ctRingStart(CtStream *p){ (void)p; return CT_STREAM_OK; }
static int ctRingRead(CtStream *p){ (void)p; return CT_STREAM_ERROR; }
#endif /* CT_STREAM_THREADS */

/* A file is inflated on a second thread only when it is worth a thread's
** start-up (tens of microseconds): from 32 KiB compressed, about a quarter
** of a typical CloudTrail delivery file.  Pipes (size unknown) always are. */
#define CT_THREAD_MIN_FILE   (32*1024)
/* Bytes inflated before the thread starts, so zlib allocates its window in
** the caller's thread; small, so the thread has the rest of the work. */
#define CT_THREAD_FIRST_STEP 4096

/*
** Make zlib ready to inflate from aIn, whose first nIn bytes hold input.
** The zlib state is reused from a previous file when there is one.
*/
static int ctZlibStart(CtStream *p, size_t nIn){
  if( p->bZInit ){
    if( inflateReset(&p->zs)!=Z_OK ){
      return ctStreamErrText(p, ctStreamGzError(p, "cannot start inflate", 0));
    }
  }else{
    int rc;
    p->zs.zalloc = ctZalloc;
    p->zs.zfree = ctZfree;
    rc = inflateInit2(&p->zs, 16+MAX_WBITS);
    if( rc==Z_MEM_ERROR ) return SQLITE_NOMEM;
    if( rc!=Z_OK ){
      return ctStreamErrText(p, ctStreamGzError(p, "cannot start inflate", 0));
    }
    p->bZInit = 1;
  }
  p->zs.next_in = p->aIn;
  p->zs.avail_in = (uInt)nIn;
  p->bInflating = 0;
  return CT_STREAM_OK;
}

/* Make aIn hold at least n bytes, and never less than one read chunk:
** the zlib path reads into all of it (its content is not kept). */
static int ctStreamInAlloc(CtStream *p, size_t n){
  if( n<CT_STREAM_INPUT_CHUNK ) n = CT_STREAM_INPUT_CHUNK;
  if( p->nInAlloc>=n ) return CT_STREAM_OK;
  sqlite3_free(p->aIn);
  p->aIn = sqlite3_malloc64(n);
  p->nInAlloc = p->aIn ? n : 0;
  return p->aIn ? CT_STREAM_OK : SQLITE_NOMEM;
}

/* ------------------------------------------------------------------------
** Whole-file inflate with libdeflate, on the inflate thread.
**
** libdeflate inflates a whole gzip member about twice as fast as zlib's
** streaming inflate, and inflating is what bounds a scan of .json.gz files
** (measured: docs/performance.md).  A CloudTrail delivery file is small
** (typically under a megabyte inflated), so it is read whole, and inflated
** whole on the thread while the caller parses the previous file (see the
** read-ahead in ct_vtab.c).  Anything libdeflate cannot do — a corrupt or
** truncated member, trailing data, several members whose sizes the gzip
** trailer does not tell — falls back to the zlib path for the whole file,
** so damaged files give exactly the errors and partial records they give
** with threads=0.
*/
#if CT_STREAM_THREADS && CT_HAVE_LIBDEFLATE
#include <libdeflate.h>

/* Files up to this size (compressed) are inflated whole... */
#define CT_WHOLE_MAX_IN  (4*1024*1024)
/* ...when their trailer says they inflate to at most this: both bounds keep
** peak memory under the 32 MiB the scan promises, with two files open. */
#define CT_WHOLE_MAX_OUT (12*1024*1024)

struct CtWhole {
  pthread_t thread;
  int bRunning;                     /* started, not yet joined */
  struct libdeflate_decompressor *pDec;   /* reused across files */
  size_t nIn;                       /* compressed bytes in CtStream.aIn */
  unsigned char *aOut;              /* the inflated file */
  size_t nOutAlloc, nOut;
  size_t iPos;                      /* bytes of aOut already delivered */
  int bFailed;                      /* libdeflate gave up: use zlib */
};

/* The thread: inflate every member of aIn into aOut.  No allocation, no
** SQLite call. */
static void *ctWholeMain(void *pArg){
  CtStream *p = (CtStream*)pArg;
  CtWhole *w = p->pWhole;
  size_t iIn = 0;
  w->nOut = 0;
  while( iIn<w->nIn ){
    size_t nUsed = 0, nMade = 0;
    enum libdeflate_result r;
    /* libdeflate skips a member's header CRC (FHCRC) without checking it;
    ** zlib checks it, so such members go the zlib way. */
    if( w->nIn-iIn<4 || (p->aIn[iIn+3] & 0x02)!=0 ){
      w->bFailed = 1;
      break;
    }
    r = libdeflate_gzip_decompress_ex(w->pDec,
        p->aIn+iIn, w->nIn-iIn, w->aOut+w->nOut, w->nOutAlloc-w->nOut,
        &nUsed, &nMade);
    if( r!=LIBDEFLATE_SUCCESS || nUsed==0 ){
      w->bFailed = 1;
      break;
    }
    iIn += nUsed;
    w->nOut += nMade;
  }
  return 0;
}

/* Little-endian 32-bit value. */
static size_t ctLe32(const unsigned char *a){
  return (size_t)a[0] | ((size_t)a[1]<<8) | ((size_t)a[2]<<16) | ((size_t)a[3]<<24);
}

/*
** If the file is small enough, size the output from the gzip trailer, read
** the file whole (its first nData bytes are in aBuf already) and start the
** thread.  Returns 1 if started, 0 if the file is not for this path (and
** nothing was consumed), or an error code.
*/
static int ctWholeStart(CtStream *p){
  CtWhole *w = p->pWhole;
  size_t nFile = (size_t)p->nFileSize, nOut;
  unsigned char aTrailer[4];
  int rc;
  if( p->nFileSize<18 || p->nFileSize>CT_WHOLE_MAX_IN ) return 0;
  /* The last 4 bytes: the (last) member's inflated size, mod 2^32. */
  if( pread(p->fd, aTrailer, 4, (off_t)(nFile-4))!=4 ) return 0;
  nOut = ctLe32(aTrailer);
  if( nOut>CT_WHOLE_MAX_OUT ) return 0;
  if( w==0 ){
    w = p->pWhole = sqlite3_malloc64(sizeof(*w));
    if( w==0 ) return SQLITE_NOMEM;
    memset(w, 0, sizeof(*w));
  }
  if( w->pDec==0 ){
    /* libdeflate allocates its decompressor with malloc(): its only
    ** allocator hook is process-wide, which an extension must not touch. */
    w->pDec = libdeflate_alloc_decompressor();
    if( w->pDec==0 ) return SQLITE_NOMEM;
  }
  rc = ctStreamInAlloc(p, nFile);
  if( rc ) return rc;
  memcpy(p->aIn, p->aBuf, p->nData);
  w->nIn = p->nData;
  while( w->nIn<nFile ){
    ssize_t got = ctRead(p->fd, p->aIn+w->nIn, nFile-w->nIn);
    if( got<0 ) return ctStreamErrText(p, ctStreamIoError(p));
    if( got==0 ) break;
    w->nIn += (size_t)got;
    p->nFileRead += got;
  }
  if( w->nOutAlloc<nOut+1 ){
    sqlite3_free(w->aOut);
    w->aOut = sqlite3_malloc64(nOut+1);
    w->nOutAlloc = w->aOut ? nOut+1 : 0;
    if( w->aOut==0 ) return SQLITE_NOMEM;
  }
  w->iPos = w->nOut = 0;
  w->bFailed = 0;
  p->nData = 0;
  if( pthread_create(&w->thread, 0, ctWholeMain, p)==0 ){
    w->bRunning = 1;
  }else{
    ctWholeMain(p);
  }
  p->bWholeActive = 1;
  return 1;
}

/* Wait for the thread, if it still runs. */
static void ctWholeJoin(CtStream *p){
  if( p->pWhole && p->pWhole->bRunning ){
    pthread_join(p->pWhole->thread, 0);
    p->pWhole->bRunning = 0;
  }
}

/* Deliver inflated bytes into the window; on failure, switch this file to
** the zlib path over the same compressed bytes. */
static int ctWholeRead(CtStream *p){
  CtWhole *w = p->pWhole;
  size_t nCopy;
  ctWholeJoin(p);
  if( w->bFailed ){
    p->bWholeActive = 0;
    return ctZlibStart(p, w->nIn);
  }
  nCopy = w->nOut - w->iPos;
  if( nCopy>p->nAlloc-p->nData ) nCopy = p->nAlloc-p->nData;
  memcpy(p->aBuf+p->nData, w->aOut+w->iPos, nCopy);
  p->nData += nCopy;
  w->iPos += nCopy;
  if( w->iPos==w->nOut ) p->bEof = 1;
  return CT_STREAM_OK;
}

static void ctWholeFree(CtStream *p){
  if( p->pWhole==0 ) return;
  ctWholeJoin(p);
  if( p->pWhole->pDec ) libdeflate_free_decompressor(p->pWhole->pDec);
  sqlite3_free(p->pWhole->aOut);
  sqlite3_free(p->pWhole);
  p->pWhole = 0;
}
#else
static int ctWholeStart(CtStream *p){ (void)p; return 0; }
static void ctWholeJoin(CtStream *p){ (void)p; }
static int ctWholeRead(CtStream *p){ (void)p; return CT_STREAM_ERROR; }
static void ctWholeFree(CtStream *p){ (void)p; }
#endif

/*
** Set up inflating after the gzip magic was seen in the first nData bytes
** of aBuf: they are compressed input.  With bThread, a small file is
** inflated whole by libdeflate on a second thread (ctWholeStart), a larger
** one streams through zlib on a second thread: one block is inflated here
** first, so zlib allocates its window in this thread and the inflate
** thread never calls into SQLite.
*/
static int ctStreamStartGzip(CtStream *p, int bThread){
  size_t nIn = p->nData>CT_STREAM_INPUT_CHUNK ? p->nData : CT_STREAM_INPUT_CHUNK;
  int rc;
  p->bGzip = 1;
  p->bEof = 0;
  if( bThread ){
    rc = ctWholeStart(p);
    if( rc==1 ) return CT_STREAM_OK;
    if( rc ) return rc;
  }
  rc = ctStreamInAlloc(p, nIn);
  if( rc ) return rc;
  memcpy(p->aIn, p->aBuf, p->nData);
  rc = ctZlibStart(p, p->nData);
  if( rc ) return rc;
  p->nData = 0;
  if( bThread && (p->nFileSize<0 || p->nFileSize>=CT_THREAD_MIN_FILE) ){
    size_t nGot;
    int bEnd;
    rc = ctInflateStep(p, p->aBuf,
        p->nAlloc<CT_THREAD_FIRST_STEP ? p->nAlloc : CT_THREAD_FIRST_STEP,
        &nGot, &bEnd);
    p->nData = nGot;
    if( rc ) return ctStreamErrText(p, rc);
    if( bEnd ){
      p->bEof = 1;
      return CT_STREAM_OK;
    }
    return ctRingStart(p);
  }
  return CT_STREAM_OK;
}

/*
** Open zPath.  p is zeroed, or was ended with ctStreamEnd(): then its
** buffers, zlib state and inflate ring are reused, so a scan of many files
** allocates once, not once per file.  nBuf is the initial window size,
** mxAlloc the most it may grow to.  Reads the first bytes to decide
** between plain and gzip.
** bThread allows a gzip file to be inflated on a second thread.  On error
** p->zErr is set (the caller adds the file name).
*/
int ctStreamOpen(CtStream *p, const char *zPath, size_t nBuf, size_t mxAlloc,
                 int bThread){
  ssize_t got;
  struct stat st;
  CtStream keep = *p;              /* buffers a previous file left */
  ctRingStop(&keep);               /* (ctStreamEnd() did, unless misused) */
  ctWholeJoin(&keep);
  memset(p, 0, sizeof(*p));
  p->fd = -1;
  p->nFileSize = -1;
  p->aIn = keep.aIn;
  p->nInAlloc = keep.nInAlloc;
  p->pRing = keep.pRing;
  p->pWhole = keep.pWhole;
  p->zs = keep.zs;
  p->bZInit = keep.bZInit;
  if( nBuf>mxAlloc ) nBuf = mxAlloc;
  p->mxAlloc = mxAlloc;
  if( keep.aBuf && keep.nAlloc>=nBuf && keep.nAlloc<=CT_STREAM_KEEP_MAX
   && keep.nAlloc<=mxAlloc ){
    p->aBuf = keep.aBuf;
    p->nAlloc = keep.nAlloc;
  }else{
    sqlite3_free(keep.aBuf);
    p->nAlloc = nBuf;
    p->aBuf = sqlite3_malloc64(nBuf);
    if( p->aBuf==0 ) return SQLITE_NOMEM;
  }
  p->fd = open(zPath, O_RDONLY|O_CLOEXEC);
  if( p->fd<0 ){
    p->zErr = sqlite3_mprintf("cannot open: %s", strerror(errno));
    return p->zErr ? CT_STREAM_ERROR : SQLITE_NOMEM;
  }
  if( fstat(p->fd, &st)==0 && S_ISREG(st.st_mode) ) p->nFileSize = st.st_size;
  /* Fill the window (or reach EOF) so two magic bytes are seen even on a
  ** pipe that returns one byte at a time. */
  while( p->nData<2 ){
    got = ctRead(p->fd, p->aBuf+p->nData, p->nAlloc-p->nData);
    if( got<0 ) return ctStreamErrText(p, ctStreamIoError(p));
    if( got==0 ){ p->bEof = 1; break; }
    p->nData += (size_t)got;
    p->nFileRead += got;
  }
  if( p->nData>=2 && (unsigned char)p->aBuf[0]==0x1f
                  && (unsigned char)p->aBuf[1]==0x8b ){
    return ctStreamStartGzip(p, bThread);
  }
  if( p->nData==0 ){
    size_t nName = strlen(zPath);
    if( nName>=3 && strcmp(zPath+nName-3, ".gz")==0 ){
      p->zErr = sqlite3_mprintf("empty file with a .gz name (0 bytes)");
      return p->zErr ? CT_STREAM_ERROR : SQLITE_NOMEM;
    }
  }
  return CT_STREAM_OK;
}

/* Append one piece of decoded bytes to the free part of the window. */
static int ctStreamFillOnce(CtStream *p){
  if( p->bWholeActive ) return ctWholeRead(p);
  if( p->bRingActive ) return ctStreamErrText(p, ctRingRead(p));
  if( p->bGzip ){
    size_t nGot;
    int bEnd, rc;
    rc = ctInflateStep(p, p->aBuf+p->nData, p->nAlloc-p->nData, &nGot, &bEnd);
    p->nData += nGot;
    if( bEnd ) p->bEof = 1;
    return ctStreamErrText(p, rc);
  }else{
    ssize_t got = ctRead(p->fd, p->aBuf+p->nData, p->nAlloc-p->nData);
    if( got<0 ) return ctStreamErrText(p, ctStreamIoError(p));
    if( got==0 ) p->bEof = 1;
    p->nData += (size_t)got;
    p->nFileRead += got;
  }
  return CT_STREAM_OK;
}

/*
** Fill the window to the brim (or to the end of the file).  Filling it
** whole, not by whatever piece a read or a gzip member yields, is what
** keeps re-validation of a record that spans refills linear: each retry
** either completes the record or finds the window full, which doubles it.
*/
static int ctStreamFill(CtStream *p){
  size_t nBefore = p->nData;
  int rc = CT_STREAM_OK;
  while( rc==CT_STREAM_OK && !p->bEof && p->nData<p->nAlloc ){
    rc = ctStreamFillOnce(p);
  }
  if( rc==CT_STREAM_ERROR && p->nData>nBefore ){
    /* The bytes before the damage go to the parser first. */
    p->rcPending = rc;
    return CT_STREAM_OK;
  }
  return rc;
}

/*
** Drop aBuf[0..iKeep), then append more decoded bytes, growing the window
** if the kept span fills it.  Sets bEof when the file is exhausted.
** Returns CT_STREAM_TOOBIG when the window is full at mxAlloc.
*/
int ctStreamMore(CtStream *p, size_t iKeep){
  int rc;
  if( iKeep>0 ){
    memmove(p->aBuf, p->aBuf+iKeep, p->nData-iKeep);
    p->nData -= iKeep;
    p->iBase += (sqlite3_int64)iKeep;
  }
  if( p->bEof ) return CT_STREAM_OK;
  if( p->rcPending ) return p->rcPending;
  if( p->nData==p->nAlloc ){
    size_t nNew = p->nAlloc*2;
    char *aNew;
    if( p->nAlloc>=p->mxAlloc ) return CT_STREAM_TOOBIG;
    if( nNew>p->mxAlloc ) nNew = p->mxAlloc;
    aNew = sqlite3_realloc64(p->aBuf, nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    p->aBuf = aNew;
    p->nAlloc = nNew;
  }
  p->nRefill++;
  rc = ctStreamFill(p);
  if( rc ) p->rcPending = rc;
  return rc;
}

/* Compressed bytes read so far (the inflate thread is stopped first). */
sqlite3_int64 ctStreamFileRead(CtStream *p){
  ctRingStop(p);
  ctWholeJoin(p);
  p->bRingActive = 0;
  return p->nFileRead;
}

/* Finish with the current file but keep the buffers for the next one. */
void ctStreamEnd(CtStream *p){
  ctRingStop(p);
  ctWholeJoin(p);
  p->bRingActive = 0;
  p->bWholeActive = 0;
  if( p->fd>=0 ) close(p->fd);
  p->fd = -1;
  sqlite3_free(p->zErr);
  p->zErr = 0;
}

/* Release everything; safe on a zeroed, ended or half-opened stream. */
void ctStreamClose(CtStream *p){
  ctStreamEnd(p);
  ctRingFree(p);
  ctWholeFree(p);
  if( p->bZInit ) inflateEnd(&p->zs);
  sqlite3_free(p->aIn);
  sqlite3_free(p->aBuf);
  memset(p, 0, sizeof(*p));
  p->fd = -1;
  p->nFileSize = -1;
}
