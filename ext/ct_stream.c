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
      ssize_t got = ctRead(p->fd, p->aIn, CT_STREAM_INPUT_CHUNK);
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

/* Stop and reap the inflate thread, free the ring. */
static void ctRingClose(CtStream *p){
  CtRing *r = p->pRing;
  int k;
  if( r==0 ) return;
  pthread_mutex_lock(&r->mu);
  r->bStop = 1;
  pthread_cond_signal(&r->cvFree);
  pthread_mutex_unlock(&r->mu);
  pthread_join(r->thread, 0);
  pthread_cond_destroy(&r->cvReady);
  pthread_cond_destroy(&r->cvFree);
  pthread_mutex_destroy(&r->mu);
  for(k=0; k<CT_RING_BLOCKS; k++) sqlite3_free(r->aBlock[k]);
  sqlite3_free(r);
  p->pRing = 0;
}

/*
** Start the inflate thread.  Everything it needs is allocated here.  If
** the thread cannot be started the stream simply stays single-threaded.
*/
static int ctRingStart(CtStream *p){
  CtRing *r = sqlite3_malloc64(sizeof(*r));
  int k, nOk = 0;
  if( r==0 ) return SQLITE_NOMEM;
  memset(r, 0, sizeof(*r));
  for(k=0; k<CT_RING_BLOCKS; k++){
    r->aBlock[k] = sqlite3_malloc64(CT_RING_BLOCK);
    nOk += r->aBlock[k]!=0;
  }
  if( nOk==CT_RING_BLOCKS && pthread_mutex_init(&r->mu, 0)==0 ){
    if( pthread_cond_init(&r->cvReady, 0)==0 ){
      if( pthread_cond_init(&r->cvFree, 0)==0 ){
        p->pRing = r;
        if( pthread_create(&r->thread, 0, ctRingMain, p)==0 ) return CT_STREAM_OK;
        p->pRing = 0;
        pthread_cond_destroy(&r->cvFree);
      }
      pthread_cond_destroy(&r->cvReady);
    }
    pthread_mutex_destroy(&r->mu);
  }
  /* No thread: the stream goes on single-threaded. */
  for(k=0; k<CT_RING_BLOCKS; k++) sqlite3_free(r->aBlock[k]);
  sqlite3_free(r);
  return nOk==CT_RING_BLOCKS ? CT_STREAM_OK : SQLITE_NOMEM;
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
static void ctRingClose(CtStream *p){ (void)p; }
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
** Set up inflating after the gzip magic was seen in the first nData bytes
** of aBuf: they are compressed input, so they move to aIn.  With bThread,
** one block is inflated here first, so zlib allocates its window in this
** thread and the inflate thread never calls into SQLite; the rest is
** inflated on that thread.
*/
static int ctStreamStartGzip(CtStream *p, int bThread){
  p->bGzip = 1;
  p->bEof = 0;
  p->aIn = sqlite3_malloc64(p->nData>CT_STREAM_INPUT_CHUNK
                            ? p->nData : CT_STREAM_INPUT_CHUNK);
  if( p->aIn==0 ) return SQLITE_NOMEM;
  p->zs.zalloc = ctZalloc;
  p->zs.zfree = ctZfree;
  if( inflateInit2(&p->zs, 16+MAX_WBITS)!=Z_OK ){
    return ctStreamErrText(p, ctStreamGzError(p, "cannot start inflate", 0));
  }
  p->bZInit = 1;
  memcpy(p->aIn, p->aBuf, p->nData);
  p->zs.next_in = p->aIn;
  p->zs.avail_in = (uInt)p->nData;
  p->nData = 0;
  if( bThread && (p->nFileSize<0 || p->nFileSize>=CT_THREAD_MIN_FILE) ){
    size_t nGot;
    int bEnd, rc = ctInflateStep(p, p->aBuf,
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
** Open zPath.  nBuf is the initial window size, mxAlloc the most it may
** grow to.  Reads the first bytes to decide between plain and gzip.
** bThread allows a gzip file to be inflated on a second thread.  On error
** p->zErr is set (the caller adds the file name).
*/
int ctStreamOpen(CtStream *p, const char *zPath, size_t nBuf, size_t mxAlloc,
                 int bThread){
  ssize_t got;
  struct stat st;
  memset(p, 0, sizeof(*p));
  p->fd = -1;
  p->nFileSize = -1;
  if( nBuf>mxAlloc ) nBuf = mxAlloc;
  p->mxAlloc = mxAlloc;
  p->nAlloc = nBuf;
  p->aBuf = sqlite3_malloc64(nBuf);
  if( p->aBuf==0 ) return SQLITE_NOMEM;
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
  if( p->pRing ) return ctStreamErrText(p, ctRingRead(p));
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
  ctRingClose(p);
  return p->nFileRead;
}

/* Release everything; safe on a zeroed or half-opened stream. */
void ctStreamClose(CtStream *p){
  ctRingClose(p);
  if( p->fd>=0 ) close(p->fd);
  if( p->bZInit ) inflateEnd(&p->zs);
  sqlite3_free(p->aIn);
  sqlite3_free(p->aBuf);
  sqlite3_free(p->zErr);
  memset(p, 0, sizeof(*p));
  p->fd = -1;
  p->nFileSize = -1;
}
